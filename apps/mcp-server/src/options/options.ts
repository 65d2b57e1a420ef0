/**
 * The server's options: command-line flags first, then environment variables, then defaults.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { isIPv4 } from "node:net"
import { homedir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import * as StateDirectory from "@booster-export/transport/StateDirectory"
import { DEFAULT_CONFIRMATION_MINUTES, MODES, type Mode } from "../consent/mode.js"

/** How long an identical export started earlier is handed back instead of a new one, by default. */
export const DEFAULT_DEDUPE_WINDOW_MINUTES = 15

/** The default port of the Streamable HTTP transport. */
export const DEFAULT_PORT = 8765

/** How many HTTP sessions (2025-era clients) are kept at most, by default; the least recently used goes first. */
export const DEFAULT_MAX_SESSIONS = 64

/** After how many minutes without a request an HTTP session is closed, by default. */
export const DEFAULT_SESSION_IDLE_MINUTES = 30

/** The shortest bearer token accepted, in characters. */
export const MIN_TOKEN_LENGTH = 16

/** Days a downloaded file is kept by default. */
export const DEFAULT_RETENTION_DAYS = 30

/**
 * The privacy parameter ε of one summary by default (`PrivateSummary.DEFAULT_EPSILON` of core, kept
 * here so that reading the options loads no core).
 */
export const DEFAULT_SUMMARY_EPSILON = 1

/** The ε all summaries may spend in any 24 hours by default (`PrivateSummary.DEFAULT_EPSILON_PER_DAY`). */
export const DEFAULT_SUMMARY_EPSILON_PER_DAY = 3

/** How many interests, hobbies or collections count per customer by default (`PrivateSummary.DEFAULT_MAX_LIST_VALUES`). */
export const DEFAULT_SUMMARY_LIST_VALUES = 3

/** The most list values per customer a server may be told to count. */
export const MAX_SUMMARY_LIST_VALUES = 20

