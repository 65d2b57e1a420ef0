/**
 * Fault injection: make any route of the sandbox misbehave on cue — an HTTP error status (with
 * `Retry-After`), a connection reset, a delay, a truncated download, a signed URL that is already
 * expired, a task that ends in `ERR`, or a POST that creates its task and then fails.
 *
 * Rules are set at start (`faults` option, or {@link parse} of a CLI flag) or changed by tests
 * through the running sandbox's {@link FaultController}.
 *
 * @since 0.1.0
 */
import { ExportKind } from "@booster-export/core"
import { Data } from "effect"
import { Prng } from "./internal/prng.js"

/**
 * The export routes of one kind each: `export-customers` (`POST /customer/{brand}/export`),
 * `export-stock`, `export-movements`, `export-sell-out`, `export-invoices`, `export-orders`.
 *
 * @since 0.1.0
 */
export type ExportRoute = `export-${ExportKind.Name}`

/**
 * The routes faults apply to: `export` (every export route, whatever the kind), one kind's export
 * route ({@link ExportRoute}, e.g. `export-stock`), `task` (`GET /tasks/{id}`), `tasks`
 * (`GET /tasks`), `metadata` (`GET /types/metadata`) and `download` (the storage origin). A request
 * to an export route takes its kind's faults first, then those of `export`.
 *
 * @since 0.1.0
 */
export type Route = "export" | ExportRoute | "task" | "tasks" | "metadata" | "download"

/**
 * The fault route of one kind's export route, e.g. `export-stock`.
 *
 * @since 0.1.0
 */
export const exportRoute = (name: ExportKind.Name): ExportRoute => `export-${name}`

const EXPORT_ROUTES: ReadonlyArray<Route> = ["export", ...ExportKind.names.map(exportRoute)]

/**
 * The route names, in order.
 *
 * @since 0.1.0
 */
export const routes: ReadonlyArray<Route> = [...EXPORT_ROUTES, "task", "tasks", "metadata", "download"]

/**
 * The statuses a `status` fault may answer.
 *
 * @since 0.1.0
 */
export type FaultStatus = 408 | 429 | 500 | 502 | 503 | 504

const STATUSES: ReadonlyArray<number> = [408, 429, 500, 502, 503, 504]

/**
 * One misbehaviour.
 *
 * - `status`: answers that status with a ServiceStack error body; `Retry-After` (seconds) and/or
 *   `retry-after-ms` headers when given.
 * - `reset`: the socket is destroyed before any response.
 * - `delay`: the response is delayed by `ms`, then served normally.
 * - `truncate` (download): `Content-Length` announced, `afterBytes` sent (default half the file),
 *   then the socket is destroyed.
 * - `expire-url` (task, tasks: the next completed task shown carries a signed URL that is already
 *   expired; download: the storage answers 403 as for an expired URL).
 * - `task-error` (export): the task created ends in `ERR`.
 * - `create-then-fail` (export): the task is created, then the request fails as `after` says (a
 *   status, a reset, or `timeout`: no answer ever).
 *
 * Hostile modes, for tests of what a client does with a misbehaving or compromised API or storage:
 *
 * - `download-url` (task, tasks): completed tasks carry `url` as their `signedDownloadUrl` and
 *   `downloadUrl` (e.g. plain `http://`, a private or metadata address, `file:///etc/passwd`).
 * - `echo` (export): answers 400 with a ServiceStack error whose message and field errors repeat the
 *   request's personal values (email, phone number, search key) and carry terminal escape sequences.
 * - `oversize` (export, task, tasks, metadata): answers 200 with a JSON body of `bytes` bytes
 *   (default 40 MiB), streamed from one small buffer without a `Content-Length` (3 GiB costs the
 *   sandbox no memory), until the client hangs up.
 * - `trickle` (download): sends the file one byte every `ms` (default 500).
 *
 * @since 0.1.0
 */
