/**
 * The client for code that does not use Effect: every operation returns a Promise (or an async
 * iterable for `followTask`) and takes an `AbortSignal`. Filters are typed: a misspelt field or a
 * value of the wrong type is a compile error (and still refused at run time). Every error thrown is
 * a {@link BoosterError}, with one subclass per `_tag` (`ValidationError`, `RateLimitedError`, …,
 * `AbortError` for a call stopped by its signal).
 *
 * @since 0.1.0
 */
import { ExportKind, type Task, Validation } from "@booster-export/core"
import {
  Cause,
  Effect,
  Either,
  Exit,
  Fiber,
  Layer,
  Logger,
  ManagedRuntime,
  Option,
  Redacted,
  Stream
} from "effect"
import * as Auth from "./Auth.js"
import * as BoosterClientModule from "./BoosterClient.js"
import * as BoosterConfig from "./BoosterConfig.js"
import * as Errors from "./BoosterError.js"
import * as ExportToFile from "./ExportToFile.js"

const { BoosterClient } = BoosterClientModule

/** @since 0.1.0 */
export type Started = BoosterClientModule.Started
/** @since 0.1.0 */
export type DryRun = BoosterClientModule.DryRun
/** @since 0.1.0 */
export type Progress = BoosterClientModule.Progress
/** @since 0.1.0 */
export type Downloaded = BoosterClientModule.Downloaded
/** @since 0.1.0 */
export type FollowOptions = BoosterClientModule.FollowOptions
/** @since 0.1.0 */
export type DownloadOptions = BoosterClientModule.DownloadOptions
/** What `exportToFile` answers: `{asyncTaskId, downloadRequestId, path, bytes, sha256, contentType, rows, reconciled}`. @since 0.1.0 */
export type ExportResult = ExportToFile.Result
/** A task as the API reports it. @since 0.1.0 */
export type TaskInfo = Task.Task
/** One problem of a filter: the field's path, the rule it broke and a message naming no value. @since 0.1.0 */
export type Issue = Validation.Issue

/**
 * The customer export kind, the default of every call.
 *
 * @since 0.1.0
 */
export type CustomerKind = typeof ExportKind.Customer

/**
 * The filter an export kind takes, as written by a caller (`brand`, `posCodes`, …).
 *
 * @since 0.1.0
 */
export type FilterOf<K extends ExportKind.Any> =
  K extends ExportKind.ExportKind<infer _Request, infer Filter> ? Filter : never

/**
 * The input of `startExport`, `dryRun` and `exportToFile`: the filter, optionally with your own
 * `downloadRequestId`.
 *
 * @since 0.1.0
 */
export type ExportInput<K extends ExportKind.Any = CustomerKind> = Simplify<
  FilterOf<K> & { readonly downloadRequestId?: string }
>

/** The same object type written out field by field, so editors and compiler errors show the fields. */
type Simplify<T> = { [Key in keyof T]: T[Key] } & {}

/**
 * Options of `startExport` and `dryRun`: your own `downloadRequestId` and the export kind (default
 * customers).
 *
 * @since 0.1.0
 */
export interface StartOptions<K extends ExportKind.Any = CustomerKind> {
  /** The id to send; default: the input's `downloadRequestId`, else a fresh UUID. */
  readonly downloadRequestId?: string | undefined
  /** The export kind. Default `ExportKind.Customer`. */
  readonly kind?: K | undefined
}

/**
 * Per-call options: an `AbortSignal` to cancel the call (sleeps and transfers stop at once).
 *
 * @since 0.1.0
 */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined
}

/**
 * Options of `exportToFile`.
 *
 * @since 0.1.0
 */
export interface ExportToFileOptions<K extends ExportKind.Any = CustomerKind>
  extends CallOptions,
    StartOptions<K>,
    FollowOptions,
    DownloadOptions {
  /** Called with each change of the task while it is followed. An exception thrown here is ignored. */
  readonly onProgress?: ((progress: Progress) => void) | undefined
}