/** Everything `booster-mcp` can be told. */
export interface Options {
  /** Expose only the read-only tools (no start, no download). Flag `--read-only`. */
  readonly readOnly: boolean
  /** Run against an embedded simulator of the API; no credentials needed. Flag `--sandbox`. */
  readonly sandbox: boolean
  /** Serve Streamable HTTP instead of stdio. Flag `--http`. */
  readonly http: boolean
  /** Interface the HTTP transport binds to. Flag `--host`, default `127.0.0.1`. */
  readonly host: string
  /** Port of the HTTP transport. Flag `--port`, default 8765; 0 picks a free port. */
  readonly port: number
  /**
   * SHA-256 of the bearer token every HTTP request must carry (`Authorization: Bearer <token>`), from
   * `--token-file PATH` or env `BOOSTER_MCP_TOKEN`; only the digest is kept. Required when `host` is
   * not a loopback address.
   */
  readonly tokenDigest: Buffer | undefined
  /**
   * The OAuth 2.1 authorization server whose access tokens HTTP requests must carry, as its issuer
   * URL (https, or plain http on loopback). Flag `--oauth-issuer`, env `BOOSTER_MCP_OAUTH_ISSUER`.
   * Exclusive with the static bearer token.
   */
  readonly oauthIssuer: string | undefined
  /**
   * The `aud` access tokens must carry. Flag `--oauth-audience`, env `BOOSTER_MCP_OAUTH_AUDIENCE`;
   * default the public URL of the MCP endpoint.
   */
  readonly oauthAudience: string | undefined
  /**
   * The MCP endpoint's URL as clients reach it, e.g. `https://mcp.example.com/mcp` behind a reverse
   * proxy: the OAuth resource identifier. Flag `--public-url`, env `BOOSTER_MCP_PUBLIC_URL`; default
   * `http://<host>:<port>/mcp` as bound; required with `--oauth-issuer` off loopback.
   */
  readonly publicUrl: URL | undefined
  /**
   * Host names (as in the `Host` header, without port) served besides the loopback names, e.g. the
   * name a reverse proxy forwards. Flag `--allowed-host`, repeatable. Browser `Origin`s must name one
   * of them too.
   */
  readonly allowedHosts: ReadonlyArray<string>
  /** Most HTTP sessions kept at once; the least recently used is closed first. Flag `--max-sessions`, default 64. */
  readonly maxSessions: number
  /** Minutes without a request after which an HTTP session is closed. Flag `--session-idle`, default 30. */
  readonly sessionIdleMinutes: number
  /** Window, in minutes, within which a repeated identical start returns the existing task. */
  readonly dedupeWindowMinutes: number
  /**
   * How a start gets the user's consent. Flag `--consent token|elicit|auto`, default `auto` (ask the
   * user through the client when it supports elicitation, else require the preview's confirmation).
   */
  readonly consent: Mode
  /** Minutes a preview's confirmation stays valid. Flag `--confirmation-minutes`, default 10. */
  readonly confirmationMinutes: number
  /**
   * Directory downloads are written to. Flag `--export-dir`, env `BOOSTER_EXPORT_DIR`, else the
   * profile's `exportDir`, else `$XDG_DATA_HOME/booster-export/exports` (see `exportDirSource`).
   */
  readonly exportDir: string
  /** Where {@link exportDir} came from: `default` gives way to the profile's. */
  readonly exportDirSource: "flag" | "env" | "default"
  /** Directory of the journal shared with `booster` (`journal.jsonl`): `$XDG_STATE_HOME/booster-export`. */
  readonly stateDir: string
  /**
   * The team journal, `postgres://…` (env `BOOSTER_JOURNAL_URL`, else the profile's `journalUrl`);
   * `undefined` = the local file. A secret: never printed.
   */
  readonly journalUrl: string | undefined
  /**
   * Days a downloaded file is kept before the daily purge deletes it. Flag `--retention-days`, else
   * the profile's `retentionDays`, default 30.
   */
  readonly retentionDays: number
  /** Whether {@link retentionDays} was given by its flag (else the profile's is used, if any). */
  readonly retentionDaysGiven: boolean
  /**
   * The profile of `booster config set` to use (API base URL, key file, key header, headers, export
   * folder, team journal, retention): flag `--profile`, else env `BOOSTER_PROFILE`, else the profiles
   * file's default. Read when a tool is first called.
   */
  readonly profile: string | undefined
  /**
   * Folder that receives a signed checkpoint of the journal's head shortly after start and then
   * hourly (`Checkpoint` of the journal). Flag `--checkpoint-dir`, env `BOOSTER_CHECKPOINT_DIR`;
   * default none (no checkpoints). The signing key: `BOOSTER_CHECKPOINT_KEY_FILE`, else
   * `checkpoint.key` in the state folder.
   */
  readonly checkpointDir: string | undefined
  /**
   * The privacy parameter ε each summary is released with and charged: flag `--summary-epsilon`, env
   * `BOOSTER_SUMMARY_EPSILON`, default 1; more than 0, at most six decimals. Never an argument of a tool.
   */
  readonly summaryEpsilon: number
  /**
   * The ε all summaries of this install (of the team, with a team journal) may spend in any 24 hours:
   * flag `--summary-epsilon-per-day`, env `BOOSTER_SUMMARY_EPSILON_PER_DAY`, default 3; at least
   * {@link summaryEpsilon}.
   */
  readonly summaryEpsilonPerDay: number
  /**
   * How many interests, hobbies or product collections count per customer (the first ones of each
   * cell): flag `--summary-list-values`, env `BOOSTER_SUMMARY_LIST_VALUES`, default 3, from 1 to 20.
   */
  readonly summaryListValues: number
  /** Log level on stderr. Env `BOOSTER_LOG`, default `warn`. */
  readonly logLevel: LogLevel
  /** Print usage and exit. */
  readonly help: boolean
  /** Print the version and exit. */
  readonly version: boolean
}

/** Levels of stderr logging, from most to least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error"

const LEVELS: ReadonlyArray<LogLevel> = ["debug", "info", "warn", "error"]

/** A command line or environment that cannot be used; the message names the flag and the rule. */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

