/**
 * The checks behind `booster doctor`: configuration, credentials, base URL and TLS, the API reached
 * with the credentials accepted, clock skew against the server's `Date` header, the local folders
 * and files with their modes, the fingerprint key; and with `--contract`, the API's ServiceStack
 * metadata compared with core's model. Loaded only by `doctor` (it brings transport with it).
 */
import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { ApiMetadata, ExportKind } from "@booster-export/core"
import { Auth, BoosterClient, BoosterConfig, FingerprintKey, StateDirectory } from "@booster-export/transport"
import * as Redact from "@booster-export/transport/Redact"
import * as Scrub from "@booster-export/transport/Scrub"
import * as UrlPolicy from "@booster-export/transport/UrlPolicy"
import * as HttpClient from "@effect/platform/HttpClient"
import { Context, Duration, Effect, Either, Layer } from "effect"
import { authOf, optionsOf } from "../client/options.js"
import * as Paths from "../config/paths.js"
import type { SettingFlags, Settings } from "../config/profiles.js"
import * as Profiles from "../config/profiles.js"

/** The outcome of one check. */
export type Status = "pass" | "fail" | "skip"

/** One line of the checklist. `name` is stable (scripts key on it); `summary` and `hint` are prose. */
export interface Check {
  readonly name: string
  readonly status: Status
  readonly summary: string
  readonly hint?: string
}

/** What `booster doctor` found. */
export interface Report {
  readonly ok: boolean
  readonly checks: ReadonlyArray<Check>
  /** With `--contract`: the differences between the API's metadata and core's model. */
  readonly contract?: ApiMetadata.Comparison
  /** True when the API refused the credentials (exit 3). */
  readonly authRefused: boolean
}

/** Largest clock difference with the server that passes, in seconds. */
export const MAX_SKEW_SECONDS = 60

/** Mode bits of a file or folder kept by the toolkit that must be clear: group and others. */
const PRIVATE_BITS = 0o077

const pass = (name: string, summary: string): Check => ({ name, status: "pass", summary })
const fail = (name: string, summary: string, hint: string): Check => ({ name, status: "fail", summary, hint })
const skip = (name: string, summary: string): Check => ({ name, status: "skip", summary })

const modeOf = (path: string): number | undefined => {
  try {
    return statSync(path).mode
  } catch {
    return undefined
  }
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`

const sourceOf = (source: Profiles.Source, variable: string) =>
  source === "flag"
    ? "the flag"
    : source === "env"
      ? variable
      : source === "profile"
        ? "the profile"
        : "the default"

const messageOf = (error: unknown): string =>
  Scrub.text(
    typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error)
  )

const hintOf = (error: unknown, fallback: string): string =>
  typeof error === "object" && error !== null && "hint" in error && typeof error.hint === "string"
    ? Scrub.text(error.hint)
    : fallback

const checkConfig = (settings: Settings): Check =>
  pass(
    "config",
    settings.profile !== undefined
      ? `profile ${settings.profile}${process.env.BOOSTER_PROFILE?.trim() ? " (from BOOSTER_PROFILE)" : ""}, profiles file ${Paths.profilesFile()}`
      : `no profile; settings from flags and the environment (profiles file ${Paths.profilesFile()})`
  )

const checkCredentials = (settings: Settings): { check: Check; auth: Auth.Auth | undefined } => {
  const auth = authOf(settings)
  if (Either.isLeft(auth)) {
    return {
      check: fail(
        "credentials",
        messageOf(auth.left),
        hintOf(auth.left, "Keep the credentials of one kind.")
      ),
      auth: undefined
    }
  }
  if (auth.right._tag === "None") {
    return {
      check: fail(
        "credentials",
        "No credentials are configured",
        "Set BOOSTER_API_KEY or BOOSTER_API_KEY_FILE, name a key file with --api-key-file or the profile's apiKeyFile, or set BOOSTER_BASIC_* or BOOSTER_OAUTH2_* variables."
      ),
      auth: undefined
    }
  }
  const kind = Auth.describe(auth.right)
  const path = settings.key?.path
  if (path !== undefined && settings.key?.origin !== undefined && auth.right._tag !== "Basic") {
    const mode = modeOf(path)
    if (mode === undefined) {
      return {
        check: fail(
          "credentials",
          `The key file ${path} cannot be read any more`,
          "Check that it exists and is readable."
        ),
        auth: auth.right
      }
    }
    if ((mode & PRIVATE_BITS) !== 0) {
      return {
        check: fail(
          "credentials",
          `The key file ${path} can be read by other users (mode ${octal(mode)})`,
          `Run \`chmod 600 ${path}\`.`
        ),
        auth: auth.right
      }
    }
    return {
      check: pass("credentials", `${kind}, from the file ${path} (mode ${octal(mode)})`),
      auth: auth.right
    }
  }
  const from = settings.key?.source === "env" ? "from BOOSTER_API_KEY" : "from the environment"
  return { check: pass("credentials", `${kind}, ${from}`), auth: auth.right }
}

