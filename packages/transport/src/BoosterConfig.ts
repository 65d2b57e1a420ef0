/**
 * The client's configuration: plain options (every field documented with its default, environment
 * variable and unit), a reader of the environment, and an Effect `Config` for `layerConfig`.
 *
 * @since 0.1.0
 */
import type { Fingerprint } from "@booster-export/core"
import { Config, ConfigError, Either, Option, Redacted } from "effect"
import * as Auth from "./Auth.js"
import { InvalidConfigError } from "./BoosterError.js"
import * as UrlPolicy from "./UrlPolicy.js"

/**
 * Log level of the client's own diagnostics (`BOOSTER_LOG`). At `debug`, every HTTP attempt is
 * logged: method, URL (query secrets redacted), status, attempt and duration — never headers,
 * bodies, secrets or personal data.
 *
 * @since 0.1.0
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "none"

/**
 * Retry policy of requests that can be retried (see the README's table for the export POST).
 *
 * @since 0.1.0
 */
export interface RetryOptions {
  /** Retries after the first attempt. Default 4. */
  readonly maxRetries?: number
  /** First backoff delay, in ms; doubles on each retry, with jitter (75–100 %). Default 500. */
  readonly initialDelayMs?: number
  /** Cap of a backoff delay, in ms. Default 8000. */
  readonly maxDelayMs?: number
  /**
   * Longest `Retry-After` / `retry-after-ms` the client waits, in ms. Beyond it the call fails
   * at once with `RateLimitedError` saying when to retry. Default 60000.
   */
  readonly maxRetryAfterMs?: number
}

/**
 * Polling of `followTask`.
 *
 * @since 0.1.0
 */
export interface PollOptions {
  /** First polling interval, in ms. Default 1000. */
  readonly initialMs?: number
  /** Longest polling interval, in ms; the interval grows by half each unchanged poll. Default 15000. */
  readonly maxMs?: number
}

/**
 * Everything the client needs.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * API origin, e.g. `https://booster.example.com/api` (env `BOOSTER_BASE_URL`). `https` is required
   * except for loopback hosts (`localhost`, `127.0.0.0/8`, `::1`); no `user:password@` part.
   */
  readonly baseUrl: string
  /**
   * Allow plain `http://` to a non-loopback base URL: `true` for the `baseUrl` given with it, or the
   * exact origin it is allowed for (e.g. `"http://booster.lan:8080"`; another base URL is then
   * refused). It covers that origin only (never a token or download URL elsewhere) and every
   * request sent under it logs a warning. Default false.
   */
  readonly allowInsecureHttp?: boolean | string
  /**
   * Allow download URLs on loopback, private (RFC 1918, `fc00::/7`, CGNAT) or link-local
   * (`169.254/16`, `fe80::/10`, the cloud metadata address) hosts when the API host is not on such
   * a network. Default false: such a URL fails with `DownloadError` before anything is sent.
   */
  readonly allowPrivateDownloadHosts?: boolean
  /** Authentication (env `BOOSTER_API_KEY`, `BOOSTER_API_KEY_HEADER`). Default {@link Auth.none}. */
  readonly auth?: Auth.Auth
  /** Extra static headers sent to the API origin only (never to download URLs), e.g. `{"x-booster-App": "crm"}`. */
  readonly headers?: Readonly<Record<string, string>>
  /** Timeout of one HTTP attempt (until the response headers and a JSON body are read), in ms. Default 30000. */
  readonly timeoutMs?: number
  /** Timeout of a whole `followTask`, in ms. Default 3600000 (60 minutes). */
  readonly followTimeoutMs?: number
  /** A download fails when no byte arrives for this long, in ms. Default 60000. */
  readonly downloadIdleTimeoutMs?: number
  /** A download fails when it has not finished within this time, in ms; 0 for no limit. Default 0. */
  readonly downloadTimeoutMs?: number
  /**
   * A download fails when, once `downloadIdleTimeoutMs` has passed since it started, its average
   * rate falls below this many bytes per second (a server trickling bytes); 0 for no minimum.
   * Default 1024.
   */
  readonly downloadMinBytesPerSecond?: number
  /**
   * Largest JSON answer read from the API, in bytes; a larger one fails with `ServerError` without
   * being buffered. Default 33554432 (32 MiB).
   */
  readonly maxResponseBytes?: number
  /** Retry policy. */
  readonly retry?: RetryOptions
  /** Polling of `followTask`. */
  readonly poll?: PollOptions
  /** Date form in export bodies: `iso` (`2022-01-01`, default) or `wcf` (`\/Date(ms)\/`). */
  readonly dateFormat?: "iso" | "wcf"
  /**
   * How far the server's clock may be from this machine's when reconciling an ambiguous export
   * (tasks requested earlier than the request's send time minus this are not candidates), in ms.
   * Default 120000.
   */
  readonly clockSkewMs?: number
  /** Level of the client's diagnostics (env `BOOSTER_LOG`). Default: the logger's own level. */
  readonly logLevel?: LogLevel
  /**
   * The secret key of filter fingerprints. Default: the key `FingerprintKey.load` finds (the file
   * named by `BOOSTER_FINGERPRINT_KEY_FILE`, else the per-install key beside the journal, created on
   * first use), loaded at the first start or dry run.
   */
  readonly fingerprintKey?: Fingerprint.Key
}