/** The usage text printed by `--help`. */
export const usage = `booster-mcp: an MCP server to start, follow and download Booster2 exports of every kind.

Usage: booster-mcp [options]

Options:
  --read-only             expose only the read tools (preview, get, list, summarize)
  --sandbox               run against an embedded simulator of the API (no credentials)
  --http                  serve Streamable HTTP instead of stdio
  --host <address>        HTTP interface (default 127.0.0.1)
  --port <n>              HTTP port (default ${DEFAULT_PORT}; 0 = any free port)
  --token-file <path>     file holding the bearer token HTTP clients must send (or env
                          BOOSTER_MCP_TOKEN); required when --host is not loopback
  --oauth-issuer <url>    accept OAuth 2.1 access tokens (JWT) of this authorization server
                          instead of a static token (or env BOOSTER_MCP_OAUTH_ISSUER); scopes
                          exports:read (preview, get, list, summarize) and exports:write (all)
  --oauth-audience <aud>  the audience tokens must be issued for (or env
                          BOOSTER_MCP_OAUTH_AUDIENCE; default the public URL)
  --public-url <url>      the MCP endpoint's URL as clients reach it, e.g. behind a reverse
                          proxy (or env BOOSTER_MCP_PUBLIC_URL); required with --oauth-issuer
                          when --host is not loopback
  --allowed-host <name>   a Host (and browser Origin) name served besides localhost, e.g. the
                          name behind a reverse proxy; repeatable
  --max-sessions <n>      most HTTP sessions kept; the least recently used goes first
                          (default ${DEFAULT_MAX_SESSIONS})
  --session-idle <min>    minutes after which an idle HTTP session is closed
                          (default ${DEFAULT_SESSION_IDLE_MINUTES})
  --dedupe-window <min>   minutes within which an identical start returns the existing task
                          (default ${DEFAULT_DEDUPE_WINDOW_MINUTES}; 0 disables)
  --consent <mode>        how a start gets the user's yes: token (the preview's confirmation),
                          elicit (the server asks the user through the client), auto (elicit
                          when the client can, else token; the default)
  --confirmation-minutes <min>
                          how long a confirmation (the preview's, get_export_task's) is valid
                          (default ${DEFAULT_CONFIRMATION_MINUTES})
  --export-dir <dir>      where downloads go (env BOOSTER_EXPORT_DIR, then the profile's;
                          default $XDG_DATA_HOME/booster-export/exports)
  --profile <name>        the profile of \`booster config set\` to use (or env BOOSTER_PROFILE;
                          default the profiles file's default)
  --retention-days <n>    days a downloaded file is kept; expired files are purged at
                          start and daily (default the profile's retentionDays, else ${DEFAULT_RETENTION_DAYS})
  --checkpoint-dir <dir>  write a signed checkpoint of the journal's head there at start and
                          hourly (env BOOSTER_CHECKPOINT_DIR; key BOOSTER_CHECKPOINT_KEY_FILE,
                          default checkpoint.key beside the journal)
  --summary-epsilon <ε>   privacy parameter of each summary: its counts carry noise of scale
                          (what one customer can change) / ε (or env BOOSTER_SUMMARY_EPSILON;
                          default ${DEFAULT_SUMMARY_EPSILON})
  --summary-epsilon-per-day <ε>
                          the ε all summaries may spend in any 24 hours, for this install or,
                          with BOOSTER_JOURNAL_URL, the team; further summaries are refused (or
                          env BOOSTER_SUMMARY_EPSILON_PER_DAY; default ${DEFAULT_SUMMARY_EPSILON_PER_DAY})
  --summary-list-values <k>
                          interests, hobbies and collections counted per customer, at most (or
                          env BOOSTER_SUMMARY_LIST_VALUES; default ${DEFAULT_SUMMARY_LIST_VALUES})
  -h, --help              show this text
  -v, --version           show the version

Environment:
  BOOSTER_BASE_URL          the API (else the profile's baseUrl)
  credentials, one kind:
    BOOSTER_API_KEY_FILE      a file holding the API key alone, readable by you only (mode 0600;
                              or the profile's apiKeyFile), sent as a bearer token, or in the
                              header named by BOOSTER_API_KEY_HEADER
    BOOSTER_API_KEY           the API key itself (prefer the file: no key in a config file)
    BOOSTER_BASIC_USER, BOOSTER_BASIC_PASSWORD                       HTTP basic
    BOOSTER_OAUTH2_TOKEN_URL, BOOSTER_OAUTH2_CLIENT_ID,
    BOOSTER_OAUTH2_CLIENT_SECRET, BOOSTER_OAUTH2_SCOPE (optional)    OAuth2 client credentials
    BOOSTER_OAUTH2_CLIENT_AUTH (basic, the default, or body)         how the client proves itself
  BOOSTER_MCP_TOKEN         the bearer token HTTP clients must send (see --token-file)
  BOOSTER_MCP_OAUTH_ISSUER, BOOSTER_MCP_OAUTH_AUDIENCE, BOOSTER_MCP_PUBLIC_URL
                            OAuth instead of a static token (see --oauth-issuer)
  BOOSTER_JOURNAL_URL       postgres://… : the journal shared by a team (default: the profile's
                            journalUrl, else the local file); a team's summaries share one
                            privacy budget there
  BOOSTER_PROFILE           the profile to use (see --profile)
  BOOSTER_CHECKPOINT_DIR, BOOSTER_CHECKPOINT_KEY_FILE
                            signed checkpoints of the journal (see --checkpoint-dir)
  BOOSTER_SUMMARY_EPSILON, BOOSTER_SUMMARY_EPSILON_PER_DAY, BOOSTER_SUMMARY_LIST_VALUES
                            the summaries' privacy settings (see --summary-epsilon)
  BOOSTER_EXPORT_DIR, BOOSTER_LOG (debug|info|warn|error, default warn), XDG_STATE_HOME,
  XDG_DATA_HOME, XDG_CONFIG_HOME
`