/**
 * Every tag a {@link BoosterError} can have.
 *
 * @since 0.1.0
 */
export type ErrorTag = Errors.Tag | "AbortError" | "UnexpectedError"

/**
 * The base class of every error the Promise API throws; `_tag` says which one it is (each has its
 * subclass, so `e instanceof BoosterError` and `e instanceof RateLimitedError` both work). Errors
 * answered by the server carry its HTTP `status`, the `requestId` it sent and ServiceStack's
 * `responseStatus`. No message repeats a personal value or a secret. `cause` is the Effect API's
 * error.
 *
 * @since 0.1.0
 */
export abstract class BoosterError extends Error {
  /** Which error this is. */
  abstract readonly _tag: ErrorTag
  /** What to do about it. */
  declare readonly hint: string | undefined
  /** The HTTP status answered, when there was an answer. */
  declare readonly status: number | undefined
  /** The request id the server sent back, when it sent one. */
  declare readonly requestId: string | undefined
  /** ServiceStack's `responseStatus`, when the body carried one. */
  declare readonly responseStatus: Errors.ResponseStatus | undefined
  /** The start of the raw body (at most 500 characters) when it was not ServiceStack JSON. */
  declare readonly body: string | undefined

  /** `fields` are the error's own members (`hint`, `status`, …); `options.cause` its cause. */
  constructor(message: string, fields: object = {}, options?: { readonly cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined)
    Object.assign(this, fields)
  }

  /** The same as `_tag`. */
  override get name(): string {
    return this._tag
  }
}

/** The filter broke one or more rules; nothing was sent. `issues` name each field and rule. @since 0.1.0 */
export class ValidationError extends BoosterError {
  readonly _tag = "ValidationError"
  declare readonly issues: ReadonlyArray<Issue>
}
/** HTTP 401, no credentials, or the OAuth2 token endpoint refused. @since 0.1.0 */
export class AuthenticationError extends BoosterError {
  readonly _tag = "AuthenticationError"
}
/** HTTP 403: the credentials may not do this (a brand or POS outside their scope). @since 0.1.0 */
export class PermissionError extends BoosterError {
  readonly _tag = "PermissionError"
}
/** 429 after the retries, or a `Retry-After` beyond the cap. @since 0.1.0 */
export class RateLimitedError extends BoosterError {
  readonly _tag = "RateLimitedError"
  /** How long the server asked to wait, in ms. */
  declare readonly retryAfterMs: number | undefined
  /** When to try again (ISO-8601). */
  declare readonly retryAt: string | undefined
}
/** HTTP 404, or a task id that is not a Guid. @since 0.1.0 */
export class NotFoundError extends BoosterError {
  readonly _tag = "NotFoundError"
}
/** 5xx after the retries, another 4xx, or an unreadable answer. @since 0.1.0 */
export class ServerError extends BoosterError {
  readonly _tag = "ServerError"
}
/** No usable answer: `reason` `connection` or `timeout`. @since 0.1.0 */
export class TransportError extends BoosterError {
  readonly _tag = "TransportError"
  declare readonly reason: "connection" | "timeout"
}
/** The task ended in error (status ERR). @since 0.1.0 */
export class ExportFailedError extends BoosterError {
  readonly _tag = "ExportFailedError"
  declare readonly asyncTaskId: string
  declare readonly taskStatus: string
}
/** An export request may have created a task and it could not be settled: look at `candidates` before retrying. @since 0.1.0 */
export class OutcomeUnknownError extends BoosterError {
  readonly _tag = "OutcomeUnknownError"
  declare readonly downloadRequestId: string
  declare readonly candidates: ReadonlyArray<string>
}
/** A download failed (`reason`: `length-mismatch`, `expired-url`, `exists`, `not-ready`, `io`); no partial file is left. @since 0.1.0 */
export class DownloadError extends BoosterError {
  readonly _tag = "DownloadError"
  declare readonly reason: "length-mismatch" | "expired-url" | "exists" | "not-ready" | "io"
  declare readonly path: string | undefined
}
/** Unusable client options; `field` names the option. @since 0.1.0 */
export class InvalidConfigError extends BoosterError {
  readonly _tag = "InvalidConfigError"
  declare readonly field: string
}
/** The call was stopped by its `AbortSignal`; `cause` is the signal's reason. @since 0.1.0 */
export class AbortError extends BoosterError {
  readonly _tag = "AbortError"
}
/** A failure outside the taxonomy (a bug); `cause` holds it. @since 0.1.0 */
export class UnexpectedError extends BoosterError {
  readonly _tag = "UnexpectedError"
}

