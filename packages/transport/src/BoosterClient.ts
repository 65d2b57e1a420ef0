/**
 * The Booster client as an Effect service: start an export (never twice by accident), read and list
 * tasks, follow a task to completion as a stream of progress, and download its file atomically.
 *
 * @since 0.1.0
 */

import { ExportKind, Task } from "@booster-export/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import {
  Chunk,
  Clock,
  Context,
  Duration,
  Effect,
  Either,
  FiberRef,
  Layer,
  Logger,
  LogLevel,
  Option,
  Random,
  Redacted,
  Ref,
  Schema,
  Stream
} from "effect"
import * as Auth from "./Auth.js"
import * as BoosterConfig from "./BoosterConfig.js"
import * as BoosterError from "./BoosterError.js"
import * as Download from "./internal/download.js"
import * as Http from "./internal/http.js"
import * as Retry from "./Retry.js"

/**
 * What `startExport` answers: the task created, the `downloadRequestId` sent (generated when not
 * given) and the filter's fingerprint. `reconciled` is true when the request's answer was lost and
 * the task was found by listing tasks instead (see the README's duplicate-safety table).
 *
 * @since 0.1.0
 */
export interface Started {
  readonly asyncTaskId: string
  readonly downloadRequestId: string
  readonly fingerprint: string
  readonly reconciled: boolean
}

/**
 * What `dryRun` answers: the request that would be sent, with secrets shown as `<redacted>`.
 *
 * @since 0.1.0
 */
export interface DryRun {
  readonly method: "POST"
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
  readonly downloadRequestId: string
  readonly fingerprint: string
  readonly description: string
}

/**
 * One observation of a task while following it.
 *
 * @since 0.1.0
 */
export interface Progress {
  readonly asyncTaskId: string
  readonly status: string
  readonly statusKind: Task.StatusKind
  readonly percentage: number
  readonly totalResults?: number
  readonly totalSucceeded?: number
  readonly totalFailed?: number
  readonly task: Task.Task
}

/**
 * What `download` answers: where the file is, its size in bytes, its SHA-256 (hex) and the content
 * type the server gave.
 *
 * @since 0.1.0
 */
export type Downloaded = Download.Downloaded

/**
 * Options of `startExport` and `dryRun`.
 *
 * @since 0.1.0
 */
export interface StartOptions {
  /** The id to send; default: the input's `downloadRequestId`, else a fresh UUID. */
  readonly downloadRequestId?: string | undefined
  /** The export kind; default {@link ExportKind.Customer}. */
  readonly kind?: ExportKind.Any | undefined
}

/**
 * Options of `followTask`; each defaults to the client's configuration.
 *
 * @since 0.1.0
 */
export interface FollowOptions {
  readonly pollInitialMs?: number | undefined
  readonly pollMaxMs?: number | undefined
  readonly timeoutMs?: number | undefined
}

/**
 * Options of `download`.
 *
 * @since 0.1.0
 */
export interface DownloadOptions {
  /** Replace an existing file at the destination. Default false. */
  readonly overwrite?: boolean | undefined
}

/**
 * The operations of the client.
 *
 * @since 0.1.0
 */
export interface Service {
  /**
   * Validates `input` (a filter; `downloadRequestId` optional) and starts the export. The same
   * `downloadRequestId` goes with every attempt; an ambiguous failure is reconciled against the task
   * list before any retry, and fails with `OutcomeUnknownError` when it cannot be settled.
   */
  readonly startExport: (
    input: unknown,
    options?: StartOptions
  ) => Effect.Effect<Started, BoosterError.BoosterError>
  /** The request `startExport` would send; sends nothing. */
  readonly dryRun: (
    input: unknown,
    options?: StartOptions
  ) => Effect.Effect<DryRun, BoosterError.ValidationError>
  /** Reads one task (`GET /tasks/{id}`); the id may be given with or without dashes. */
  readonly getTask: (id: string) => Effect.Effect<Task.Task, BoosterError.BoosterError>
  /** Lists the tasks the credentials can read (`GET /tasks`). */
  readonly listTasks: () => Effect.Effect<ReadonlyArray<Task.Task>, BoosterError.BoosterError>
  /**
   * Polls a task, emitting a {@link Progress} whenever it changes; ends after COM, fails with
   * `ExportFailedError` at ERR and with `TransportError` (`timeout`) when the follow time runs out.
   */
  readonly followTask: (
    id: string,
    options?: FollowOptions
  ) => Stream.Stream<Progress, BoosterError.BoosterError>
  /**
   * Downloads a completed task's file to `destination` (a file path, or an existing folder). The
   * file appears only when complete and of the announced length; no API credential or header is
   * sent to the download URL; an expired or refused URL is refreshed once by re-reading the task.
   */
  readonly download: (
    taskOrId: Task.Task | string,
    destination: string,
    options?: DownloadOptions
  ) => Effect.Effect<Downloaded, BoosterError.BoosterError>
}