export type Fault =
  | {
      readonly kind: "status"
      readonly status: FaultStatus
      readonly retryAfterSeconds?: number
      readonly retryAfterMs?: number
    }
  | { readonly kind: "reset" }
  | { readonly kind: "delay"; readonly ms: number }
  | { readonly kind: "truncate"; readonly afterBytes?: number }
  | { readonly kind: "expire-url" }
  | { readonly kind: "task-error" }
  | { readonly kind: "create-then-fail"; readonly after: 500 | 502 | 504 | "reset" | "timeout" }
  | { readonly kind: "download-url"; readonly url: string }
  | { readonly kind: "echo" }
  | { readonly kind: "oversize"; readonly bytes?: number }
  | { readonly kind: "trickle"; readonly ms?: number }

/**
 * The `create-then-fail` fault: the export creates its task, then the request fails as `after`
 * says: HTTP 500, 502 or 504, a connection reset, or `timeout` (no answer ever).
 *
 * @since 0.1.0
 */
export const createThenFail = (after: 500 | 502 | 504 | "reset" | "timeout"): Fault => ({
  kind: "create-then-fail",
  after
})

/**
 * A fault on a route, applied to the next `times` requests (default 1; `Infinity` for always),
 * each with `probability` (0..1, default 1).
 *
 * @since 0.1.0
 */
export interface FaultRule {
  readonly route: Route
  readonly fault: Fault
  readonly times?: number
  readonly probability?: number
}

/**
 * Changes the faults of a running sandbox.
 *
 * @since 0.1.0
 */
export interface FaultController {
  /** Adds a rule after the existing ones. Throws {@link FaultSyntaxError} for an invalid rule. */
  add(rule: FaultRule): void
  /** The next `faults.length` requests to `route` get these faults, in order (before any rule). */
  script(route: Route, faults: ReadonlyArray<Fault>): void
  /** Removes every rule and script. */
  clear(): void
}

/**
 * A fault specification that cannot be used; `token` is the part at fault.
 *
 * @since 0.1.0
 */
export class FaultSyntaxError extends Data.TaggedError("FaultSyntaxError")<{
  readonly token: string
  readonly reason: string
}> {
  override get message(): string {
    return `invalid fault "${this.token}": ${this.reason}`
  }
}

const ROUTES_OF: Readonly<Record<Fault["kind"], ReadonlyArray<Route>>> = {
  status: routes,
  reset: routes,
  delay: routes,
  truncate: ["download"],
  "expire-url": ["task", "tasks", "download"],
  "task-error": EXPORT_ROUTES,
  "create-then-fail": EXPORT_ROUTES,
  "download-url": ["task", "tasks"],
  echo: EXPORT_ROUTES,
  oversize: [...EXPORT_ROUTES, "task", "tasks", "metadata"],
  trickle: ["download"]
}

/** How an error message names the routes a fault applies to: every export route as `export[-kind]`. */
const routeList = (list: ReadonlyArray<Route>): string => {
  const others = list.filter((route) => !EXPORT_ROUTES.includes(route))
  return [...(list.includes("export") ? ["export[-kind]"] : []), ...others].join(", ")
}

const describeRule = (rule: FaultRule): string => `${rule.route}:${rule.fault.kind}`

/**
 * Checks a rule; throws {@link FaultSyntaxError} naming it when the fault does not fit the route or
 * a number is out of range.
 *
 * @since 0.1.0
 */