/**
 * Options with every default filled in, checked.
 *
 * @since 0.1.0
 */
export interface Resolved {
  readonly baseUrl: URL
  /** The origin plain http is allowed for (the base URL's, when the opt-out was used). */
  readonly insecureOrigin: string | undefined
  readonly allowPrivateDownloadHosts: boolean
  readonly downloadTimeoutMs: number
  readonly downloadMinBytesPerSecond: number
  readonly maxResponseBytes: number
  readonly auth: Auth.Auth
  readonly headers: Readonly<Record<string, string>>
  readonly timeoutMs: number
  readonly followTimeoutMs: number
  readonly downloadIdleTimeoutMs: number
  readonly retry: Required<RetryOptions>
  readonly poll: Required<PollOptions>
  readonly dateFormat: "iso" | "wcf"
  readonly clockSkewMs: number
  readonly logLevel: LogLevel | undefined
  readonly fingerprintKey: Fingerprint.Key | undefined
}

/**
 * The defaults.
 *
 * @since 0.1.0
 */
export const defaults = {
  timeoutMs: 30_000,
  followTimeoutMs: 60 * 60_000,
  downloadIdleTimeoutMs: 60_000,
  downloadTimeoutMs: 0,
  downloadMinBytesPerSecond: 1024,
  maxResponseBytes: 32 * 1024 * 1024,
  retry: { maxRetries: 4, initialDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 },
  poll: { initialMs: 1_000, maxMs: 15_000 },
  dateFormat: "iso",
  clockSkewMs: 120_000
} as const

const invalid = (field: string, message: string, hint: string) =>
  new InvalidConfigError({ field, message, hint })

const positive = (
  field: string,
  value: number | undefined,
  fallback: number,
  unit = "milliseconds"
): Either.Either<number, InvalidConfigError> =>
  value === undefined
    ? Either.right(fallback)
    : Number.isFinite(value) && value >= 0
      ? Either.right(value)
      : Either.left(invalid(field, `${field} must be a non-negative number of ${unit}`, `Fix ${field}.`))