const decodeTask = Schema.decodeUnknownEither(Schema.parseJson(Task.Task))
const decodeTaskList = Schema.decodeUnknownEither(Schema.parseJson(Task.TaskList))
const decodeExportResponse = Schema.decodeUnknownEither(Schema.parseJson(Task.ExportResponse))

interface CachedToken {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: number
}

const TokenResponse = Schema.Struct({
  access_token: Schema.String,
  expires_in: Schema.optional(Schema.Union(Schema.Number, Schema.NumberFromString))
})
const decodeToken = Schema.decodeUnknownEither(Schema.parseJson(TokenResponse))

const USER_AGENT = "booster-export/0.1"

const logLevelOf = (level: BoosterConfig.LogLevel): LogLevel.LogLevel => {
  switch (level) {
    case "debug":
      return LogLevel.Debug
    case "info":
      return LogLevel.Info
    case "warn":
      return LogLevel.Warning
    case "error":
      return LogLevel.Error
    case "none":
      return LogLevel.None
  }
}

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

const progressOf = (task: Task.Task): Progress => ({
  asyncTaskId: task.asyncTaskId,
  status: task.status,
  statusKind: Task.statusKind(task.status),
  percentage: task.percentage,
  ...(task.totalResults !== undefined ? { totalResults: task.totalResults } : {}),
  ...(task.totalSucceeded !== undefined ? { totalSucceeded: task.totalSucceeded } : {}),
  ...(task.totalFailed !== undefined ? { totalFailed: task.totalFailed } : {}),
  task
})

const progressKey = (p: Progress) =>
  `${p.status}|${p.percentage}|${p.totalResults ?? ""}|${p.totalSucceeded ?? ""}|${p.totalFailed ?? ""}`

/**
 * Builds the client from resolved options over an `HttpClient`.
 *
 * @since 0.1.0
 */