const nonNegativeNumber = (flag: string, raw: string, integer: boolean): number => {
  const value = Number(raw)
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} must be a non-negative ${integer ? "integer" : "number"}`)
  }
  return value
}

/** A privacy parameter: a decimal number more than 0 and at most 1000, with at most six decimals. */
const epsilonOf = (flag: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback
  const text = raw.trim()
  const value = Number(text)
  if (!/^\d+(\.\d{1,6})?$/.test(text) || value <= 0 || value > 1000) {
    throw new UsageError(
      `${flag} must be a number more than 0 and at most 1000, with at most six decimals (e.g. 0.5)`
    )
  }
  return value
}

const journalUrlOf = (env: NodeJS.ProcessEnv): string | undefined => {
  const url = nonEmpty(env.BOOSTER_JOURNAL_URL)
  if (url !== undefined && !/^postgres(ql)?:\/\//i.test(url)) {
    throw new UsageError("BOOSTER_JOURNAL_URL must be a postgres:// URL")
  }
  return url
}

/**
 * Reads the command line and the environment. Throws {@link UsageError} for an unknown flag or a
 * value that breaks a rule.
 */
export const parse = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Options => {
  let values: ReturnType<typeof read>["values"]
  try {
    values = read(argv).values
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const home = env.HOME ?? homedir()
  const dataHome = nonEmpty(env.XDG_DATA_HOME) ?? join(home, ".local", "share")
  const level = (nonEmpty(env.BOOSTER_LOG) ?? "warn").toLowerCase()
  if (!LEVELS.includes(level as LogLevel)) {
    throw new UsageError(`BOOSTER_LOG must be one of ${LEVELS.join(", ")}`)
  }
  const port = values.port === undefined ? DEFAULT_PORT : nonNegativeNumber("--port", values.port, true)
  if (port > 65535) throw new UsageError("--port must be at most 65535")
  const consent = (values.consent ?? "auto").trim().toLowerCase()
  if (!MODES.includes(consent as Mode)) throw new UsageError(`--consent must be one of ${MODES.join(", ")}`)
  const confirmationMinutes =
    values["confirmation-minutes"] === undefined
      ? DEFAULT_CONFIRMATION_MINUTES
      : nonNegativeNumber("--confirmation-minutes", values["confirmation-minutes"], false)
  if (confirmationMinutes === 0 || confirmationMinutes > 24 * 60) {
    throw new UsageError("--confirmation-minutes must be more than 0 and at most 1440")
  }
  const host = values.host ?? "127.0.0.1"
  const token = readToken(values["token-file"], env.BOOSTER_MCP_TOKEN)
  const oauthIssuer = secureUrl(
    "--oauth-issuer",
    nonEmpty(values["oauth-issuer"]) ?? nonEmpty(env.BOOSTER_MCP_OAUTH_ISSUER)
  )
  const publicUrl = secureUrl(
    "--public-url",
    nonEmpty(values["public-url"]) ?? nonEmpty(env.BOOSTER_MCP_PUBLIC_URL)
  )
  const oauthAudience = (
    nonEmpty(values["oauth-audience"]) ?? nonEmpty(env.BOOSTER_MCP_OAUTH_AUDIENCE)
  )?.trim()
  if (token !== undefined && oauthIssuer !== undefined) {
    throw new UsageError(
      "a static bearer token (--token-file or BOOSTER_MCP_TOKEN) and OAuth (--oauth-issuer or " +
        "BOOSTER_MCP_OAUTH_ISSUER) cannot be used together: choose one"
    )
  }
  if (oauthIssuer === undefined && (oauthAudience !== undefined || publicUrl !== undefined)) {
    throw new UsageError("--oauth-audience and --public-url apply to OAuth only: set --oauth-issuer too")
  }
  if ((values.http ?? false) && !isLoopback(host) && token === undefined && oauthIssuer === undefined) {
    throw new UsageError(
      `--host ${host} is not a loopback address: anyone who reaches it could use this server's credentials, ` +
        "so set a bearer token with --token-file PATH or BOOSTER_MCP_TOKEN, or OAuth with --oauth-issuer"
    )
  }
  if ((values.http ?? false) && !isLoopback(host) && oauthIssuer !== undefined && publicUrl === undefined) {
    throw new UsageError(
      `--host ${host} is not a loopback address: set --public-url (or BOOSTER_MCP_PUBLIC_URL) to the MCP ` +
        "endpoint's URL as clients reach it, e.g. https://mcp.example.com/mcp, the resource tokens are issued for"
    )
  }
  const maxSessions =
    values["max-sessions"] === undefined
      ? DEFAULT_MAX_SESSIONS
      : nonNegativeNumber("--max-sessions", values["max-sessions"], true)
  if (maxSessions < 1) throw new UsageError("--max-sessions must be at least 1")
  const sessionIdleMinutes =
    values["session-idle"] === undefined
      ? DEFAULT_SESSION_IDLE_MINUTES
      : nonNegativeNumber("--session-idle", values["session-idle"], false)
  if (sessionIdleMinutes <= 0) throw new UsageError("--session-idle must be more than 0 minutes")
  const allowedHosts = (values["allowed-host"] ?? []).map((name) => {
    const trimmed = name.trim().toLowerCase()
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(trimmed)) {
      throw new UsageError("--allowed-host must be a host name or address without scheme, port or path")
    }
    return trimmed
  })
  const summaryEpsilon = epsilonOf(
    "--summary-epsilon",
    nonEmpty(values["summary-epsilon"]) ?? nonEmpty(env.BOOSTER_SUMMARY_EPSILON),
    DEFAULT_SUMMARY_EPSILON
  )
  const summaryEpsilonPerDay = epsilonOf(
    "--summary-epsilon-per-day",
    nonEmpty(values["summary-epsilon-per-day"]) ?? nonEmpty(env.BOOSTER_SUMMARY_EPSILON_PER_DAY),
    DEFAULT_SUMMARY_EPSILON_PER_DAY
  )
  if (summaryEpsilonPerDay < summaryEpsilon) {
    throw new UsageError(
      `--summary-epsilon-per-day (${summaryEpsilonPerDay}) must be at least --summary-epsilon (${summaryEpsilon}): no summary would fit in a day`
    )
  }
  const listValues = nonEmpty(values["summary-list-values"]) ?? nonEmpty(env.BOOSTER_SUMMARY_LIST_VALUES)
  const summaryListValues =
    listValues === undefined
      ? DEFAULT_SUMMARY_LIST_VALUES
      : nonNegativeNumber("--summary-list-values", listValues, true)
  if (summaryListValues < 1 || summaryListValues > MAX_SUMMARY_LIST_VALUES) {
    throw new UsageError(`--summary-list-values must be a whole number from 1 to ${MAX_SUMMARY_LIST_VALUES}`)
  }
  return {
    readOnly: values["read-only"] ?? false,
    sandbox: values.sandbox ?? false,
    http: values.http ?? false,
    host,
    port,
    tokenDigest: token === undefined ? undefined : createHash("sha256").update(token, "utf8").digest(),
    oauthIssuer: oauthIssuer?.text,
    oauthAudience,
    publicUrl: publicUrl?.url,
    allowedHosts,
    maxSessions,
    sessionIdleMinutes,
    dedupeWindowMinutes:
      values["dedupe-window"] === undefined
        ? DEFAULT_DEDUPE_WINDOW_MINUTES
        : nonNegativeNumber("--dedupe-window", values["dedupe-window"], false),
    consent: consent as Mode,
    confirmationMinutes,
    exportDir:
      nonEmpty(values["export-dir"]) ??
      nonEmpty(env.BOOSTER_EXPORT_DIR) ??
      join(dataHome, "booster-export", "exports"),
    exportDirSource:
      nonEmpty(values["export-dir"]) !== undefined
        ? "flag"
        : nonEmpty(env.BOOSTER_EXPORT_DIR) !== undefined
          ? "env"
          : "default",
    stateDir: StateDirectory.resolve(env),
    journalUrl: journalUrlOf(env),
    retentionDays:
      values["retention-days"] === undefined
        ? DEFAULT_RETENTION_DAYS
        : nonNegativeNumber("--retention-days", values["retention-days"], false),
    retentionDaysGiven: values["retention-days"] !== undefined,
    profile: nonEmpty(values.profile)?.trim(),
    checkpointDir: nonEmpty(values["checkpoint-dir"]) ?? nonEmpty(env.BOOSTER_CHECKPOINT_DIR),
    summaryEpsilon,
    summaryEpsilonPerDay,
    summaryListValues,
    logLevel: level as LogLevel,
    help: values.help ?? false,
    version: values.version ?? false
  }
}

