/**
 * The errors of the command line itself, the exit code of every error, and how an error is shown:
 * one readable paragraph with a hint, or one JSON object on stderr in `--json` mode.
 */
import { ExportKind, Validation } from "@booster-export/core"
import * as Redact from "@booster-export/transport/Redact"
import * as Scrub from "@booster-export/transport/Scrub"
import { Schema } from "effect"
import { type FlagIssue, formatFlagIssues, withFlags } from "../export/filter-input.js"
import { forJson } from "./sanitize.js"

/** A command was used wrongly: a missing or conflicting option, an unreadable filter file. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String,
  hint: Schema.String
}) {}

/** A profile or setting is unusable. `field` names the setting or environment variable. */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  message: Schema.String,
  hint: Schema.String,
  field: Schema.String
}) {}

/** An export with the same filter was started recently; starting another would duplicate it. */
export class DuplicateExportError extends Schema.TaggedError<DuplicateExportError>()("DuplicateExportError", {
  message: Schema.String,
  hint: Schema.String,
  asyncTaskId: Schema.String,
  fingerprint: Schema.String,
  startedAt: Schema.String
}) {}

/**
 * The local journal (or the fingerprint key beside it) cannot be written, so a start could not be
 * guarded against a duplicate nor recorded: nothing was sent. `path` is the file that could not be
 * written, `code` the operating system's error (`ENOSPC`, `EROFS`, `EACCES`, …). Exit 1.
 */
export class JournalUnwritableError extends Schema.TaggedError<JournalUnwritableError>()(
  "JournalUnwritableError",
  {
    message: Schema.String,
    hint: Schema.String,
    path: Schema.String,
    code: Schema.String
  }
) {}

/** The task had not finished when the wait ended (or has no file yet). */
export class StillRunningError extends Schema.TaggedError<StillRunningError>()("StillRunningError", {
  message: Schema.String,
  hint: Schema.String,
  asyncTaskId: Schema.String,
  status: Schema.String
}) {}

/** The person declined the confirmation; nothing was sent. */
export class DeclinedError extends Schema.TaggedError<DeclinedError>()("DeclinedError", {
  message: Schema.String,
  hint: Schema.String
}) {}

/**
 * `booster doctor` found a problem: `reason` is `auth-refused` when the API refused the credentials
 * (exit 3), else `check-failed` (exit 1); `failed` names the failed checks.
 */
export class DoctorError extends Schema.TaggedError<DoctorError>()("DoctorError", {
  message: Schema.String,
  hint: Schema.String,
  reason: Schema.Literal("auth-refused", "check-failed"),
  failed: Schema.Array(Schema.String)
}) {}

/** A scheduled run ended failed after its retries (exit 4); `failed` lists `schedule@due`. */
export class ScheduledRunFailedError extends Schema.TaggedError<ScheduledRunFailedError>()(
  "ScheduledRunFailedError",
  {
    message: Schema.String,
    hint: Schema.String,
    failed: Schema.Array(Schema.String)
  }
) {}

/**
 * The verified file could not be handed over whole on standard output (`--output -`): its reader
 * closed it (`closed`), writing failed (`write`), or the private copy no longer matched the
 * download (`changed`). `bytes` is how many were handed over. Exit 1.
 */
export class StdoutError extends Schema.TaggedError<StdoutError>()("StdoutError", {
  message: Schema.String,
  hint: Schema.String,
  reason: Schema.Literal("closed", "write", "changed"),
  bytes: Schema.Number
}) {}

/** Exit codes: see the README's table and `booster --help`. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  auth: 3,
  exportFailed: 4,
  stillRunning: 5,
  interrupted: 130
} as const

/** The exit-code table as shown in `--help` and the README. */
export const exitCodeTable: ReadonlyArray<readonly [number, string]> = [
  [0, "success"],
  [1, "unexpected error (network, server, download)"],
  [2, "usage or validation error; nothing was sent"],
  [3, "authentication or permission refused"],
  [4, "the export ended in error (ERR), or a scheduled run failed"],
  [5, "timed out, or the task is still running"],
  [130, "interrupted (Ctrl-C) or declined"]
]

interface Tagged {
  readonly _tag: string
  readonly message?: string
  readonly hint?: string
  readonly reason?: string
  readonly sent?: boolean
  readonly status?: number
}

const isTagged = (u: unknown): u is Tagged =>
  typeof u === "object" && u !== null && typeof (u as { _tag?: unknown })._tag === "string"