const classes: Record<
  Errors.Tag,
  new (
    message: string,
    fields?: object,
    options?: { cause?: unknown }
  ) => BoosterError
> = {
  ValidationError,
  AuthenticationError,
  PermissionError,
  RateLimitedError,
  NotFoundError,
  ServerError,
  TransportError,
  ExportFailedError,
  OutcomeUnknownError,
  DownloadError,
  InvalidConfigError
}

/**
 * The Promise API's error for an error of the Effect API (kept as its `cause`).
 *
 * @since 0.1.0
 */
export const fromEffectError = (error: Errors.BoosterError): BoosterError => {
  const { _tag, message: _message, ...fields } = { ...error } as Record<string, unknown>
  return new classes[error._tag](error.message, fields, { cause: error })
}

const toPromiseError = (u: unknown): BoosterError => {
  if (u instanceof BoosterError) return u
  if (Errors.isBoosterError(u)) return fromEffectError(u)
  const message = u instanceof Error ? u.message : String(u)
  return new UnexpectedError(`Unexpected failure: ${message}`, {}, { cause: u })
}

/**
 * What {@link validate} answers.
 *
 * @since 0.1.0
 */
export type ValidateResult<F> =
  | { readonly ok: true; readonly filter: F }
  | { readonly ok: false; readonly issues: ReadonlyArray<Issue> }

/**
 * Checks (and normalises: trims, lower-cases emails, drops duplicates) a filter from any source,
 * e.g. a form or a JSON file, reporting every problem at once. Sends nothing; never throws.
 *
 * @since 0.1.0
 */
export const validate = <K extends ExportKind.Any = CustomerKind>(
  input: unknown,
  options: { readonly kind?: K | undefined } = {}
): ValidateResult<FilterOf<K>> => {
  const kind: ExportKind.Any = options.kind ?? ExportKind.Customer
  const result = Validation.validate(kind.filter, input)
  return Either.isRight(result)
    ? { ok: true, filter: result.right as FilterOf<K> }
    : { ok: false, issues: result.left.issues }
}

/**
 * Options of {@link createClient}: the client's options, where credentials may also be given as
 * plain strings (they are wrapped in `Redacted` at once). Give at most one of `auth`, `apiKey`,
 * `basic` and `oauth2`.
 *
 * @since 0.1.0
 */
export interface ClientOptions extends Omit<BoosterConfig.Options, "auth"> {
  /** Authentication as an `Auth` value (what `BoosterConfig.fromEnv()` gives). */
  readonly auth?: Auth.Auth | undefined
  /** An API key, sent as `Authorization: Bearer <key>`, or in `apiKeyHeader` when given. */
  readonly apiKey?: string | undefined
  /** The header carrying `apiKey` instead of `Authorization`, e.g. `X-Api-Key`. */
  readonly apiKeyHeader?: string | undefined
  /** HTTP basic credentials. */
  readonly basic?: { readonly username: string; readonly password: string } | undefined
  /** OAuth2 client credentials; `clientAuthentication` `"basic"` (default) or `"body"`. */
  readonly oauth2?:
    | {
        readonly tokenUrl: string
        readonly clientId: string
        readonly clientSecret: string
        readonly scope?: string | undefined
        readonly clientAuthentication?: Auth.ClientAuthentication | undefined
      }
    | undefined
}