const read = (argv: ReadonlyArray<string>) =>
  parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      "read-only": { type: "boolean" },
      sandbox: { type: "boolean" },
      http: { type: "boolean" },
      host: { type: "string" },
      port: { type: "string" },
      "token-file": { type: "string" },
      "oauth-issuer": { type: "string" },
      "oauth-audience": { type: "string" },
      "public-url": { type: "string" },
      "allowed-host": { type: "string", multiple: true },
      "max-sessions": { type: "string" },
      "session-idle": { type: "string" },
      "dedupe-window": { type: "string" },
      "retention-days": { type: "string" },
      "summary-epsilon": { type: "string" },
      "summary-epsilon-per-day": { type: "string" },
      "summary-list-values": { type: "string" },
      "export-dir": { type: "string" },
      "checkpoint-dir": { type: "string" },
      consent: { type: "string" },
      "confirmation-minutes": { type: "string" },
      profile: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" }
    }
  })

/**
 * Whether `host` is a loopback address: `localhost`, any of 127.0.0.0/8, `::1` (also as an
 * IPv4-mapped address or in brackets).
 */
export const isLoopback = (host: string): boolean => {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
  if (name === "localhost" || name === "::1" || name === "0:0:0:0:0:0:0:1") return true
  const v4 = name.startsWith("::ffff:") ? name.slice("::ffff:".length) : name
  return isIPv4(v4) && v4.startsWith("127.")
}