const checkBaseUrl = (
  settings: Settings,
  auth: Auth.Auth
): { check: Check; options: BoosterConfig.Options | undefined } => {
  if (settings.baseUrl === undefined) {
    return {
      check: fail(
        "base-url",
        "No API base URL is configured",
        "Set BOOSTER_BASE_URL, pass --base-url, or save one with `booster config set --base-url URL`."
      ),
      options: undefined
    }
  }
  const options: BoosterConfig.Options = {
    ...optionsOf(settings, auth),
    timeoutMs: 10_000,
    retry: { maxRetries: 1, initialDelayMs: 200, maxDelayMs: 500 }
  }
  const resolved = BoosterConfig.resolve(options)
  if (Either.isLeft(resolved)) {
    return {
      check: fail("base-url", messageOf(resolved.left), hintOf(resolved.left, "Fix the base URL.")),
      options: undefined
    }
  }
  const url = resolved.right.baseUrl
  const transport =
    url.protocol === "https:"
      ? "TLS; the certificate is verified when the API is reached"
      : UrlPolicy.isLoopback(url.hostname)
        ? "plain HTTP on this machine (loopback)"
        : "plain HTTP, allowed by the profile's allowInsecureHttp"
  return {
    check: pass(
      "base-url",
      `${Redact.url(url)} (from ${sourceOf(settings.baseUrlSource, "BOOSTER_BASE_URL")}), ${transport}`
    ),
    options
  }
}

/** A client whose every answer's `Date` header is noted, with the local time it arrived. */
const clientNotingDates = (options: BoosterConfig.Options, seen: Array<{ date: string; at: number }>) => {
  const noting = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.tap(client, (response) =>
        Effect.sync(() => {
          const date = response.headers.date
          if (typeof date === "string") seen.push({ date, at: Date.now() })
        })
      )
    )
  ).pipe(Layer.provide(BoosterClient.httpLayer))
  return Effect.map(Layer.build(BoosterClient.layerWith(options).pipe(Layer.provide(noting))), (ctx) =>
    Context.get(ctx, BoosterClient.BoosterClient)
  )
}

const checkApi = (options: BoosterConfig.Options) =>
  Effect.gen(function* () {
    const seen: Array<{ date: string; at: number }> = []
    const started = Date.now()
    const outcome = yield* clientNotingDates(options, seen).pipe(
      Effect.flatMap((client) => client.listTasks()),
      Effect.either,
      Effect.scoped
    )
    const ms = Date.now() - started
    let api: Check
    let authRefused = false
    if (Either.isRight(outcome)) {
      const count = outcome.right.length
      api = pass(
        "api",
        `GET /tasks answered in ${ms} ms; credentials accepted (${count} task${count === 1 ? "" : "s"} visible)`
      )
    } else {
      const error = outcome.left
      authRefused = error._tag === "AuthenticationError" || error._tag === "PermissionError"
      api = fail(
        "api",
        authRefused
          ? `The API refused the credentials: ${messageOf(error)}`
          : `The API was not reached: ${messageOf(error)}`,
        authRefused
          ? "Check the key (or client id and secret), the header it is sent in (BOOSTER_API_KEY_HEADER), and that it is allowed to list tasks."
          : hintOf(error, "Check the base URL, the network and any proxy, and that the API is up.")
      )
    }
    const last = seen.at(-1)
    let clock: Check
    const serverTime = last !== undefined ? Date.parse(last.date) : Number.NaN
    if (last === undefined || Number.isNaN(serverTime)) {
      clock = skip("clock", "The API sent no usable Date header; clock skew not measured")
    } else {
      // the header has whole seconds: the server's time lies in [date, date + 1 s)
      const skewSeconds = Math.round((serverTime + 500 - last.at) / 1000)
      const magnitude = Math.abs(skewSeconds)
      const words = `${Duration.format(Duration.seconds(magnitude))} ${skewSeconds > 0 ? "behind" : "ahead of"} the API's`
      clock =
        magnitude > MAX_SKEW_SECONDS
          ? fail(
              "clock",
              `This machine's clock is ${words} (more than ${MAX_SKEW_SECONDS} s)`,
              "Synchronise the clock (NTP): signed download URLs and OAuth2 tokens expire, and a skewed clock makes them look expired or valid when they are not."
            )
          : pass(
              "clock",
              magnitude === 0
                ? "In step with the API's clock (within 1 s)"
                : `Within ${magnitude} s of the API's clock`
            )
    }
    return { api, clock, authRefused }
  })