export const check = (rule: FaultRule, token: string = describeRule(rule)): FaultRule => {
  const fail = (reason: string): never => {
    throw new FaultSyntaxError({ token, reason })
  }
  if (!routes.includes(rule.route)) fail(`unknown route; use one of ${routes.join(", ")}`)
  const allowed = ROUTES_OF[rule.fault.kind]
  if (allowed === undefined) fail("unknown fault kind")
  if (!allowed.includes(rule.route)) fail(`${rule.fault.kind} applies only to ${routeList(allowed)}`)
  const fault = rule.fault
  if (fault.kind === "status" && !STATUSES.includes(fault.status)) {
    fail(`status must be one of ${STATUSES.join(", ")}`)
  }
  if (fault.kind === "delay" && !(fault.ms >= 0 && Number.isFinite(fault.ms))) fail("delay must be >= 0 ms")
  if (fault.kind === "truncate" && fault.afterBytes !== undefined && !(fault.afterBytes >= 0)) {
    fail("truncate needs a byte count >= 0")
  }
  if (fault.kind === "create-then-fail" && ![500, 502, 504, "reset", "timeout"].includes(fault.after)) {
    fail("create-then-fail takes 500, 502, 504, reset or timeout")
  }
  if (
    fault.kind === "oversize" &&
    fault.bytes !== undefined &&
    !(Number.isInteger(fault.bytes) && fault.bytes > 0)
  ) {
    fail("oversize takes a byte count > 0")
  }
  if (fault.kind === "trickle" && fault.ms !== undefined && !(fault.ms > 0 && Number.isFinite(fault.ms))) {
    fail("trickle takes an interval > 0 ms")
  }
  if (fault.kind === "download-url" && !(typeof fault.url === "string" && fault.url !== "")) {
    fail("download-url needs a URL")
  }
  const times = rule.times ?? 1
  if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times >= 1))) {
    fail("times must be a whole number >= 1")
  }
  const p = rule.probability ?? 1
  if (!(p >= 0 && p <= 1)) fail("probability must be between 0 and 1")
  return rule
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s)?$/
const millis = (text: string): number | undefined => {
  const match = DURATION.exec(text)
  if (match === null) return undefined
  return match[2] === "s" ? Math.round(Number(match[1]) * 1000) : Number(match[1])
}

const RULE =
  /^(?<route>[a-z][a-z-]*):(?<name>\d{3}|[a-z-]+?)(?:=(?<arg>[^@~]+?))?(?:@(?<retry>\d+(?:\.\d+)?)(?<unit>ms|s)?)?(?:x(?<times>\d+|\*))?(?:~(?<p>\d*(?:\.\d+)?))?$/

/**
 * Parses a comma-separated list of rules, as given to a command-line flag:
 * `route:fault[=arg][@retry][xN|x*][~probability]`, for example
 * `export:503x2,download:truncate,task:429@2s,tasks:delay=500ms~0.5,export:create-then-fail=timeout`.
 * `export` applies to every export route; `export-stock`, `export-sell-out`, … to one kind's.
 *
 * Faults: a status (`408`, `429`, `500`, `502`, `503`, `504`; `@2s` / `@250ms` adds `Retry-After` /
 * `retry-after-ms`), `reset`, `delay=<ms|Ns>`, `truncate[=<bytes>]`, `expire-url`, `task-error`,
 * `create-then-fail[=500|502|504|reset|timeout]`, and the hostile modes `download-url=<url>`,
 * `echo`, `oversize[=<bytes>]`, `trickle[=<ms|Ns>]`. `x3` applies the rule to 3 requests (`x*`: all),
 * `~0.25` to each with probability 0.25. Throws {@link FaultSyntaxError} naming the bad token.
 *
 * @since 0.1.0
 */