export const makeWith = (
  config: BoosterConfig.Resolved
): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const http = HttpClient.transformResponse(yield* HttpClient.HttpClient, (response) =>
      Effect.withTracerEnabled(response, false)
    )
    const tokenCache = yield* Ref.make(Option.none<CachedToken>())
    const tokenLock = yield* Effect.makeSemaphore(1)
    const known = new Set<string>()
    const policy = config.retry
    const withLogLevel = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      config.logLevel === undefined ? effect : Logger.withMinimumLogLevel(effect, logLevelOf(config.logLevel))

    const urlOf = (relative: string) => new URL(relative.replace(/^\//, ""), config.baseUrl)

    const logAttempt = (
      method: string,
      url: URL | string,
      attempt: number,
      started: number,
      status: string
    ) =>
      Effect.flatMap(FiberRef.get(FiberRef.currentMinimumLogLevel), (minimum) =>
        LogLevel.greaterThan(minimum, LogLevel.Debug)
          ? Effect.void
          : Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.logDebug("booster http").pipe(
                Effect.annotateLogs({
                  method,
                  url: Http.redactUrl(url),
                  status,
                  attempt,
                  durationMs: now - started
                })
              )
            )
      )

    const fetchToken = (auth: Auth.OAuth2ClientCredentials) =>
      Effect.gen(function* () {
        const started = yield* Clock.currentTimeMillis
        const form: Record<string, string> = { grant_type: "client_credentials" }
        if (auth.clientAuthentication === "body") {
          form.client_id = auth.clientId
          form.client_secret = Redacted.value(auth.clientSecret)
        }
        if (auth.scope !== undefined) form.scope = auth.scope
        // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined for basic
        const basic = Buffer.from(
          `${encodeURIComponent(auth.clientId)}:${encodeURIComponent(Redacted.value(auth.clientSecret))}`
        ).toString("base64")
        const request = HttpClientRequest.post(auth.tokenUrl).pipe(
          HttpClientRequest.bodyUrlParams(form),
          HttpClientRequest.acceptJson,
          HttpClientRequest.setHeader("user-agent", USER_AGENT),
          auth.clientAuthentication === "basic"
            ? HttpClientRequest.setHeader("authorization", `Basic ${basic}`)
            : (request) => request
        )
        const answer = yield* Http.sendOnce(http, request, "the OAuth2 token request", config.timeoutMs).pipe(
          Effect.retry(
            Retry.schedule(policy, (e: Http.AttemptError) => ({ retryable: e.outcome !== "final" }))
          ),
          Effect.tapBoth({
            onFailure: (e) => logAttempt("POST", auth.tokenUrl, 1, started, String(e.status ?? e.error._tag)),
            onSuccess: (a) => logAttempt("POST", auth.tokenUrl, 1, started, String(a.status))
          }),
          Effect.mapError(
            (e) =>
              new BoosterError.AuthenticationError({
                ...(e.status !== undefined ? { status: e.status } : {}),
                message: `The OAuth2 token endpoint refused or failed the request (${e.status !== undefined ? `HTTP ${e.status}` : e.error.message})`,
                hint: "Check the token URL, client id, client secret and scope."
              })
          )
        )
        const decoded = decodeToken(answer.text)
        if (Either.isLeft(decoded)) {
          return yield* new BoosterError.AuthenticationError({
            status: answer.status,
            message: "The OAuth2 token endpoint answered without an access_token",
            hint: "Check the token URL."
          })
        }
        const now = yield* Clock.currentTimeMillis
        const lifetimeMs = (decoded.right.expires_in ?? 3600) * 1000
        const cached: CachedToken = {
          token: Redacted.make(decoded.right.access_token),
          expiresAt: now + Math.max(0, lifetimeMs - Math.min(30_000, lifetimeMs / 10))
        }
        yield* Ref.set(tokenCache, Option.some(cached))
        return cached.token
      })

    const oauthToken = (auth: Auth.OAuth2ClientCredentials, fresh: boolean) =>
      tokenLock.withPermits(1)(
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const cached = yield* Ref.get(tokenCache)
          if (!fresh && Option.isSome(cached) && cached.value.expiresAt > now) return cached.value.token
          return yield* fetchToken(auth)
        })
      )

    const lowerCased = (headers: Readonly<Record<string, string>>) =>
      Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))
    const getHeaders = { accept: "application/json", ...lowerCased(config.headers) }
    const postHeaders = {
      accept: "application/json",
      "content-type": "application/json",
      ...lowerCased(config.headers)
    }

    const staticCredentials = (
      auth: Exclude<Auth.Auth, Auth.OAuth2ClientCredentials>
    ): Record<string, string> => {
      switch (auth._tag) {
        case "None":
          return {}
        case "Bearer":
          return { authorization: `Bearer ${Redacted.value(auth.token)}` }
        case "ApiKeyHeader":
          return { [auth.header.toLowerCase()]: Redacted.value(auth.key) }
        case "Basic":
          return {
            authorization: `Basic ${Buffer.from(`${auth.username}:${Redacted.value(auth.password)}`).toString("base64")}`
          }
      }
    }
    const auth = config.auth
    const authHeaders: (
      fresh: boolean
    ) => Effect.Effect<Record<string, string>, BoosterError.AuthenticationError> =
      auth._tag === "OAuth2ClientCredentials"
        ? (fresh) =>
            Effect.map(oauthToken(auth, fresh), (token) => ({
              authorization: `Bearer ${Redacted.value(token)}`
            }))
        : (
            (fixed) => () =>
              fixed
          )(Effect.succeed(staticCredentials(auth)))

    /**
     * One attempt against the API origin, with credentials; an OAuth2 401 refreshes the token and
     * resends once (a 401 means the request was not processed).
     */
    const attempt = (
      method: "GET" | "POST",
      url: URL,
      body: string | undefined,
      what: string,
      attemptNo: number
    ): Effect.Effect<Http.Answer, Http.AttemptError> => {
      const send = (fresh: boolean) =>
        Effect.gen(function* () {
          const credentials = yield* Effect.mapError(
            authHeaders(fresh),
            (error) => new Http.AttemptError({ outcome: "final", error })
          )
          const request = Http.jsonRequest(
            method,
            url,
            {
              ...(method === "POST" ? postHeaders : getHeaders),
              ...credentials,
              "user-agent": USER_AGENT,
              ...(attemptNo > 1 ? { "x-booster-retry-count": String(attemptNo - 1) } : {})
            },
            body
          )
          const started = yield* Clock.currentTimeMillis
          return yield* Http.sendOnce(http, request, what, config.timeoutMs).pipe(
            Effect.tapBoth({
              onFailure: (e) => logAttempt(method, url, attemptNo, started, String(e.status ?? e.error._tag)),
              onSuccess: (a) => logAttempt(method, url, attemptNo, started, String(a.status))
            })
          )
        })
      if (config.auth._tag !== "OAuth2ClientCredentials") return send(false)
      return send(false).pipe(
        Effect.catchIf(
          (e) => e.status === 401,
          () => send(true)
        )
      )
    }

    /** A GET with the retry policy (GETs are safe to repeat). */
    const retrySchedule = Retry.schedule(policy, (e: Http.AttemptError) => ({
      retryable: Http.isRetryable(e),
      retryAfterMs: e.retryAfterMs
    }))

    const getJson = (relative: string, what: string): Effect.Effect<Http.Answer, BoosterError.BoosterError> =>
      Effect.suspend(() => {
        const url = urlOf(relative)
        // The retry machinery is built only after a first failure, which is replayed to it first.
        return attempt("GET", url, undefined, what, 1).pipe(
          Effect.catchAll((first) => {
            let attempts = 0
            return Effect.retry(
              Effect.suspend(() =>
                ++attempts === 1 ? Effect.fail(first) : attempt("GET", url, undefined, what, attempts)
              ),
              retrySchedule
            )
          }),
          Effect.mapError((e) => e.error)
        )
      })

    const getTask = (id: string): Effect.Effect<Task.Task, BoosterError.BoosterError> =>
      withLogLevel(
        Effect.gen(function* () {
          const trimmed = id.trim()
          if (!Task.isGuid(trimmed)) {
            return yield* new BoosterError.NotFoundError({
              message: "The task id is not a Guid",
              hint: "A task id is 32 hexadecimal digits, with or without dashes."
            })
          }
          const answer = yield* getJson(`tasks/${encodeURIComponent(trimmed)}`, "GET /tasks/{id}")
          const task = decodeTask(answer.text)
          if (Either.isLeft(task)) {
            return yield* Http.unreadable("GET /tasks/{id}", answer.status, Http.requestIdOf(answer.headers))
          }
          return task.right
        })
      )

    const listTasks = (): Effect.Effect<ReadonlyArray<Task.Task>, BoosterError.BoosterError> =>
      withLogLevel(
        Effect.gen(function* () {
          const answer = yield* getJson("tasks", "GET /tasks")
          const tasks = decodeTaskList(answer.text)
          if (Either.isLeft(tasks)) {
            return yield* Http.unreadable("GET /tasks", answer.status, Http.requestIdOf(answer.headers))
          }
          return tasks.right
        })
      )

    const prepare = (input: unknown, options: StartOptions | undefined) =>
      Effect.gen(function* () {
        const kind = options?.kind ?? ExportKind.Customer
        const given =
          typeof input === "object" && input !== null
            ? (input as Record<string, unknown>).downloadRequestId
            : undefined
        const downloadRequestId =
          options?.downloadRequestId ?? (typeof given === "string" && given.trim() !== "" ? given : undefined)
        const id = downloadRequestId ?? (yield* Effect.sync(() => crypto.randomUUID()))
        const raw = typeof input === "object" && input !== null ? { ...input, downloadRequestId: id } : input
        const prepared = yield* ExportKind.prepare(kind, raw, { dateFormat: config.dateFormat })
        return {
          kind,
          prepared,
          downloadRequestId: (prepared.request as { downloadRequestId: string }).downloadRequestId
        }
      })

    const dryRun = (input: unknown, options?: StartOptions) =>
      Effect.gen(function* () {
        const { downloadRequestId, prepared } = yield* prepare(input, options)
        const headers: Record<string, string> = {
          accept: "application/json",
          "content-type": "application/json",
          "user-agent": USER_AGENT,
          ...config.headers
        }
        for (const name of Auth.secretHeaders(config.auth)) headers[name] = "<redacted>"
        return {
          method: "POST" as const,
          url: urlOf(prepared.path).toString(),
          headers,
          body: JSON.parse(prepared.body) as unknown,
          downloadRequestId,
          fingerprint: prepared.fingerprint,
          description: prepared.description
        }
      })

    /** Tasks that may have been created by an export sent at `sentAt` (see the README). */
    const reconcile = (kind: ExportKind.Any, brand: string, sentAt: number) =>
      Effect.map(listTasks(), (tasks) =>
        tasks
          .filter((task) => {
            if (!sameText(task.type, kind.taskType) || !sameText(task.brand, brand)) return false
            if (known.has(Task.canonicalGuid(task.asyncTaskId))) return false
            const requested = Task.parseApiDate(task.requestDate)
            return requested === undefined || requested.getTime() >= sentAt - config.clockSkewMs
          })
          .map((task) => task.asyncTaskId)
      )

    const startExport = (
      input: unknown,
      options?: StartOptions
    ): Effect.Effect<Started, BoosterError.BoosterError> =>
      withLogLevel(
        Effect.gen(function* () {
          const { downloadRequestId, kind, prepared } = yield* prepare(input, options)
          const url = urlOf(prepared.path)
          const what = `POST ${kind.path}`
          const brand = (prepared.request as { brand: string }).brand
          const firstSentAt = yield* Clock.currentTimeMillis
          const started = (asyncTaskId: string, reconciled: boolean): Started => {
            known.add(Task.canonicalGuid(asyncTaskId))
            return { asyncTaskId, downloadRequestId, fingerprint: prepared.fingerprint, reconciled }
          }
          const unknown = (last: Http.AttemptError, candidates: ReadonlyArray<string>, why: string) =>
            new BoosterError.OutcomeUnknownError({
              ...(last.status !== undefined ? { status: last.status } : {}),
              downloadRequestId,
              candidates,
              message: `The export request may have created a task: ${why} (downloadRequestId ${downloadRequestId})`,
              hint:
                candidates.length > 0
                  ? `Check tasks ${candidates.join(", ")} before starting the export again.`
                  : "List your tasks before starting the export again, to avoid exporting the same data twice."
            })
          for (let attemptNo = 1; ; attemptNo++) {
            const result = yield* Effect.either(attempt("POST", url, prepared.body, what, attemptNo))
            if (Either.isRight(result)) {
              const answer = result.right
              const decoded = decodeExportResponse(answer.text)
              if (Either.isLeft(decoded)) {
                return yield* unknown(
                  new Http.AttemptError({
                    outcome: "ambiguous",
                    status: answer.status,
                    error: Http.unreadable(what, answer.status, undefined)
                  }),
                  [],
                  `the API answered HTTP ${answer.status} with a body this client cannot read`
                )
              }
              return started(decoded.right.asyncTaskId, false)
            }
            const failure = result.left
            const retriesLeft = attemptNo <= policy.maxRetries
            if (failure.outcome === "final") return yield* failure.error
            if (Retry.exceedsCap(policy, { retryable: true, retryAfterMs: failure.retryAfterMs })) {
              return yield* failure.error
            }
            if (failure.outcome === "ambiguous") {
              const listed = yield* Effect.either(reconcile(kind, brand, firstSentAt))
              if (Either.isLeft(listed)) {
                return yield* unknown(
                  failure,
                  [],
                  `${failure.error.message}, and the task list could not be read`
                )
              }
              const candidates = listed.right
              if (candidates.length === 1) return started(candidates[0]!, true)
              if (candidates.length > 1) {
                return yield* unknown(
                  failure,
                  candidates,
                  `${failure.error.message}; several recent tasks match`
                )
              }
              const mayStillRun =
                failure.status === 504 ||
                (failure.error._tag === "TransportError" && failure.error.reason === "timeout")
              if (mayStillRun) {
                return yield* unknown(
                  failure,
                  [],
                  `${failure.error.message}; no matching task is visible yet, but the server may still be processing the request`
                )
              }
            }
            if (!retriesLeft) return yield* failure.error
            const random = yield* Random.next
            const delay = failure.retryAfterMs ?? Retry.jitteredBackoffMs(policy, attemptNo, random)
            yield* Effect.sleep(Duration.millis(delay))
          }
        })
      )

    const followTask = (
      id: string,
      options?: FollowOptions
    ): Stream.Stream<Progress, BoosterError.BoosterError> => {
      const initial = options?.pollInitialMs ?? config.poll.initialMs
      const max = Math.max(initial, options?.pollMaxMs ?? config.poll.maxMs)
      const timeout = options?.timeoutMs ?? config.followTimeoutMs
      type State =
        | {
            readonly _tag: "Polling"
            readonly key?: string
            readonly status?: string
            readonly delay: number
            readonly deadline: number
          }
        | { readonly _tag: "Done" }
        | { readonly _tag: "Failed"; readonly error: BoosterError.BoosterError }
      const step = (
        state: State
      ): Effect.Effect<Option.Option<readonly [Chunk.Chunk<Progress>, State]>, BoosterError.BoosterError> =>
        Effect.gen(function* () {
          if (state._tag === "Done") return Option.none()
          if (state._tag === "Failed") return yield* Effect.fail(state.error)
          if (state.key !== undefined) {
            const now = yield* Clock.currentTimeMillis
            if (now + state.delay > state.deadline) {
              return yield* new BoosterError.TransportError({
                reason: "timeout",
                message: `The task was still ${state.status ?? "running"} after ${Math.round(timeout / 1000)} s of following`,
                hint: "Follow it again later with its task id; the export keeps running on the server."
              })
            }
            yield* Effect.sleep(Duration.millis(state.delay))
          }
          const task = yield* getTask(id)
          const progress = progressOf(task)
          const key = progressKey(progress)
          const out = key === state.key ? Chunk.empty<Progress>() : Chunk.of(progress)
          if (progress.statusKind === "completed") return Option.some([out, { _tag: "Done" }] as const)
          if (progress.statusKind === "error") {
            const error = new BoosterError.ExportFailedError({
              asyncTaskId: task.asyncTaskId,
              taskStatus: task.status,
              message: `The export task ${task.asyncTaskId} ended in error (${task.status})`,
              hint: "Start the export again, or contact the API's support with the task id."
            })
            return Option.some([out, { _tag: "Failed", error }] as const)
          }
          const delay =
            state.key === undefined
              ? initial
              : state.status !== task.status
                ? initial
                : Math.min(max, Math.round(state.delay * 1.5))
          return Option.some([
            out,
            { _tag: "Polling", key, status: task.status, delay, deadline: state.deadline }
          ] as const)
        })
      return Stream.unwrap(
        Effect.map(Clock.currentTimeMillis, (now) =>
          Stream.unfoldChunkEffect<State, Progress, BoosterError.BoosterError, never>(
            { _tag: "Polling", delay: initial, deadline: now + timeout },
            step
          )
        )
      )
    }

    const downloadUrlOf = (task: Task.Task): Option.Option<URL> => {
      const raw = task.signedDownloadUrl ?? task.downloadUrl
      if (raw === undefined || raw.trim() === "") return Option.none()
      try {
        return Option.some(new URL(raw, config.baseUrl))
      } catch {
        return Option.none()
      }
    }

    const download = (
      taskOrId: Task.Task | string,
      destination: string,
      options?: DownloadOptions
    ): Effect.Effect<Downloaded, BoosterError.BoosterError> =>
      withLogLevel(
        Effect.gen(function* () {
          const overwrite = options?.overwrite === true
          const initialTask = typeof taskOrId === "string" ? yield* getTask(taskOrId) : taskOrId
          const urlFor = (task: Task.Task) =>
            Option.match(downloadUrlOf(task), {
              onNone: () =>
                Effect.fail(
                  new BoosterError.DownloadError({
                    reason: "not-ready",
                    message: `The task ${task.asyncTaskId} has no download URL (status ${task.status})`,
                    hint: "Wait for the task to complete (follow it), then download."
                  })
                ),
              onSome: Effect.succeed
            })
          const firstUrl = yield* urlFor(initialTask)
          const target = yield* Download.resolveTarget(
            destination,
            firstUrl,
            Task.canonicalGuid(initialTask.asyncTaskId)
          )
          if (!overwrite && (yield* Download.exists(target))) return yield* Download.existsError(target)
          const fetchOnce = (url: URL) =>
            Effect.gen(function* () {
              const counter = yield* Ref.make(0)
              return yield* Ref.updateAndGet(counter, (n) => n + 1).pipe(
                Effect.flatMap((n) =>
                  Effect.flatMap(Clock.currentTimeMillis, (started) =>
                    Download.fetchToFile(url, target, {
                      overwrite,
                      idleTimeoutMs: config.downloadIdleTimeoutMs,
                      timeoutMs: config.timeoutMs
                    }).pipe(
                      Effect.tapBoth({
                        onFailure: (e) =>
                          logAttempt("GET", url, n, started, String(e.status ?? e.error._tag)),
                        onSuccess: () => logAttempt("GET", url, n, started, "200")
                      })
                    )
                  )
                ),
                Effect.retry(
                  Retry.schedule(policy, (e: Http.AttemptError) => ({
                    retryable: Http.isRetryable(e),
                    retryAfterMs: e.retryAfterMs
                  }))
                ),
                Effect.mapError((e) => e.error)
              )
            })
          return yield* fetchOnce(firstUrl).pipe(
            Effect.catchIf(
              (e): e is BoosterError.DownloadError =>
                e._tag === "DownloadError" && e.reason === "expired-url",
              (expired) =>
                Effect.gen(function* () {
                  const fresh = yield* getTask(initialTask.asyncTaskId)
                  const url = yield* urlFor(fresh)
                  return yield* fetchOnce(url).pipe(
                    Effect.mapError((e) =>
                      e._tag === "DownloadError" && e.reason === "expired-url"
                        ? new BoosterError.DownloadError({
                            ...expired,
                            message: `The download URL was refused again after reading a fresh one from the task (HTTP ${e.status ?? "?"})`,
                            hint: "The storage refuses this task's URLs; check the task, or try again later."
                          })
                        : e
                    )
                  )
                })
            )
          )
        })
      )

    return { startExport, dryRun, getTask, listTasks, followTask, download }
  })