/**
 * Whether `url` may carry credentials or keys: https, or plain http to a loopback address only (the
 * rule the API client applies to its base URL).
 */
export const secureOrLoopback = (url: URL): boolean =>
  url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))

/**
 * A URL option: absolute, https (plain http only to a loopback host), without user info, query or
 * fragment. Returns the text as given (trimmed) and the parsed URL.
 */
const secureUrl = (flag: string, raw: string | undefined): { text: string; url: URL } | undefined => {
  if (raw === undefined) return undefined
  const text = raw.trim()
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${flag} must be an absolute URL, e.g. https://login.example.com/`)
  }
  if (!secureOrLoopback(url)) {
    throw new UsageError(`${flag} must be an https URL (plain http only on a loopback address)`)
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new UsageError(`${flag} must not carry user info, a query or a fragment`)
  }
  return { text, url }
}

/** The token from `--token-file` (first) or `BOOSTER_MCP_TOKEN`; its value is never put in a message. */
const readToken = (file: string | undefined, env: string | undefined): string | undefined => {
  let token: string | undefined
  if (file !== undefined) {
    try {
      token = readFileSync(file, "utf8").trim()
    } catch {
      throw new UsageError("--token-file must name a readable file holding the token")
    }
    if (token === "") throw new UsageError("--token-file must not be empty")
  } else {
    token = nonEmpty(env)?.trim()
  }
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new UsageError(
      `the bearer token (${file !== undefined ? "--token-file" : "BOOSTER_MCP_TOKEN"}) must be at least ${MIN_TOKEN_LENGTH} characters`
    )
  }
  if (token !== undefined && /\s/.test(token)) {
    throw new UsageError(
      `the bearer token (${file !== undefined ? "--token-file" : "BOOSTER_MCP_TOKEN"}) must not contain spaces or line breaks`
    )
  }
  return token
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value