export const parse = (text: string): ReadonlyArray<FaultRule> =>
  text
    .split(",")
    .map((token) => token.trim())
    .filter((token) => token !== "")
    .map((token) => {
      const fail = (reason: string): never => {
        throw new FaultSyntaxError({ token, reason })
      }
      const match = RULE.exec(token)
      if (match === null || match.groups === undefined) {
        return fail("expected route:fault[=arg][@retry][xN][~probability], e.g. export:503x2")
      }
      const g = match.groups
      const route = g.route as Route
      if (!routes.includes(route)) fail(`unknown route; use one of ${routes.join(", ")}`)
      const name = g.name!
      const arg = g.arg
      const noArg = () => {
        if (arg !== undefined) fail(`${name} takes no =value`)
      }
      let fault: Fault
      if (/^\d{3}$/.test(name)) {
        noArg()
        const status = Number(name)
        if (!STATUSES.includes(status)) fail(`status must be one of ${STATUSES.join(", ")}`)
        const retry = g.retry === undefined ? undefined : Number(g.retry)
        fault =
          retry === undefined
            ? { kind: "status", status: status as FaultStatus }
            : g.unit === "ms"
              ? { kind: "status", status: status as FaultStatus, retryAfterMs: retry }
              : { kind: "status", status: status as FaultStatus, retryAfterSeconds: retry }
      } else {
        if (g.retry !== undefined) fail("only a status takes @retry-after")
        switch (name) {
          case "reset":
            noArg()
            fault = { kind: "reset" }
            break
          case "delay": {
            const ms = arg === undefined ? undefined : millis(arg)
            fault = { kind: "delay", ms: ms ?? fail("delay needs a duration, e.g. delay=500ms or delay=2s") }
            break
          }
          case "truncate": {
            if (arg === undefined) fault = { kind: "truncate" }
            else {
              const bytes = /^\d+$/.test(arg) ? Number(arg) : fail("truncate takes a byte count")
              fault = { kind: "truncate", afterBytes: bytes }
            }
            break
          }
          case "expire-url":
            noArg()
            fault = { kind: "expire-url" }
            break
          case "task-error":
            noArg()
            fault = { kind: "task-error" }
            break
          case "create-then-fail": {
            const after = arg ?? "500"
            const value =
              after === "reset" || after === "timeout"
                ? after
                : after === "500" || after === "502" || after === "504"
                  ? (Number(after) as 500 | 502 | 504)
                  : fail("create-then-fail takes 500, 502, 504, reset or timeout")
            fault = createThenFail(value)
            break
          }
          case "download-url":
            fault = {
              kind: "download-url",
              url: arg ?? fail("download-url needs a URL, e.g. download-url=http://10.0.0.1/f")
            }
            break
          case "echo":
            noArg()
            fault = { kind: "echo" }
            break
          case "oversize": {
            if (arg === undefined) fault = { kind: "oversize" }
            else {
              const bytes = /^\d+$/.test(arg) ? Number(arg) : fail("oversize takes a byte count")
              fault = { kind: "oversize", bytes }
            }
            break
          }
          case "trickle": {
            const ms = arg === undefined ? undefined : millis(arg)
            if (arg !== undefined && ms === undefined) fail("trickle takes an interval, e.g. trickle=500ms")
            fault = ms === undefined ? { kind: "trickle" } : { kind: "trickle", ms }
            break
          }
          default:
            return fail(
              "unknown fault; use a status, reset, delay, truncate, expire-url, task-error, create-then-fail, download-url, echo, oversize or trickle"
            )
        }
      }
      const times = g.times === undefined ? 1 : g.times === "*" ? Number.POSITIVE_INFINITY : Number(g.times)
      const probability = g.p === undefined ? 1 : Number(g.p)
      return check({ route, fault, times, probability }, token)
    })

/**
 * A fault controller that also hands out the fault of each request.
 *
 * @since 0.1.0
 */
export interface FaultInjector extends FaultController {
  /** The fault for the next request to `route`, if any (consumes it). */
  next(route: Route): Fault | undefined
}

/**
 * A fault injector starting with `rules`; probabilities are drawn from a generator seeded with `seed`
 * so a run can be replayed.
 *
 * @since 0.1.0
 */
export const injector = (rules: ReadonlyArray<FaultRule> = [], seed = 1): FaultInjector => {
  const rng = new Prng(seed ^ 0x5bd1e995)
  let active: Array<{ rule: FaultRule; left: number }> = []
  const scripts = new Map<Route, Array<Fault>>()
  const add = (rule: FaultRule) => {
    check(rule)
    active.push({ rule, left: rule.times ?? 1 })
  }
  for (const rule of rules) add(rule)
  return {
    add,
    script(route, faults) {
      for (const fault of faults) check({ route, fault })
      const queue = scripts.get(route) ?? []
      queue.push(...faults)
      scripts.set(route, queue)
    },
    clear() {
      active = []
      scripts.clear()
    },
    next(route) {
      const queue = scripts.get(route)
      if (queue !== undefined && queue.length > 0) return queue.shift()
      for (const entry of active) {
        if (entry.rule.route !== route || entry.left <= 0) continue
        const p = entry.rule.probability ?? 1
        if (p < 1 && rng.next() >= p) continue
        entry.left -= 1
        if (entry.left <= 0) active = active.filter((other) => other !== entry)
        return entry.rule.fault
      }
      return undefined
    }
  }
}
