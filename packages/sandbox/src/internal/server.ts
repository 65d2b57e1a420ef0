import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { ApiMetadata, ExportKind, Task, Validation } from "@booster-export/core"
import * as Csv from "../Csv.js"
import * as Customers from "../Customers.js"
import * as Faults from "../Faults.js"
import type { RunningSandbox, SandboxOptions } from "../Sandbox.js"
import * as Datasets from "./datasets.js"
import { drained, type FieldError, readBody, sendError, sendJson, sendStorageError } from "./http.js"

export const DEFAULT_KEY = "sandbox-demo-key"
const SYNC_SCAN_LIMIT = 50_000
const SCAN_SLICE = 20_000
const CHUNK_CHARS = 64 * 1024
const BODY_LIMIT = 1024 * 1024
const FAIL_AT = 0.6

interface Key {
  readonly key: string
  readonly brands: ReadonlySet<string> | undefined
  readonly posCodes: ReadonlySet<string> | undefined
}

interface TaskState {
  readonly id: string
  readonly owner: string
  readonly brand: string
  readonly type: string
  readonly createdAt: number
  readonly fails: boolean
  readonly selection: Datasets.Selection
  readonly matches: Uint8Array
  scanned: number
  count: number
  bytes: number
  expireNext: boolean
  url: { readonly expires: number; readonly signature: string } | undefined
}

interface MutableRecord {
  origin: "api" | "storage"
  method: string
  path: string
  status: number
  bodySha256?: string
  headers: Record<string, string>
  carriedCredentials: boolean
  retryCount?: number
  fault?: Faults.Fault["kind"]
}

const WCF_DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/

/** What the sandbox reads of any export request. */
type ExportRequest = ExportKind.ExportRequestBase & {
  readonly posCodes?: ReadonlyArray<string>
} & Readonly<Record<string, unknown>>

/** An import task, listed by `GET /tasks` beside the exports (option `importTasks`). */
interface ImportTask {
  readonly id: string
  readonly owner: string
  readonly brand: string
  readonly createdAt: number
}

/** The export routes, each a kind and its path split into segments (`{brand}` one of them). */
const EXPORT_ROUTES = ExportKind.all.map((kind) => ({
  kind,
  segments: kind.path.split("/").filter((segment) => segment !== "")
}))

/** The export route a path is, with the brand segment, if any. */
const exportRouteOf = (segments: ReadonlyArray<string>) => {
  for (const { kind, segments: template } of EXPORT_ROUTES) {
    if (template.length !== segments.length) continue
    if (template.every((part, i) => part === "{brand}" || part === segments[i])) {
      return { kind, brand: decodeURIComponent(segments[template.indexOf("{brand}")]!) }
    }
  }
  return undefined
}

/** Reads ServiceStack's `/Date(ms)/` form of date fields as `YYYY-MM-DD`, as the real server would. */
const acceptWcfDates = (kind: ExportKind.Any, body: unknown): unknown => {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) }
  const dates = Object.entries(kind.request.fields).filter(([, field]) => field.kind._tag === "Date")
  for (const [name] of dates) {
    const value = out[name]
    if (typeof value !== "string") continue
    const match = WCF_DATE.exec(value.trim())
    if (match !== null) out[name] = new Date(Number(match[1])).toISOString().slice(0, 10)
  }
  return out
}

const REDACTED = "<redacted>"
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key"])

const redactPath = (path: string): string =>
  path.replace(/([?&](?:signature|api_key|apikey|access_token|token)=)[^&]*/gi, `$1${REDACTED}`)

const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex")

