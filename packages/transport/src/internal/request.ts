import { ExportKind, type Fingerprint } from "@booster-export/core"
import { Effect, Either } from "effect"
import * as Auth from "../Auth.js"
import type * as BoosterConfig from "../BoosterConfig.js"
import * as BoosterError from "../BoosterError.js"
import * as Redact from "../Redact.js"

/** The `user-agent` of every request to the API and the token endpoint. */
export const USER_AGENT = "booster-export/0.1"

/** The URL of an API route (`tasks/…`, `customer/{brand}/export`), under the configured base URL. */
export const apiUrl = (config: BoosterConfig.Resolved, relative: string): URL =>
  new URL(relative.replace(/^\//, ""), config.baseUrl)

/**
 * Options of a start or a dry run: the id to send and the tasks never to adopt (the kind is the
 * call's first argument, see {@link readCall}).
 */
export interface StartOptions {
  /** The id to send; default: the input's `downloadRequestId`, else a fresh UUID. */
  readonly downloadRequestId?: string | undefined
  /**
   * Task ids known to be other exports (e.g. those a journal recorded): never adopted when a start
   * whose answer was lost is reconciled against the task list. Default none.
   */
  readonly exclude?: ReadonlyArray<string> | undefined
}

/** True for an export kind's value (one of core's, or one declared the same way). */
export const isKind = (u: unknown): u is ExportKind.Any =>
  typeof u === "object" &&
  u !== null &&
  "request" in u &&
  "filter" in u &&
  "path" in u &&
  typeof (u as { readonly describe?: unknown }).describe === "function"

/** True for a first argument naming the kind (a name or a kind's value) rather than the input. */
export const isKindArgument = (u: unknown): boolean => typeof u === "string" || isKind(u)

/** A call of `startExport`, `dryRun` or `exportToFile`, its kind resolved. */
export interface Call {
  readonly kind: ExportKind.Any
  readonly input: unknown
  /** The arguments after the input (options, destination, …). */
  readonly rest: ReadonlyArray<unknown>
}

/**
 * Reads `(kind, input, ...rest)` — a kind's name (`"stock"`) or value first — or `(input, ...rest)`,
 * a customer export. A name that is no kind's fails with `ValidationError` (the name is not
 * repeated: it may come from anywhere).
 */
export const readCall = (args: ReadonlyArray<unknown>): Either.Either<Call, BoosterError.ValidationError> => {
  const [first, input, ...rest] = args
  if (isKind(first)) return Either.right({ kind: first, input, rest })
  if (typeof first !== "string")
    return Either.right({ kind: ExportKind.Customer, input: first, rest: args.slice(1) })
  const kind = ExportKind.byName(first)
  return kind !== undefined
    ? Either.right({ kind, input, rest })
    : Either.left(
        new BoosterError.ValidationError({
          issues: [
            {
              path: "",
              rule: "kind",
              message: `is not an export kind: use one of ${ExportKind.names.join(", ")}`
            }
          ]
        })
      )
}

/** The request `startExport` would send, with secrets shown as `<redacted>`. */
export interface DryRun {
  readonly method: "POST"
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
  readonly downloadRequestId: string
  readonly fingerprint: string
  readonly description: string
}

/** An export's request, validated and prepared, with its kind and the id it sends. */
export interface PreparedStart {
  readonly kind: ExportKind.Any
  readonly prepared: ExportKind.Prepared<unknown>
  readonly downloadRequestId: string
}

/** Validates an export's input and prepares its request: the kind, the prepared request, the id sent. */
export const prepare = (
  config: BoosterConfig.Resolved,
  fingerprintKey: Effect.Effect<Fingerprint.Key, BoosterError.InvalidConfigError>,
  kind: ExportKind.Any,
  input: unknown,
  options: StartOptions | undefined
): Effect.Effect<PreparedStart, BoosterError.ValidationError | BoosterError.InvalidConfigError> =>
  Effect.gen(function* () {
    const given =
      typeof input === "object" && input !== null
        ? (input as Record<string, unknown>).downloadRequestId
        : undefined
    const downloadRequestId =
      options?.downloadRequestId ?? (typeof given === "string" && given.trim() !== "" ? given : undefined)
    const id = downloadRequestId ?? (yield* Effect.sync(() => crypto.randomUUID()))
    const raw = typeof input === "object" && input !== null ? { ...input, downloadRequestId: id } : input
    const prepared = yield* ExportKind.prepare(kind, raw, {
      dateFormat: config.dateFormat,
      fingerprintKey: yield* fingerprintKey
    })
    return {
      kind,
      prepared,
      downloadRequestId: (prepared.request as { downloadRequestId: string }).downloadRequestId
    }
  })

/** The request a start would send (see {@link DryRun}); sends nothing. */
export const dryRun = (
  config: BoosterConfig.Resolved,
  fingerprintKey: Effect.Effect<Fingerprint.Key, BoosterError.InvalidConfigError>,
  kind: ExportKind.Any,
  input: unknown,
  options?: StartOptions
): Effect.Effect<DryRun, BoosterError.ValidationError | BoosterError.InvalidConfigError> =>
  Effect.map(prepare(config, fingerprintKey, kind, input, options), ({ downloadRequestId, prepared }) => {
    // the configured credential wins over an extra header of the same name, as when sending
    const secret = Auth.secretHeaders(config.auth)
    const extra = Object.entries(config.headers)
      .map(([name, value]) => [name.toLowerCase(), value] as const)
      .filter(([name]) => !secret.includes(name))
    const headers = Redact.headers(
      {
        accept: "application/json",
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        ...Object.fromEntries(extra),
        ...Object.fromEntries(secret.map((name) => [name, Redact.REDACTED]))
      },
      secret
    )
    return {
      method: "POST" as const,
      url: apiUrl(config, prepared.path).toString(),
      headers,
      body: JSON.parse(prepared.body) as unknown,
      downloadRequestId,
      fingerprint: prepared.fingerprint,
      description: prepared.description
    }
  })