/**
 * Builds the client from options over an `HttpClient`, failing with `InvalidConfigError` for
 * unusable options.
 *
 * @since 0.1.0
 */
export const make = (
  options: BoosterConfig.Options
): Effect.Effect<Service, BoosterError.InvalidConfigError, HttpClient.HttpClient> =>
  Effect.flatMap(BoosterConfig.resolve(options), makeWith)

/**
 * The `HttpClient` the layers use: undici (Node's own `fetch` engine) with a dispatcher of its own
 * and keep-alive connections. Measured faster here than `node:http` through the platform layer (see
 * the README's performance figures).
 *
 * @since 0.1.0
 */
export const httpLayer: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici

/**
 * The client service.
 *
 * @since 0.1.0
 */
export class BoosterClient extends Context.Tag("@booster-export/transport/BoosterClient")<
  BoosterClient,
  Service
>() {
  /** The client from options, over Node's HTTP stack. */
  static layer(options: BoosterConfig.Options): Layer.Layer<BoosterClient, BoosterError.InvalidConfigError> {
    return Layer.effect(BoosterClient, make(options)).pipe(Layer.provide(httpLayer))
  }
  /** The client from the environment (`BOOSTER_BASE_URL`, `BOOSTER_API_KEY`, …), over Node's HTTP stack. */
  static readonly layerConfig: Layer.Layer<
    BoosterClient,
    BoosterError.InvalidConfigError | import("effect").ConfigError.ConfigError
  > = Layer.effect(BoosterClient, Effect.flatMap(BoosterConfig.config, make)).pipe(Layer.provide(httpLayer))
  /** The client from options over an `HttpClient` provided by the caller. */
  static layerWith(
    options: BoosterConfig.Options
  ): Layer.Layer<BoosterClient, BoosterError.InvalidConfigError, HttpClient.HttpClient> {
    return Layer.effect(BoosterClient, make(options))
  }
}