export const startServer = async (options: SandboxOptions): Promise<RunningSandbox> => {
  const host = options.host ?? "127.0.0.1"
  const count = (value: number | undefined) => Math.max(0, Math.floor(value ?? 10_000))
  const recordCounts = options.records ?? {}
  const seed = options.seed ?? 1
  const brandList =
    options.brands !== undefined && options.brands.length > 0
      ? options.brands.map((brand) => brand.toUpperCase())
      : Customers.brands
  const context: Datasets.Context = {
    seed,
    brands: brandList,
    counts: {
      customers: count(options.customers),
      stock: count(recordCounts.stock),
      movements: count(recordCounts.movements),
      "sell-out": count(recordCounts["sell-out"]),
      invoices: count(recordCounts.invoices),
      orders: count(recordCounts.orders)
    }
  }
  const durationMs = Math.max(0, options.taskDurationMs ?? 3000)
  const ttlMs = options.signedUrlTtlMs ?? 15 * 60_000
  const clock = options.now ?? Date.now
  const apiKeyHeader = (options.apiKeyHeader ?? "X-Api-Key").toLowerCase()
  const keys: ReadonlyArray<Key> = (options.keys ?? [{ key: DEFAULT_KEY }]).map((k) => ({
    key: k.key,
    brands: k.brands ? new Set(k.brands.map((b) => b.toUpperCase())) : undefined,
    posCodes: k.posCodes ? new Set(k.posCodes.map((p) => p.toUpperCase())) : undefined
  }))
  if (keys.length === 0) throw new Error("the sandbox needs at least one key")
  const secretHeaders = new Set([...SECRET_HEADERS, apiKeyHeader])
  const metadata = options.metadata ?? ApiMetadata.document()
  const faults = Faults.injector(options.faults ?? [], seed)
  const signingKey = randomBytes(32)
  const records: Array<MutableRecord> = []
  const tasks = new Map<string, TaskState>()
  const imports: ReadonlyArray<ImportTask> =
    options.importTasks === true
      ? keys.map((k) => ({
          id: randomUUID().replace(/-/g, ""),
          owner: k.key,
          brand: [...(k.brands ?? brandList)][0] ?? "CAR",
          createdAt: clock()
        }))
      : []
  const timers = new Set<NodeJS.Timeout>()
  const hanging = new Set<ServerResponse>()
  let created = 0
  let closed = false
  let storageUrl = ""

  const later = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })

  const record = (origin: "api" | "storage", req: IncomingMessage): MutableRecord => {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue
      headers[name] = secretHeaders.has(name) ? REDACTED : Array.isArray(value) ? value.join(", ") : value
    }
    const retry = req.headers["x-booster-retry-count"]
    const retryCount = typeof retry === "string" && /^\d+$/.test(retry.trim()) ? Number(retry) : undefined
    const entry: MutableRecord = {
      origin,
      method: req.method ?? "GET",
      path: redactPath(req.url ?? "/"),
      status: 0,
      headers,
      carriedCredentials: req.headers.authorization !== undefined || req.headers[apiKeyHeader] !== undefined,
      ...(retryCount !== undefined ? { retryCount } : {})
    }
    records.push(entry)
    return entry
  }

  const scan = (task: TaskState, until: number) => {
    for (let i = task.scanned; i < until; i++) {
      const line = task.selection.lineAt(i)
      if (line !== undefined) {
        task.matches[i >>> 3]! |= 1 << (i & 7)
        task.count++
        task.bytes += Buffer.byteLength(line)
      }
    }
    task.scanned = until
  }

  const scanInBackground = (task: TaskState) => {
    const step = () => {
      if (closed) return
      scan(task, Math.min(task.selection.total, task.scanned + SCAN_SLICE))
      if (task.scanned < task.selection.total) setImmediate(step)
    }
    setImmediate(step)
  }

  const sign = (id: string, expires: number): string =>
    createHmac("sha256", signingKey).update(`/files/${id}.csv\n${expires}`).digest("hex")

  const signedUrl = (id: string, expires: number, signature: string) =>
    `${storageUrl}/files/${id}.csv?expires=${expires}&signature=${signature}`

  const view = (task: TaskState, now: number, expireUrl: boolean, peek = false): Task.ApiTask => {
    const elapsed = now - task.createdAt
    const timeFraction = durationMs === 0 ? 1 : Math.min(1, elapsed / durationMs)
    const total = task.selection.total
    const scanFraction = total === 0 ? 1 : task.scanned / total
    const fraction = Math.min(timeFraction, scanFraction)
    const base = {
      asyncTaskId: task.id,
      type: task.type,
      requestDate: `/Date(${task.createdAt}-0000)/`,
      brand: task.brand
    }
    if (task.fails && fraction >= FAIL_AT) {
      return { ...base, status: "ERR", percentage: Math.round(FAIL_AT * 100) }
    }
    if (fraction < 1) {
      if (fraction < 0.1) return { ...base, status: "REQ", percentage: 0 }
      return { ...base, status: "INP", percentage: Math.max(1, Math.min(99, Math.floor(fraction * 100))) }
    }
    let expires: number
    let signature: string
    if (expireUrl || (task.expireNext && !peek)) {
      task.expireNext = false
      task.url = undefined
      expires = now - 1000
      signature = sign(task.id, expires)
    } else {
      if (task.url === undefined || now > task.url.expires - ttlMs / 2) {
        const fresh = now + ttlMs
        task.url = { expires: fresh, signature: sign(task.id, fresh) }
      }
      expires = task.url.expires
      signature = task.url.signature
    }
    return {
      ...base,
      status: "COM",
      percentage: 100,
      downloadUrl: `${storageUrl}/files/${task.id}.csv`,
      signedDownloadUrl: signedUrl(task.id, expires, signature),
      ...(options.totals === false
        ? {}
        : { totalResults: task.count, totalSucceeded: task.count, totalFailed: 0 })
    }
  }

  const authenticate = (req: IncomingMessage): Key | "missing" | "invalid" => {
    const auth = req.headers.authorization
    const headerKey = req.headers[apiKeyHeader]
    let presented: string | undefined
    if (typeof auth === "string") {
      const match = /^Bearer\s+(.+)$/i.exec(auth.trim())
      if (match === null) return "invalid"
      presented = match[1]!.trim()
    } else if (typeof headerKey === "string") presented = headerKey.trim()
    if (presented === undefined) return "missing"
    const given = Buffer.from(presented)
    const found = keys.find((k) => {
      const expected = Buffer.from(k.key)
      return expected.length === given.length && timingSafeEqual(expected, given)
    })
    return found ?? "invalid"
  }

  const respond = (res: ServerResponse, entry: MutableRecord, write: () => void) => {
    write()
    entry.status = res.statusCode
  }

  /**
   * Takes the route's next fault and applies the kinds every route shares: a delay (then the request
   * goes on), a reset, or an error status written by `sendStatus`. Returns `"answered"` when the
   * request is settled (answered, dropped, or the server closed meanwhile); otherwise the fault left
   * for the route itself (truncate, expire-url, task-error, create-then-fail), if any.
   */
  const takeFault = async (
    routes: ReadonlyArray<Faults.Route>,
    req: IncomingMessage,
    res: ServerResponse,
    entry: MutableRecord,
    sendStatus: (status: Faults.FaultStatus, headers: Record<string, string>) => void
  ): Promise<Faults.Fault | "answered" | undefined> => {
    const fault = routes.reduce<Faults.Fault | undefined>(
      (found, route) => found ?? faults.next(route),
      undefined
    )
    if (fault === undefined) return undefined
    entry.fault = fault.kind
    switch (fault.kind) {
      case "delay":
        await later(fault.ms)
        return closed ? "answered" : undefined
      case "reset":
        req.socket.destroy()
        return "answered"
      case "status": {
        const headers: Record<string, string> = {}
        if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds)
        if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs)
        respond(res, entry, () => sendStatus(fault.status, headers))
        return "answered"
      }
      default:
        return fault
    }
  }

  /** An import task: completed, with the counts of an import and no file. */
  const importView = (task: ImportTask): Task.ApiTask => ({
    asyncTaskId: task.id,
    type: Datasets.IMPORT_TASK_TYPE,
    requestDate: `/Date(${task.createdAt}-0000)/`,
    status: "COM",
    percentage: 100,
    brand: task.brand,
    totalResults: 120,
    totalSucceeded: 118,
    totalFailed: 2
  })

  /** A completed task pointing at `url` instead of the storage (hostile mode `download-url`). */
  const withUrl = (task: Task.ApiTask, url: string): Task.ApiTask =>
    task.status === "COM" ? { ...task, downloadUrl: url, signedDownloadUrl: url } : task

  /**
   * Hostile mode `echo`: a 400 whose text repeats the request's personal values (as given, upper
   * case and URL-encoded) and carries terminal escape sequences.
   */
  const sendEcho = (res: ServerResponse, request: Record<string, unknown>) => {
    const personal = ["email", "phoneNumber", "searchKey"]
      .map((name) => [name, request[name]] as const)
      .filter((pair): pair is readonly [string, string] => typeof pair[1] === "string")
    const emails = Array.isArray(request.saleRepresentativeEmails) ? request.saleRepresentativeEmails : []
    const [first] = personal
    const shown = first === undefined ? "nobody" : first[1]
    const message =
      `\u001b]0;owned\u0007\u001b[31mNo customer with ${first?.[0] ?? "filter"} '${shown}'\u001b[0m ` +
      `(searched ${encodeURIComponent(shown)}, ${shown.toUpperCase()}${emails.length > 0 ? `, reps ${emails.join(" ")}` : ""})`
    sendError(
      res,
      400,
      "NotFound",
      message,
      personal.map(([fieldName, value]) => ({
        errorCode: "NotFound",
        fieldName,
        message: `'${value}' is not known\u009b2J`
      }))
    )
  }

  /** Hostile mode `oversize`: a 200 JSON body of `bytes` bytes, streamed without a length. */
  const sendOversize = async (res: ServerResponse, entry: MutableRecord, bytes: number) => {
    res.writeHead(200, { "content-type": "application/json" })
    entry.status = 200
    const chunk = Buffer.alloc(64 * 1024, "a")
    res.write('{"junk":"')
    let sent = 10
    while (sent + chunk.length < bytes && !res.destroyed && !closed) {
      if (!res.write(chunk)) await drained(res)
      sent += chunk.length
    }
    res.end('"}')
  }

  const handleExport = async (
    req: IncomingMessage,
    res: ServerResponse,
    entry: MutableRecord,
    key: Key,
    kind: ExportKind.Any,
    routeBrand: string,
    body: Buffer,
    fault: Faults.Fault | undefined
  ) => {
    let raw: unknown
    try {
      raw = JSON.parse(body.toString("utf8"))
    } catch {
      return respond(res, entry, () =>
        sendError(res, 400, "SerializationException", "The request body is not valid JSON.")
      )
    }
    const validated = Validation.validate<ExportRequest>(kind.request, acceptWcfDates(kind, raw))
    if (validated._tag === "Left") {
      const error = validated.left
      const errors: Array<FieldError> = error.issues.map((issue) => ({
        errorCode: issue.rule,
        fieldName: issue.path,
        message: issue.message
      }))
      return respond(res, entry, () => sendError(res, 400, "ValidationException", error.message, errors))
    }
    const request = validated.right
    if (fault?.kind === "echo") return respond(res, entry, () => sendEcho(res, request))
    if (request.brand.toUpperCase() !== routeBrand.toUpperCase()) {
      return respond(res, entry, () =>
        sendError(res, 400, "ValidationException", "brand must match the {brand} segment of the route.", [
          {
            errorCode: "brand-mismatch",
            fieldName: "brand",
            message: "must match the {brand} segment of the route"
          }
        ])
      )
    }
    const brand = request.brand.toUpperCase()
    if (key.brands !== undefined && !key.brands.has(brand)) {
      return respond(res, entry, () =>
        sendError(res, 403, "Forbidden", "This API key may not export this brand.", [
          { errorCode: "forbidden-brand", fieldName: "brand", message: "is not allowed for this API key" }
        ])
      )
    }
    if (key.posCodes !== undefined && request.posCodes !== undefined) {
      const allowed = key.posCodes
      const refused = request.posCodes.flatMap((pos, index) =>
        allowed.has(pos.toUpperCase())
          ? []
          : [
              {
                errorCode: "forbidden-pos",
                fieldName: `posCodes[${index}]`,
                message: "is not allowed for this API key"
              }
            ]
      )
      if (refused.length > 0) {
        return respond(res, entry, () =>
          sendError(res, 403, "Forbidden", "This API key may not export some of these POS codes.", refused)
        )
      }
    }
    const selection = Datasets.select(kind, request, context, key.posCodes)
    const task: TaskState = {
      id: randomUUID().replace(/-/g, ""),
      owner: key.key,
      brand,
      type: Datasets.TASK_TYPES[kind.name as ExportKind.Name],
      createdAt: clock(),
      fails: fault?.kind === "task-error",
      selection,
      matches: new Uint8Array(Math.ceil(selection.total / 8)),
      scanned: 0,
      count: 0,
      bytes: Buffer.byteLength(selection.header),
      expireNext: false,
      url: undefined
    }
    tasks.set(task.id, task)
    created++
    if (selection.total <= SYNC_SCAN_LIMIT) scan(task, selection.total)
    else scanInBackground(task)
    if (fault?.kind === "create-then-fail") {
      if (fault.after === "reset") {
        req.socket.destroy()
        return
      }
      if (fault.after === "timeout") {
        hanging.add(res)
        res.on("close", () => hanging.delete(res))
        return
      }
      const status = fault.after
      return respond(res, entry, () =>
        sendError(res, status, status === 504 ? "GatewayTimeout" : "InternalServerError", "Upstream failure.")
      )
    }
    respond(res, entry, () => sendJson(res, 200, { asyncTaskId: task.id }))
  }

  /**
   * `POST /oauth/token`, OAuth2 client credentials (form body, or the client in HTTP basic): any
   * client id, and a key the sandbox accepts as the client secret; the token issued is that key, so
   * it works as a bearer token.
   */
  const issueToken = (
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    body: Buffer | undefined
  ) => {
    if (method !== "POST") return sendJson(res, 405, { error: "invalid_request" }, { allow: "POST" })
    const form = new URLSearchParams(body?.toString("utf8") ?? "")
    if (form.get("grant_type") !== "client_credentials") {
      return sendJson(res, 400, { error: "unsupported_grant_type" })
    }
    let secret = form.get("client_secret") ?? undefined
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization?.trim() ?? "")
    if (secret === undefined && basic !== null) {
      const decoded = Buffer.from(basic[1]!, "base64").toString("utf8")
      secret = decoded.includes(":") ? decodeURIComponent(decoded.slice(decoded.indexOf(":") + 1)) : undefined
    }
    const given = Buffer.from(secret ?? "")
    const found = keys.find((k) => {
      const expected = Buffer.from(k.key)
      return expected.length === given.length && timingSafeEqual(expected, given)
    })
    if (found === undefined) return sendJson(res, 401, { error: "invalid_client" })
    sendJson(res, 200, { access_token: found.key, token_type: "Bearer", expires_in: 3600 })
  }

  const handleApi = async (req: IncomingMessage, res: ServerResponse) => {
    const entry = record("api", req)
    if (options.clockSkewMs) res.setHeader("date", new Date(Date.now() + options.clockSkewMs).toUTCString())
    const body = await readBody(req, BODY_LIMIT)
    if (body !== undefined && body.length > 0) entry.bodySha256 = sha256(body)
    const url = new URL(req.url ?? "/", "http://sandbox")
    const segments = url.pathname.split("/").filter((s) => s !== "")
    const method = req.method ?? "GET"
    if (segments.length === 2 && segments[0] === "oauth" && segments[1] === "token") {
      return respond(res, entry, () => issueToken(req, res, method, body))
    }
    if (segments.length === 2 && segments[0] === "types" && segments[1] === "metadata") {
      if (method !== "GET") {
        return respond(res, entry, () =>
          sendError(res, 405, "MethodNotAllowed", "Use GET on this route.", [], { allow: "GET" })
        )
      }
      const fault = await takeFault(["metadata"], req, res, entry, (status, headers) =>
        sendError(res, status, STATUS_CODES[status], STATUS_MESSAGES[status], [], headers)
      )
      if (fault === "answered") return
      if (fault?.kind === "oversize") return sendOversize(res, entry, fault.bytes ?? 40 * 1024 * 1024)
      return respond(res, entry, () => sendJson(res, 200, metadata))
    }
    let route: "export" | "task" | "tasks" | undefined
    let allowed = ""
    const exportRoute = exportRouteOf(segments)
    if (exportRoute !== undefined) {
      allowed = "POST"
      if (method === "POST") route = "export"
    } else if (segments.length === 1 && segments[0] === "tasks") {
      allowed = "GET"
      if (method === "GET") route = "tasks"
    } else if (segments.length === 2 && segments[0] === "tasks") {
      allowed = "GET"
      if (method === "GET") route = "task"
    }
    if (route === undefined) {
      if (allowed !== "") {
        return respond(res, entry, () =>
          sendError(res, 405, "MethodNotAllowed", `Use ${allowed} on this route.`, [], { allow: allowed })
        )
      }
      return respond(res, entry, () => sendError(res, 404, "NotFound", "No such route."))
    }
    if (body === undefined) {
      return respond(res, entry, () =>
        sendError(res, 413, "RequestTooLarge", "The request body is too large.")
      )
    }
    const faultRoutes: ReadonlyArray<Faults.Route> =
      exportRoute !== undefined
        ? [Faults.exportRoute(exportRoute.kind.name as ExportKind.Name), "export"]
        : [route]
    const fault = await takeFault(faultRoutes, req, res, entry, (status, headers) =>
      sendError(res, status, STATUS_CODES[status], STATUS_MESSAGES[status], [], headers)
    )
    if (fault === "answered") return
    if (fault?.kind === "oversize") return sendOversize(res, entry, fault.bytes ?? 40 * 1024 * 1024)
    const key = authenticate(req)
    if (key === "missing" || key === "invalid") {
      return respond(res, entry, () =>
        sendError(
          res,
          401,
          "Unauthorized",
          key === "missing"
            ? `Authentication required: send Authorization: Bearer <key> or ${options.apiKeyHeader ?? "X-Api-Key"}.`
            : "The API key is not valid."
        )
      )
    }
    res.setHeader("x-request-id", randomUUID())
    if (route === "export" && exportRoute !== undefined) {
      return handleExport(req, res, entry, key, exportRoute.kind, exportRoute.brand, body, fault)
    }
    const now = clock()
    if (route === "tasks") {
      const list = [
        ...imports.filter((task) => task.owner === key.key).map(importView),
        ...[...tasks.values()]
          .filter((task) => task.owner === key.key)
          .map((task) => view(task, now, fault?.kind === "expire-url"))
          .map((task) => (fault?.kind === "download-url" ? withUrl(task, fault.url) : task))
      ]
      return respond(res, entry, () => sendJson(res, 200, list))
    }
    const id = decodeURIComponent(segments[1]!)
    const imported = imports.find((task) => Task.isGuid(id) && task.id === Task.canonicalGuid(id))
    if (imported !== undefined && imported.owner === key.key) {
      return respond(res, entry, () => sendJson(res, 200, importView(imported)))
    }
    const task = Task.isGuid(id) ? tasks.get(Task.canonicalGuid(id)) : undefined
    if (task === undefined || task.owner !== key.key) {
      return respond(res, entry, () => sendError(res, 404, "NotFound", "No such task."))
    }
    if (fault?.kind === "expire-url") task.expireNext = true
    const viewed = view(task, now, false)
    const shown = fault?.kind === "download-url" ? withUrl(viewed, fault.url) : viewed
    return respond(res, entry, () => sendJson(res, 200, shown))
  }

  const stream = async (res: ServerResponse, task: TaskState, limit: number) => {
    let sent = 0
    const push = async (text: string): Promise<boolean> => {
      if (res.destroyed) return false
      if (sent + Buffer.byteLength(text) > limit) {
        const bytes = Buffer.from(text).subarray(0, limit - sent)
        await new Promise<void>((resolve) => res.write(bytes, () => resolve()))
        sent = limit
        return false
      }
      sent += Buffer.byteLength(text)
      if (!res.write(text)) await drained(res)
      return !res.destroyed
    }
    let chunk = task.selection.header
    const { matches } = task
    const descending = task.selection.descending
    for (let n = 0; n < matches.length; n++) {
      const byte = descending ? matches.length - 1 - n : n
      const bits = matches[byte]!
      if (bits === 0) continue
      for (let m = 0; m < 8; m++) {
        const bit = descending ? 7 - m : m
        if ((bits & (1 << bit)) === 0) continue
        chunk += task.selection.lineAt(byte * 8 + bit)!
        if (chunk.length >= CHUNK_CHARS) {
          if (!(await push(chunk))) return sent
          chunk = ""
        }
        if (closed) return sent
      }
    }
    if (chunk !== "") await push(chunk)
    return sent
  }

  /** Sends the file's first bytes one at a time, `ms` apart, until the client gives up. */
  const trickle = async (res: ServerResponse, task: TaskState, ms: number) => {
    const text = Buffer.from(task.selection.header.padEnd(task.bytes, " "))
    for (let i = 0; i < task.bytes && !res.destroyed && !closed; i++) {
      res.write(text.subarray(i, i + 1))
      await later(ms)
    }
    res.end()
  }

  const handleStorage = async (req: IncomingMessage, res: ServerResponse) => {
    const entry = record("storage", req)
    await readBody(req, BODY_LIMIT)
    const url = new URL(req.url ?? "/", "http://storage")
    const method = req.method ?? "GET"
    const match = /^\/files\/([0-9a-f]{32})\.csv$/.exec(url.pathname)
    if (match === null)
      return respond(res, entry, () => sendStorageError(res, 404, "NoSuchKey", "No such key."))
    if (method !== "GET" && method !== "HEAD") {
      return respond(res, entry, () =>
        sendStorageError(res, 405, "MethodNotAllowed", "The method is not allowed on this resource.")
      )
    }
    const fault = await takeFault(["download"], req, res, entry, (status, headers) => {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
      sendStorageError(res, status, STATUS_CODES[status], STATUS_MESSAGES[status])
    })
    if (fault === "answered") return
    if (req.headers.authorization !== undefined) {
      return respond(res, entry, () =>
        sendStorageError(
          res,
          400,
          "InvalidArgument",
          "Only one auth mechanism allowed; the signed URL must be fetched without an Authorization header."
        )
      )
    }
    const id = match[1]!
    const expiresText = url.searchParams.get("expires")
    const signature = url.searchParams.get("signature")
    if (expiresText === null || signature === null || !/^\d+$/.test(expiresText)) {
      return respond(res, entry, () =>
        sendStorageError(
          res,
          403,
          "AccessDenied",
          "Query-string authentication requires expires and signature."
        )
      )
    }
    const expected = Buffer.from(sign(id, Number(expiresText)), "hex")
    const given = Buffer.from(signature, "hex")
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return respond(res, entry, () =>
        sendStorageError(res, 403, "SignatureDoesNotMatch", "The request signature does not match.")
      )
    }
    if (fault?.kind === "expire-url" || Number(expiresText) <= clock()) {
      return respond(res, entry, () => sendStorageError(res, 403, "AccessDenied", "Request has expired."))
    }
    const task = tasks.get(id)
    if (task === undefined || task.scanned < task.selection.total || task.fails) {
      return respond(res, entry, () => sendStorageError(res, 404, "NoSuchKey", "No such key."))
    }
    res.writeHead(200, {
      "content-type": Csv.contentType,
      "content-length": String(task.bytes),
      "content-disposition": `attachment; filename="${task.id}.csv"`,
      etag: `"${task.id}-${task.bytes}"`
    })
    entry.status = 200
    if (method === "HEAD") {
      res.end()
      return
    }
    if (fault?.kind === "trickle") {
      await trickle(res, task, fault.ms ?? 500)
      return
    }
    if (fault?.kind === "truncate") {
      const limit = Math.min(task.bytes - 1, fault.afterBytes ?? Math.floor(task.bytes / 2))
      await stream(res, task, Math.max(0, limit))
      res.destroy()
      return
    }
    await stream(res, task, Number.POSITIVE_INFINITY)
    res.end()
  }

  const serve =
    (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      handler(req, res).catch(() => {
        if (!res.headersSent) sendError(res, 500, "InternalServerError", "The sandbox failed.")
        else res.destroy()
      })
    }

  const api = createServer(serve(handleApi))
  const storage = createServer(serve(handleStorage))
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject)
      server.listen(port, host, () => {
        server.off("error", reject)
        resolve((server.address() as AddressInfo).port)
      })
    })
  const urlHost = host.includes(":") ? `[${host}]` : host
  const apiPort = await listen(api, options.port ?? 0)
  let storagePort: number
  try {
    storagePort = await listen(storage, options.storagePort ?? 0)
  } catch (error) {
    api.close()
    throw error
  }
  storageUrl = `http://${urlHost}:${storagePort}`

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      for (const res of hanging) res.destroy()
      const stop = (server: Server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
      await Promise.all([stop(api), stop(storage)])
    })()
    return closing
  }

  return {
    baseUrl: `http://${urlHost}:${apiPort}`,
    storageUrl,
    tokenUrl: `http://${urlHost}:${apiPort}/oauth/token`,
    apiKey: keys[0]!.key,
    faults,
    requests: () => records.map((entry) => Object.freeze({ ...entry, headers: { ...entry.headers } })),
    tasksCreated: () => created,
    tasks: () => {
      const now = clock()
      return [...imports.map(importView), ...[...tasks.values()].map((task) => view(task, now, false, true))]
    },
    close
  }
}

const STATUS_CODES: Readonly<Record<Faults.FaultStatus, string>> = {
  408: "RequestTimeout",
  429: "TooManyRequests",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout"
}

const STATUS_MESSAGES: Readonly<Record<Faults.FaultStatus, string>> = {
  408: "The request timed out.",
  429: "Too many requests; retry later.",
  500: "An internal error occurred.",
  502: "Bad gateway.",
  503: "The service is unavailable; retry later.",
  504: "Gateway timeout."
}
