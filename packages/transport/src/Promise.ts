/**
 * The client for code that does not use Effect: every operation returns a Promise (or an async
 * iterable for `followTask`) and takes an `AbortSignal`. Filters are typed: a misspelt field or a
 * value of the wrong type is a compile error (and still refused at run time). Every error thrown is
 * a {@link ClientError}: the Effect API's own errors (`ValidationError`, `RateLimitedError`, …, the
 * same classes) and `AbortError` for a call stopped by its signal.
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
  Schema,
  Stream
} from "effect"
import * as Auth from "./Auth.js"
import * as BoosterClientModule from "./BoosterClient.js"
import * as BoosterConfig from "./BoosterConfig.js"
import * as Errors from "./BoosterError.js"
import * as ExportToFile from "./ExportToFile.js"
import * as Request from "./internal/request.js"

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
/** Options of `startExport` and `dryRun`: your own `downloadRequestId`, and task ids to `exclude` when a lost start is reconciled. @since 0.1.0 */
export type StartOptions = BoosterClientModule.StartOptions
/** What `exportToFile` answers: `{asyncTaskId, downloadRequestId, path, bytes, sha256, contentType, rows, reconciled, reconciliation?}`. @since 0.1.0 */
export type ExportResult = ExportToFile.Result
/**
 * A task as the API reports it, `requestDate` in ISO-8601 (`requestDateRaw` as the server wrote it).
 *
 * @since 0.1.0
 */
export type TaskInfo = Task.Task
/** One problem of a filter: the field's path, the rule it broke and a message naming no value. @since 0.1.0 */
export type Issue = Validation.Issue

/**
 * An export kind: its command-line name (`"stock"`) or its value (`ExportKind.Stock`).
 *
 * @category kinds
 * @since 0.1.0
 */
export type Kind = BoosterClientModule.Kind

/**
 * The filter an export kind takes, as written by a caller (`brand`, `posCodes`, …):
 * `FilterOf<"stock">`.
 *
 * @category kinds
 * @since 0.1.0
 */
export type FilterOf<K extends Kind> = ExportKind.FilterOf<K>

/**
 * The input of `startExport`, `dryRun` and `exportToFile` for kind `K` (customers by default): the
 * filter, optionally with your own `downloadRequestId`.
 *
 * @category models
 * @since 0.1.0
 */
export type ExportInput<K extends Kind = "customers"> = BoosterClientModule.ExportInput<K>

/**
 * Per-call options: an `AbortSignal` to cancel the call (sleeps and transfers stop at once).
 *
 * @category options
 * @since 0.1.0
 */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined
}

/**
 * Options of `exportToFile`.
 *
 * @category options
 * @since 0.1.0
 */
export interface ExportToFileOptions extends CallOptions, StartOptions, FollowOptions, DownloadOptions {
  /** Called with each change of the task while it is followed. An exception thrown here is ignored. */
  readonly onProgress?: ((progress: Progress) => void) | undefined
}

/**
 * The errors the Effect API fails with are the errors this API throws: the same classes
 * (`Schema.TaggedError`, each an `Error` with `_tag`, `message` and `hint`), re-exported here so that
 * `error instanceof RateLimitedError` needs no second import.
 */
export {
  AuthenticationError,
  DownloadError,
  ExportFailedError,
  InvalidConfigError,
  NotFoundError,
  OutcomeUnknownError,
  PermissionError,
  RateLimitedError,
  ServerError,
  TransportError,
  ValidationError
} from "./BoosterError.js"

/**
 * The call was stopped by its `AbortSignal`; `cause` is the signal's reason. Only this API throws it
 * (the Effect API is interrupted instead).
 *
 * @category errors
 * @since 0.1.0
 */
export class AbortError extends Schema.TaggedError<AbortError>()("AbortError", {
  message: Schema.String,
  hint: Schema.String,
  cause: Schema.optional(Schema.Unknown)
}) {}

/**
 * A failure outside the taxonomy (a bug); `cause` holds it.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnexpectedError extends Schema.TaggedError<UnexpectedError>()("UnexpectedError", {
  message: Schema.String,
  hint: Schema.String,
  cause: Schema.optional(Schema.Unknown)
}) {}

/**
 * Everything this API throws: an error of the Effect API ({@link Errors.BoosterError}), an
 * {@link AbortError} or an {@link UnexpectedError}. Tell them apart by `_tag` or with `instanceof`.
 *
 * @category errors
 * @since 0.1.0
 */
export type ClientError = Errors.BoosterError | AbortError | UnexpectedError

/**
 * Every tag a {@link ClientError} can have.
 *
 * @category errors
 * @since 0.1.0
 */
export type ErrorTag = ClientError["_tag"]

/**
 * True for anything this API throws ({@link ClientError}).
 *
 * @category guards
 * @since 0.1.0
 */
export const isClientError = (u: unknown): u is ClientError =>
  u instanceof AbortError || u instanceof UnexpectedError || Errors.isBoosterError(u)

/**
 * @deprecated Use {@link ClientError} (the type) and {@link isClientError} (the check); `instanceof
 * BoosterError` still works for one release.
 * @since 0.1.0
 */
export type BoosterError = ClientError

/**
 * @deprecated Use {@link isClientError}: `error instanceof BoosterError` still works for one release.
 * @since 0.1.0
 */