const authOf = (options: ClientOptions): Auth.Auth | undefined => {
  const given = (["auth", "apiKey", "basic", "oauth2"] as const).filter((name) => options[name] !== undefined)
  if (given.length > 1)
    throw new InvalidConfigError(`Credentials of two kinds were given: ${given.join(" and ")}`, {
      field: given.join(","),
      hint: "Give one of auth, apiKey, basic or oauth2."
    })
  if (options.apiKeyHeader !== undefined && options.apiKey === undefined)
    throw new InvalidConfigError("apiKeyHeader was given without apiKey", {
      field: "apiKeyHeader",
      hint: "Give the key in apiKey, or leave apiKeyHeader out."
    })
  if (options.apiKey !== undefined) {
    const key = Redacted.make(options.apiKey)
    return options.apiKeyHeader !== undefined
      ? Auth.apiKeyHeader(options.apiKeyHeader, key)
      : Auth.bearer(key)
  }
  if (options.basic !== undefined)
    return Auth.basic(options.basic.username, Redacted.make(options.basic.password))
  if (options.oauth2 !== undefined)
    return Auth.oauth2ClientCredentials({
      ...options.oauth2,
      clientSecret: Redacted.make(options.oauth2.clientSecret)
    })
  return options.auth
}

/**
 * The Promise client.
 *
 * @since 0.1.0
 */
export interface Client {
  /** Validates the filter and starts the export, never twice by accident (see the README). */
  readonly startExport: <K extends ExportKind.Any = CustomerKind>(
    filter: ExportInput<K>,
    options?: CallOptions & StartOptions<K>
  ) => Promise<Started>
  /** The request `startExport` would send, secrets shown as `<redacted>`; sends nothing. */
  readonly dryRun: <K extends ExportKind.Any = CustomerKind>(
    filter: ExportInput<K>,
    options?: StartOptions<K>
  ) => Promise<DryRun>
  /** Starts, follows and downloads in one call (see {@link ExportToFileOptions}). */
  readonly exportToFile: <K extends ExportKind.Any = CustomerKind>(
    filter: ExportInput<K>,
    destination: string,
    options?: ExportToFileOptions<K>
  ) => Promise<ExportResult>
  /** Reads one task. */
  readonly getTask: (id: string, options?: CallOptions) => Promise<TaskInfo>
  /** Lists the tasks the credentials can read. */
  readonly listTasks: (options?: CallOptions) => Promise<ReadonlyArray<TaskInfo>>
  /** Each change of a task until it completes; resumable from a bare id in any process. */
  readonly followTask: (id: string, options?: CallOptions & FollowOptions) => AsyncIterable<Progress>
  /**
   * Downloads a completed task's file to `destination`: a file path, an existing folder, or a folder
   * ending with `/` (created with mode `0700` when missing).
   */
  readonly download: (
    taskOrId: TaskInfo | string,
    destination: string,
    options?: CallOptions & DownloadOptions
  ) => Promise<Downloaded>
  /** Closes the client's connections. */
  readonly close: () => Promise<void>
}

const aborted = (signal: AbortSignal): AbortError => {
  const reason: unknown = signal.reason
  const message =
    reason instanceof Error && reason.message !== "" ? reason.message : "The operation was aborted"
  return new AbortError(message, {}, { cause: reason })
}

/**
 * Creates a client. Options are checked at once: invalid ones throw `InvalidConfigError`. Logs
 * (`logLevel` / `BOOSTER_LOG`) go to stderr.
 *
 * @since 0.1.0
 */