/** The exit code of an error (anything not recognised is 1). */
export const exitCodeOf = (error: unknown): number => {
  if (!isTagged(error)) return ExitCode.unexpected
  switch (error._tag) {
    case "ValidationError":
    case "PurposeError":
    case "UsageError":
    case "ConfigError":
    case "InvalidConfigError":
    case "DuplicateExportError":
    case "CommandMismatch":
    case "CorrectedFlag":
    case "InvalidArgument":
    case "InvalidValue":
    case "MissingValue":
    case "MissingFlag":
    case "MultipleValuesDetected":
    case "MissingSubcommand":
    case "NoBuiltInMatch":
    case "UnclusteredFlag":
      return ExitCode.usage
    case "AuthenticationError":
    case "PermissionError":
      return ExitCode.auth
    case "ExportFailedError":
    case "ScheduledRunFailedError":
      return ExitCode.exportFailed
    case "StillRunningError":
      return ExitCode.stillRunning
    case "DoctorError":
      return error.reason === "auth-refused" ? ExitCode.auth : ExitCode.unexpected
    case "TransportError":
      return error.reason === "timeout" ? ExitCode.stillRunning : ExitCode.unexpected
    case "DownloadError":
      return error.reason === "not-ready" ? ExitCode.stillRunning : ExitCode.unexpected
    case "DeclinedError":
    case "QuitException":
      return ExitCode.interrupted
    default:
      return ExitCode.unexpected
  }
}

/** The hint of a filter that broke a rule: the help of its kind's export (`booster export stock --help`). */
const validationHint = (error: Validation.ValidationError): string =>
  `Fix the flags listed above; nothing was sent. \`booster export${error.kind !== undefined && error.kind !== ExportKind.Customer.name ? ` ${error.kind}` : ""} --help\` lists every flag.`

const HINTS: Readonly<Record<string, string>> = {
  PurposeError:
    'Give a ticket number or a short reason without personal data, e.g. --purpose "ticket OPS-142"; nothing was sent.',
  QuitException: "Nothing was sent."
}

/** The hint of a refusal the API answered after receiving the request (unlike a local validation error). */
const REFUSED_AFTER_SENDING =
  "The request was sent and the API refused it; no export was started. Check the filter against the API's rules, then try again."

const hintOf = (error: Tagged): string | undefined =>
  error._tag === "ServerError" && error.sent === true && (error.status === 400 || error.status === 422)
    ? REFUSED_AFTER_SENDING
    : (error.hint ?? HINTS[error._tag])

const plainFields = (error: object): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(error)) {
    if (key === "_tag" || key === "message" || key === "stack" || key === "cause") continue
    if (value === undefined || typeof value === "function") continue
    out[key] = value
  }
  return out
}

/**
 * The `--json` form of an error: `{_tag, message, hint?, …fields}`, as {@link forJson} shows a
 * value (server text may carry terminal escapes), and every URL in a string without its user info
 * or query (signatures).
 */
export const toJson = (error: unknown): Record<string, unknown> =>
  Scrub.deep(forJson(jsonOf(error)), Redact.urlsInText) as Record<string, unknown>

const jsonOf = (error: unknown): Record<string, unknown> => {
  if (error instanceof Validation.ValidationError) {
    const issues = withFlags(error.issues)
    return {
      _tag: error._tag,
      message: `${issues.length} problem${issues.length === 1 ? "" : "s"} in the export filter`,
      hint: validationHint(error),
      ...(error.kind !== undefined ? { kind: error.kind } : {}),
      issues
    }
  }
  if (isTagged(error)) {
    return {
      _tag: error._tag,
      message: error.message ?? error._tag,
      ...plainFields(error),
      ...(hintOf(error) !== undefined ? { hint: hintOf(error) } : {})
    }
  }
  return { _tag: "UnexpectedError", message: error instanceof Error ? error.message : String(error) }
}

/**
 * The human form of an error: one paragraph (a list for validation problems), then a hint; foreign
 * text cleaned (server text may carry terminal escapes) and every URL without its user info or query.
 */
export const toText = (error: unknown): string => Redact.urlsInText(Scrub.text(textOf(error)))

const textOf = (error: unknown): string => {
  if (error instanceof Validation.ValidationError) {
    const issues: Array<FlagIssue> = withFlags(error.issues)
    return `Error: ${issues.length} problem${issues.length === 1 ? "" : "s"} in the export filter:\n${formatFlagIssues(issues)}\nHint: ${validationHint(error)}`
  }
  if (isTagged(error)) {
    const hint = hintOf(error)
    return `Error: ${error.message ?? error._tag}${hint ? `\nHint: ${hint}` : ""}`
  }
  const message = error instanceof Error ? error.message : String(error)
  return `Error: ${message}\nHint: This is unexpected; run again with BOOSTER_LOG=debug for details.`
}