export const BoosterError: { readonly [Symbol.hasInstance]: (u: unknown) => u is ClientError } = {
  [Symbol.hasInstance]: isClientError
}

/**
 * @deprecated The Promise API throws the Effect API's errors themselves: this answers `error`.
 * @since 0.1.0
 */
export const fromEffectError = <E extends Errors.BoosterError>(error: E): E => error

const toClientError = (u: unknown): ClientError => {
  if (isClientError(u)) return u
  const message = u instanceof Error ? u.message : String(u)
  return new UnexpectedError({
    message: `Unexpected failure: ${message}`,
    hint: "This is a bug of the client: report it with the steps that led to it.",
    cause: u
  })
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
export const validate = <K extends Kind = "customers">(
  input: unknown,
  options: { readonly kind?: K | undefined } = {}
): ValidateResult<FilterOf<K>> => {
  const given: Kind = options.kind ?? ExportKind.Customer
  const kind = typeof given === "string" ? ExportKind.byName(given) : given
  if (kind === undefined)
    return {
      ok: false,
      issues: [
        {
          path: "",
          rule: "kind",
          message: `is not an export kind: use one of ${ExportKind.names.join(", ")}`
        }
      ]
    }
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
    throw new Errors.InvalidConfigError({
      message: `Credentials of two kinds were given: ${given.join(" and ")}`,
      field: given.join(","),
      hint: "Give one of auth, apiKey, basic or oauth2."
    })
  if (options.apiKeyHeader !== undefined && options.apiKey === undefined)
    throw new Errors.InvalidConfigError({
      message: "apiKeyHeader was given without apiKey",
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
  /**
   * Validates the filter (of `kind`; customers when no kind is given) and starts the export, never
   * twice by accident (see the README). Rejects with `ValidationError`, `InvalidConfigError`,
   * `OutcomeUnknownError` or a request error.
   *
   * ```ts
   * await client.startExport({ brand: "CAR", posCodes: ["IT100"] })
   * await client.startExport("stock", { brand: "CAR", articleCodes: ["A1"] })
   * ```
   */
  readonly startExport: {
    <K extends Kind>(kind: K, filter: ExportInput<K>, options?: CallOptions & StartOptions): Promise<Started>
    (filter: ExportInput, options?: CallOptions & StartOptions): Promise<Started>
  }
  /** The request `startExport` would send (same arguments), secrets shown as `<redacted>`; sends nothing. */
  readonly dryRun: {
    <K extends Kind>(kind: K, filter: ExportInput<K>, options?: StartOptions): Promise<DryRun>
    (filter: ExportInput, options?: StartOptions): Promise<DryRun>
  }
  /** Starts, follows and downloads in one call (see {@link ExportToFileOptions}); `kind` first when not customers. */
  readonly exportToFile: {
    <K extends Kind>(
      kind: K,
      filter: ExportInput<K>,
      destination: string,
      options?: ExportToFileOptions
    ): Promise<ExportResult>
    (filter: ExportInput, destination: string, options?: ExportToFileOptions): Promise<ExportResult>
  }
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
  return new AbortError({ message, hint: "The call was cancelled by its AbortSignal.", cause: reason })
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
  if (Either.isLeft(checked)) throw checked.left
  const layer = BoosterClientModule.layer(config).pipe(
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

  const failureOf = (exit: Exit.Exit<unknown, unknown>, signal: AbortSignal | undefined): ClientError => {
    if (signal?.aborted) return aborted(signal)
    if (Exit.isSuccess(exit)) return toClientError(new Error("unexpected success"))
    const failure = Cause.failureOption(exit.cause)
    return toClientError(Option.isSome(failure) ? failure.value : Cause.squash(exit.cause))
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

  const exportToFile = (...args: ReadonlyArray<unknown>): Promise<ExportResult> => {
    const at = Request.isKindArgument(args[0]) ? 3 : 2
    const given = args[at] as ExportToFileOptions | undefined
    const { signal, onProgress, ...rest } = given ?? {}
    const options: ExportToFile.Options = {
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
    }
    const call = [...args.slice(0, at), options]
    return run(
      (
        ExportToFile.exportToFile as (
          ...a: ReadonlyArray<unknown>
        ) => ReturnType<typeof ExportToFile.exportToFile>
      )(...call),
      signal
    )
  }

  /** `(kind, filter, options)` or `(filter, options)`: the options, whichever form was used. */
  const optionsOf = (args: ReadonlyArray<unknown>): (CallOptions & StartOptions) | undefined =>
    (Request.isKindArgument(args[0]) ? args[2] : args[1]) as (CallOptions & StartOptions) | undefined

  return {
    startExport: (...args: ReadonlyArray<unknown>) =>
      run(
        Effect.flatMap(BoosterClient, (c) =>
          (
            c.startExport as (
              ...a: ReadonlyArray<unknown>
            ) => ReturnType<BoosterClientModule.Service["startExport"]>
          )(...args)
        ),
        optionsOf(args)?.signal
      ),
    dryRun: (...args: ReadonlyArray<unknown>) =>
      run(
        Effect.flatMap(BoosterClient, (c) =>
          (c.dryRun as (...a: ReadonlyArray<unknown>) => ReturnType<BoosterClientModule.Service["dryRun"]>)(
            ...args
          )
        ),
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