export const createClient = (options: ClientOptions): Client => {
  const {
    apiKey: _key,
    apiKeyHeader: _header,
    basic: _basic,
    oauth2: _oauth2,
    auth: _auth,
    ...rest
  } = options
  const auth = authOf(options)
  const config: BoosterConfig.Options = auth !== undefined ? { ...rest, auth } : rest
  const checked = BoosterConfig.resolve(config)
  if (Either.isLeft(checked)) throw toPromiseError(checked.left)
  const layer = BoosterClient.layer(config).pipe(
    Layer.provideMerge(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)))
  )
  const runtime = ManagedRuntime.make(layer)

  const run = <A>(
    effect: Effect.Effect<A, Errors.BoosterError, BoosterClientModule.BoosterClient>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (signal?.aborted) return Promise.reject(aborted(signal))
    return runtime.runPromiseExit(effect, signal !== undefined ? { signal } : undefined).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      throw failureOf(exit, signal)
    })
  }

  const failureOf = (exit: Exit.Exit<unknown, unknown>, signal: AbortSignal | undefined): BoosterError => {
    if (signal?.aborted) return aborted(signal)
    if (Exit.isSuccess(exit)) return new UnexpectedError("Unexpected success")
    const failure = Cause.failureOption(exit.cause)
    return toPromiseError(Option.isSome(failure) ? failure.value : Cause.squash(exit.cause))
  }

  const followTask = (id: string, options?: CallOptions & FollowOptions): AsyncIterable<Progress> => ({
    async *[Symbol.asyncIterator]() {
      const signal = options?.signal
      if (signal?.aborted) throw aborted(signal)
      const items: Array<Progress> = []
      let ended: Exit.Exit<void, unknown> | undefined
      let wake: (() => void) | undefined
      const fiber = runtime.runFork(
        Effect.flatMap(BoosterClient, (client) =>
          Stream.runForEach(client.followTask(id, options), (progress) =>
            Effect.sync(() => {
              items.push(progress)
              wake?.()
            })
          )
        )
      )
      fiber.addObserver((exit) => {
        ended = exit
        wake?.()
      })
      const onAbort = () => fiber.unsafeInterruptAsFork(fiber.id())
      signal?.addEventListener("abort", onAbort, { once: true })
      try {
        while (true) {
          const next = items.shift()
          if (next !== undefined) {
            yield next
            continue
          }
          if (ended !== undefined) {
            if (Exit.isSuccess(ended) && !signal?.aborted) return
            throw failureOf(ended, signal)
          }
          await new Promise<void>((resolve) => {
            wake = resolve
          })
          wake = undefined
        }
      } finally {
        signal?.removeEventListener("abort", onAbort)
        if (ended === undefined) await runtime.runPromise(Fiber.interrupt(fiber))
      }
    }
  })

  const exportToFile = (
    filter: unknown,
    destination: string,
    options: ExportToFileOptions<ExportKind.Any> = {}
  ): Promise<ExportResult> => {
    const { signal, onProgress, ...rest } = options
    return run(
      ExportToFile.exportToFile(filter, destination, {
        ...rest,
        onProgress:
          onProgress !== undefined
            ? (progress) =>
                Effect.sync(() => {
                  try {
                    onProgress(progress)
                  } catch {
                    // A failing progress callback must not fail the export it reports on.
                  }
                })
            : undefined
      }),
      signal
    )
  }

  return {
    startExport: (filter, options) =>
      run(
        Effect.flatMap(BoosterClient, (c) => c.startExport(filter, options)),
        options?.signal
      ),
    dryRun: (filter, options) =>
      run(
        Effect.flatMap(BoosterClient, (c) => c.dryRun(filter, options)),
        undefined
      ),
    exportToFile,
    getTask: (id, options) =>
      run(
        Effect.flatMap(BoosterClient, (c) => c.getTask(id)),
        options?.signal
      ),
    listTasks: (options) =>
      run(
        Effect.flatMap(BoosterClient, (c) => c.listTasks()),
        options?.signal
      ),
    followTask,
    download: (taskOrId, destination, options) =>
      run(
        Effect.flatMap(BoosterClient, (c) => c.download(taskOrId, destination, options)),
        options?.signal
      ),
    close: () => runtime.dispose()
  }
}