const sameOrigin = (origin: string, url: URL) => {
  try {
    return new URL(origin).origin === url.origin
  } catch {
    return false
  }
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/**
 * Refuses a credential, header name or header value holding a control character (CR, LF, NUL, …):
 * it could split or smuggle a header, and sending it fails every time. The error names the field,
 * never the value.
 */
const checkCredentials = (
  auth: Auth.Auth,
  headers: Readonly<Record<string, string>>
): Either.Either<void, InvalidConfigError> => {
  const fields: Array<readonly [string, string]> = Object.entries(headers).flatMap(([name, value]) => [
    ["headers", name] as const,
    [`headers.${CONTROL.test(name) ? "<name>" : name}`, value] as const
  ])
  switch (auth._tag) {
    case "Bearer":
      fields.push(["auth.token", Redacted.value(auth.token)])
      break
    case "ApiKeyHeader":
      fields.push(["auth.header", auth.header], ["auth.key", Redacted.value(auth.key)])
      break
    case "Basic":
      fields.push(["auth.username", auth.username], ["auth.password", Redacted.value(auth.password)])
      break
    case "OAuth2ClientCredentials":
      fields.push(
        ["auth.clientId", auth.clientId],
        ["auth.clientSecret", Redacted.value(auth.clientSecret)],
        ["auth.scope", auth.scope ?? ""]
      )
      break
  }
  const bad = fields.find(([, value]) => CONTROL.test(value))
  return bad === undefined
    ? Either.void
    : Either.left(
        invalid(
          bad[0],
          `${bad[0]} contains a control character (such as a line break): it cannot be sent in a header`,
          `Remove the line break or other control character from ${bad[0]} (a stray newline when pasting is common).`
        )
      )
}

/**
 * Checks the options and fills in the defaults. Fails with `InvalidConfigError` for a missing or
 * malformed base URL, plain `http://` to a non-loopback host (unless `allowInsecureHttp`), or a
 * negative duration.
 *
 * @since 0.1.0
 */
export const resolve = (options: Options): Either.Either<Resolved, InvalidConfigError> =>
  Either.gen(function* () {
    const raw = options.baseUrl?.trim() ?? ""
    if (raw === "") {
      return yield* Either.left(
        invalid("baseUrl", "No API base URL is configured", "Set BOOSTER_BASE_URL (or the baseUrl option).")
      )
    }
    const parsed = UrlPolicy.parse("base", raw)
    if (Either.isLeft(parsed))
      return yield* Either.left(invalid("baseUrl", parsed.left.message, parsed.left.hint))
    const url = parsed.right
    const optOut = options.allowInsecureHttp
    if (typeof optOut === "string" && optOut !== "" && !sameOrigin(optOut, url)) {
      return yield* Either.left(
        invalid(
          "allowInsecureHttp",
          "Plain http was allowed for another origin than the API base URL's",
          "Allow insecure http for this base URL's own origin, or use https://."
        )
      )
    }
    const insecure = url.protocol === "http:" && !UrlPolicy.isLoopback(url.hostname)
    if (insecure && optOut !== true && !(typeof optOut === "string" && optOut !== "")) {
      return yield* Either.left(
        invalid(
          "baseUrl",
          "Plain http:// is refused for a non-loopback host: credentials and personal data would travel unencrypted",
          "Use https://, or allow insecure http explicitly (allowInsecureHttp)."
        )
      )
    }
    url.search = ""
    url.hash = ""
    if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`
    const retry = options.retry ?? {}
    const poll = options.poll ?? {}
    const auth = options.auth ?? Auth.none
    const headers = options.headers ?? {}
    yield* checkCredentials(auth, headers)
    const insecureOrigin = insecure ? url.origin : undefined
    const allowPrivateDownloadHosts = options.allowPrivateDownloadHosts === true
    if (auth._tag === "OAuth2ClientCredentials") {
      const token = UrlPolicy.check("token", auth.tokenUrl, {
        baseUrl: url,
        insecureOrigin,
        allowPrivateDownloadHosts
      })
      if (Either.isLeft(token))
        return yield* Either.left(invalid("auth.tokenUrl", token.left.message, token.left.hint))
    }
    return {
      baseUrl: url,
      insecureOrigin,
      allowPrivateDownloadHosts,
      auth,
      headers,
      timeoutMs: yield* positive("timeoutMs", options.timeoutMs, defaults.timeoutMs),
      followTimeoutMs: yield* positive("followTimeoutMs", options.followTimeoutMs, defaults.followTimeoutMs),
      downloadIdleTimeoutMs: yield* positive(
        "downloadIdleTimeoutMs",
        options.downloadIdleTimeoutMs,
        defaults.downloadIdleTimeoutMs
      ),
      downloadTimeoutMs: yield* positive(
        "downloadTimeoutMs",
        options.downloadTimeoutMs,
        defaults.downloadTimeoutMs
      ),
      downloadMinBytesPerSecond: yield* positive(
        "downloadMinBytesPerSecond",
        options.downloadMinBytesPerSecond,
        defaults.downloadMinBytesPerSecond,
        "bytes per second"
      ),
      maxResponseBytes: yield* positive(
        "maxResponseBytes",
        options.maxResponseBytes,
        defaults.maxResponseBytes,
        "bytes"
      ),
      retry: {
        maxRetries: yield* positive("retry.maxRetries", retry.maxRetries, defaults.retry.maxRetries),
        initialDelayMs: yield* positive(
          "retry.initialDelayMs",
          retry.initialDelayMs,
          defaults.retry.initialDelayMs
        ),
        maxDelayMs: yield* positive("retry.maxDelayMs", retry.maxDelayMs, defaults.retry.maxDelayMs),
        maxRetryAfterMs: yield* positive(
          "retry.maxRetryAfterMs",
          retry.maxRetryAfterMs,
          defaults.retry.maxRetryAfterMs
        )
      },
      poll: {
        initialMs: yield* positive("poll.initialMs", poll.initialMs, defaults.poll.initialMs),
        maxMs: yield* positive("poll.maxMs", poll.maxMs, defaults.poll.maxMs)
      },
      dateFormat: options.dateFormat ?? defaults.dateFormat,
      clockSkewMs: yield* positive("clockSkewMs", options.clockSkewMs, defaults.clockSkewMs),
      logLevel: options.logLevel,
      fingerprintKey: options.fingerprintKey
    }
  })

const LOG_LEVELS: ReadonlyArray<LogLevel> = ["debug", "info", "warn", "error", "none"]

/**
 * Reads a log level (`BOOSTER_LOG`), case-insensitive; `undefined` for an unknown value.
 *
 * @since 0.1.0
 */
export const parseLogLevel = (raw: string | undefined): LogLevel | undefined => {
  const value = raw?.trim().toLowerCase()
  return LOG_LEVELS.find((level) => level === value)
}

type Env = Readonly<Record<string, string | undefined>>

const AUTH_VARIABLES = {
  key: ["BOOSTER_API_KEY"],
  basic: ["BOOSTER_BASIC_USER", "BOOSTER_BASIC_PASSWORD"],
  oauth2: [
    "BOOSTER_OAUTH2_TOKEN_URL",
    "BOOSTER_OAUTH2_CLIENT_ID",
    "BOOSTER_OAUTH2_CLIENT_SECRET",
    "BOOSTER_OAUTH2_SCOPE",
    "BOOSTER_OAUTH2_CLIENT_AUTH"
  ]
} as const

/**
 * The credentials named by the environment, or `undefined` when it names none:
 *
 * - `BOOSTER_API_KEY`: a bearer token, or, with `BOOSTER_API_KEY_HEADER`, a key sent in that header;
 * - `BOOSTER_BASIC_USER` and `BOOSTER_BASIC_PASSWORD`: HTTP basic;
 * - `BOOSTER_OAUTH2_TOKEN_URL`, `BOOSTER_OAUTH2_CLIENT_ID`, `BOOSTER_OAUTH2_CLIENT_SECRET`, and
 *   optionally `BOOSTER_OAUTH2_SCOPE` and `BOOSTER_OAUTH2_CLIENT_AUTH` (`basic`, the default, or
 *   `body`: see `Auth.ClientAuthentication`): OAuth2 client credentials.
 *
 * Fails with `InvalidConfigError` when a mode is given in part (naming what is missing) or when more
 * than one mode is given. Secrets are `Redacted` as soon as they are read.
 *
 * @since 0.1.0
 */
export const authFromEnv = (
  env: Env = process.env
): Either.Either<Auth.Auth | undefined, InvalidConfigError> => {
  const value = (name: string) => env[name]?.trim() || undefined
  const given = (Object.keys(AUTH_VARIABLES) as Array<keyof typeof AUTH_VARIABLES>).filter((mode) =>
    AUTH_VARIABLES[mode].some((name) => value(name) !== undefined)
  )
  if (given.length > 1) {
    const names = given.flatMap((mode) => AUTH_VARIABLES[mode].filter((name) => value(name) !== undefined))
    return Either.left(
      invalid(
        "auth",
        `Credentials of more than one kind are set (${names.join(", ")})`,
        "Keep the variables of one kind only: an API key, basic, or OAuth2 client credentials."
      )
    )
  }
  const missing = (names: ReadonlyArray<string>) => {
    const absent = names.filter((name) => value(name) === undefined)
    return absent.length === 0
      ? undefined
      : invalid(
          "auth",
          `Incomplete credentials: ${absent.join(", ")} not set`,
          `Set ${absent.join(" and ")} too.`
        )
  }
  const mode = given[0]
  if (mode === undefined) return Either.right(undefined)
  switch (mode) {
    case "key": {
      const key = Redacted.make(value("BOOSTER_API_KEY")!)
      const header = value("BOOSTER_API_KEY_HEADER")
      return Either.right(
        header !== undefined && header.toLowerCase() !== "authorization"
          ? Auth.apiKeyHeader(header, key)
          : Auth.bearer(key)
      )
    }
    case "basic": {
      const problem = missing(AUTH_VARIABLES.basic)
      if (problem !== undefined) return Either.left(problem)
      return Either.right(
        Auth.basic(value("BOOSTER_BASIC_USER")!, Redacted.make(value("BOOSTER_BASIC_PASSWORD")!))
      )
    }
    case "oauth2": {
      const problem = missing(AUTH_VARIABLES.oauth2.slice(0, 3))
      if (problem !== undefined) return Either.left(problem)
      const clientAuthentication = value("BOOSTER_OAUTH2_CLIENT_AUTH")?.toLowerCase() ?? "basic"
      if (clientAuthentication !== "basic" && clientAuthentication !== "body") {
        return Either.left(
          invalid(
            "auth",
            "BOOSTER_OAUTH2_CLIENT_AUTH must be basic or body",
            "Set it to basic or body, or leave it unset."
          )
        )
      }
      return Either.right(
        Auth.oauth2ClientCredentials({
          tokenUrl: value("BOOSTER_OAUTH2_TOKEN_URL")!,
          clientId: value("BOOSTER_OAUTH2_CLIENT_ID")!,
          clientSecret: Redacted.make(value("BOOSTER_OAUTH2_CLIENT_SECRET")!),
          scope: value("BOOSTER_OAUTH2_SCOPE"),
          clientAuthentication
        })
      )
    }
  }
}

/**
 * The options given by environment variables: `BOOSTER_BASE_URL`, the credentials of
 * {@link authFromEnv}, `BOOSTER_LOG`. Meant to be merged under flags and over a profile. Throws the
 * `InvalidConfigError` of {@link authFromEnv} for credentials given in part or of several kinds.
 *
 * @since 0.1.0
 */
export const fromEnv = (env: Env = process.env): Partial<Options> => {
  const baseUrl = env.BOOSTER_BASE_URL?.trim()
  const auth = authFromEnv(env)
  if (Either.isLeft(auth)) throw auth.left
  const logLevel = parseLogLevel(env.BOOSTER_LOG)
  return {
    ...(baseUrl ? { baseUrl } : {}),
    ...(auth.right !== undefined ? { auth: auth.right } : {}),
    ...(logLevel !== undefined ? { logLevel } : {})
  }
}

/**
 * The options as an Effect `Config` over the same environment variables (`BOOSTER_BASE_URL`
 * required; the credentials of {@link authFromEnv}, read as `Redacted`; `BOOSTER_LOG`). Credentials
 * given in part or of several kinds fail as invalid data.
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = Config.all({
  baseUrl: Config.string("BOOSTER_BASE_URL"),
  env: Config.all(
    Object.fromEntries(
      [...Object.values(AUTH_VARIABLES).flat(), "BOOSTER_API_KEY_HEADER"].map((name) => [
        name,
        Config.option(Config.redacted(name))
      ])
    )
  ),
  log: Config.option(Config.string("BOOSTER_LOG"))
}).pipe(
  Config.mapOrFail(({ baseUrl, env, log }) => {
    const plain: Record<string, string | undefined> = {}
    for (const [name, secret] of Object.entries(env))
      plain[name] = Option.getOrUndefined(Option.map(secret, Redacted.value))
    return Either.match(authFromEnv(plain), {
      onLeft: (error) => Either.left(ConfigError.InvalidData(["auth"], `${error.message}. ${error.hint}`)),
      onRight: (auth): Either.Either<Options, ConfigError.ConfigError> => {
        const logLevel = parseLogLevel(Option.getOrUndefined(log))
        return Either.right({
          baseUrl,
          auth: auth ?? Auth.none,
          ...(logLevel !== undefined ? { logLevel } : {})
        })
      }
    })
  })
)