/** The first existing folder at or above `path`. */
const existingAncestor = (path: string): string => {
  let current = path
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current)
  return current
}

const writable = (path: string): boolean => {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}

const checkJournal = (): Check => {
  const dir = StateDirectory.resolve()
  if (!existsSync(dir)) {
    const parent = existingAncestor(dir)
    return writable(parent)
      ? pass("journal", `${dir} does not exist yet; it is created with mode 0700 on first use`)
      : fail(
          "journal",
          `${dir} cannot be created: ${parent} is not writable`,
          "Set XDG_STATE_HOME to a folder you own."
        )
  }
  const stat = statSync(dir)
  if (!stat.isDirectory())
    return fail("journal", `${dir} is not a folder`, "Move it away; the journal needs a folder there.")
  if (!writable(dir))
    return fail("journal", `${dir} is not writable`, `Check its owner and permissions (\`ls -ld ${dir}\`).`)
  if ((stat.mode & PRIVATE_BITS) !== 0) {
    return fail(
      "journal",
      `${dir} is open to other users (mode ${octal(stat.mode)})`,
      `Run \`chmod 700 ${dir}\`.`
    )
  }
  const open = readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => {
      const mode = modeOf(path)
      return mode !== undefined && (mode & 0o170000) === 0o100000 && (mode & PRIVATE_BITS) !== 0
    })
  if (open.length > 0) {
    return fail(
      "journal",
      `${open.length === 1 ? "A file" : `${open.length} files`} in ${dir} can be read by other users: ${open.join(", ")}`,
      `Run \`chmod 600 ${open.join(" ")}\`.`
    )
  }
  return pass("journal", `${dir} (mode ${octal(stat.mode)}), writable; its files are the owner's alone`)
}

const checkExportDir = (dir: string, source: Profiles.Source): Check => {
  if (!existsSync(dir)) {
    return fail(
      "export-dir",
      `The export folder ${dir} does not exist`,
      `Create it with \`mkdir -m 700 ${dir}\`, or set BOOSTER_EXPORT_DIR.`
    )
  }
  const stat = statSync(dir)
  if (!stat.isDirectory())
    return fail(
      "export-dir",
      `The export folder ${dir} is not a folder`,
      "Set BOOSTER_EXPORT_DIR to a folder."
    )
  if (!writable(dir))
    return fail(
      "export-dir",
      `The export folder ${dir} is not writable`,
      "Set BOOSTER_EXPORT_DIR to a folder you can write to."
    )
  if ((stat.mode & 0o022) !== 0) {
    return fail(
      "export-dir",
      `The export folder ${dir} can be written by other users (mode ${octal(stat.mode)})`,
      `Run \`chmod 700 ${dir}\`, or choose a private folder: another user could replace or read exported files there.`
    )
  }
  return pass(
    "export-dir",
    `${dir} (from ${sourceOf(source, "BOOSTER_EXPORT_DIR")}, mode ${octal(stat.mode)}), writable; files are written with mode 0600`
  )
}

const checkFingerprintKey = (): Effect.Effect<Check> =>
  Effect.gen(function* () {
    const variable = process.env[FingerprintKey.ENV_VAR]?.trim()
    const path = variable || join(StateDirectory.resolve(), FingerprintKey.FILE)
    if (!existsSync(path)) {
      return variable
        ? fail(
            "fingerprint-key",
            `The key file named by ${FingerprintKey.ENV_VAR} (${path}) does not exist`,
            `Point ${FingerprintKey.ENV_VAR} at the team's shared key file, or unset it to use a key of this install.`
          )
        : pass("fingerprint-key", `${path} does not exist yet; it is created with mode 0600 on first use`)
    }
    // the rules the programs apply when they load it: a regular file, owner-only, long enough
    const loaded = yield* Effect.either(FingerprintKey.fromFile(path))
    if (Either.isLeft(loaded)) {
      const message = messageOf(loaded.left).replace(
        `${FingerprintKey.ENV_VAR}: `,
        variable ? `${FingerprintKey.ENV_VAR}: ` : ""
      )
      return fail("fingerprint-key", message, hintOf(loaded.left, `Run \`chmod 600 ${path}\`.`))
    }
    return pass(
      "fingerprint-key",
      `${path}${variable ? ` (from ${FingerprintKey.ENV_VAR})` : ""}, mode ${octal(modeOf(path) ?? 0o600)}`
    )
  })

/**
 * The API's metadata, read by transport's client: the same response cap (32 MiB), deadline and
 * retries as every API answer, and type names nested no deeper than `ApiMetadata.MAX_TYPE_DEPTH`.
 */
const fetchMetadata = (options: BoosterConfig.Options) =>
  Layer.build(BoosterClient.layer(options)).pipe(
    Effect.flatMap((context) => Context.get(context, BoosterClient.BoosterClient).apiMetadata()),
    Effect.either,
    Effect.scoped
  )

const checkContract = (options: BoosterConfig.Options) =>
  Effect.gen(function* () {
    const fetched = yield* fetchMetadata(options)
    if (Either.isLeft(fetched)) {
      const error = fetched.left
      return {
        check:
          error._tag === "NotFoundError" ||
          error._tag === "AuthenticationError" ||
          error._tag === "PermissionError"
            ? fail(
                "contract",
                `The API answered ${error.status ?? "a refusal"} to GET ${ApiMetadata.PATH}`,
                "The service may not publish ServiceStack's metadata (MetadataFeature), or a gateway hides it."
              )
            : fail(
                "contract",
                `The API's metadata (${ApiMetadata.PATH}) could not be read: ${messageOf(error)}`,
                hintOf(error, "Check the base URL and the network.")
              ),
        contract: undefined
      }
    }
    const contract = ApiMetadata.compare(fetched.right)
    const n = contract.differences.length
    const operations = ExportKind.all.map((kind) => kind.operation)
    // a difference names its operation (or the operation's response) first: `ExportStock.posCodes`
    const differing = operations.filter((operation) =>
      contract.differences.some((difference) => {
        const owner = difference.field.split(/[.[]/)[0]
        return owner === operation || owner === `${operation}Response`
      })
    )
    return {
      check:
        n === 0
          ? pass(
              "contract",
              `The API's ${operations.length} exports (${operations.join(", ")}), GetTask and GetTaskDetail match this version's model`
            )
          : fail(
              "contract",
              `${n} difference${n === 1 ? "" : "s"} between the API's metadata and this version's model${differing.length > 0 ? ` (${differing.join(", ")})` : ""}`,
              "The API changed: exports of the operations named may be refused or misread. Update booster, or report the differences listed."
            ),
      contract
    }
  })

/** Runs the checklist (or, with `contract`, the contract check) and answers the report. */
export const run = (flags: SettingFlags, contract: boolean): Effect.Effect<Report> =>
  Effect.gen(function* () {
    const checks: Array<Check> = []
    let authRefused = false
    let report: ApiMetadata.Comparison | undefined
    // a key file open to others is read, to be reported by the credentials check with its chmod
    const settings = yield* Effect.either(
      Profiles.resolveSettings(flags, process.env, { allowOpenKeyFile: true })
    )
    if (Either.isLeft(settings)) {
      checks.push(fail("config", messageOf(settings.left), hintOf(settings.left, "Fix the configuration.")))
    } else {
      checks.push(checkConfig(settings.right))
    }
    const resolved = Either.getOrUndefined(settings)
    if (contract) {
      if (resolved === undefined) checks.push(skip("base-url", "Needs a valid configuration"))
      else {
        const { check, options } = checkBaseUrl(resolved, Auth.none)
        checks.push(check)
        if (options === undefined) checks.push(skip("contract", "Needs a valid base URL"))
        else {
          const outcome = yield* checkContract(options)
          checks.push(outcome.check)
          report = outcome.contract
        }
      }
    } else {
      let options: BoosterConfig.Options | undefined
      if (resolved === undefined) {
        checks.push(
          skip("credentials", "Needs a valid configuration"),
          skip("base-url", "Needs a valid configuration")
        )
      } else {
        const credentials = checkCredentials(resolved)
        checks.push(credentials.check)
        const base = checkBaseUrl(resolved, credentials.auth ?? Auth.none)
        checks.push(base.check)
        if (credentials.check.status === "pass" || credentials.auth !== undefined) options = base.options
      }
      if (options === undefined) {
        checks.push(skip("api", "Needs credentials and a base URL"), skip("clock", "Needs the API"))
      } else {
        const outcome = yield* checkApi(options)
        checks.push(outcome.api, outcome.clock)
        authRefused = outcome.authRefused
      }
      checks.push(checkJournal())
      checks.push(
        resolved !== undefined
          ? checkExportDir(resolved.exportDir, resolved.exportDirSource)
          : skip("export-dir", "Needs a valid configuration")
      )
      checks.push(yield* checkFingerprintKey())
      if (resolved !== undefined) {
        const Destinations = yield* Effect.promise(() => import("./destinations.js"))
        checks.push(...(yield* Destinations.checkDestinations(resolved)))
      }
    }
    return {
      ok: checks.every((check) => check.status !== "fail"),
      checks,
      ...(report !== undefined ? { contract: report } : {}),
      authRefused
    }
  })
