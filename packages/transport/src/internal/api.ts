import { ApiMetadata, Task } from "@booster-export/core"
import type * as HttpClient from "@effect/platform/HttpClient"
import { Clock, Effect, Either, Schema } from "effect"
import type * as BoosterConfig from "../BoosterConfig.js"
import * as BoosterError from "../BoosterError.js"
import * as Retry from "../Retry.js"
import * as Scrub from "../Scrub.js"
import * as UrlPolicy from "../UrlPolicy.js"
import * as Auth from "./auth.js"
import * as Http from "./http.js"
import { logAttempt } from "./log.js"
import { apiUrl, USER_AGENT } from "./request.js"

export { apiUrl, USER_AGENT } from "./request.js"

/** Requests to the API origin, with credentials, as the other parts of the client use them. */
export interface Api {
  readonly config: BoosterConfig.Resolved
  /**
   * One attempt (no retry) of a request to `url`; `attemptNo` > 1 adds `x-booster-retry-count`.
   * `scrub` cleans the server's text in errors (default: control characters only).
   */
  readonly attempt: (
    method: "GET" | "POST",
    url: URL,
    body: string | undefined,
    what: string,
    attemptNo: number,
    scrub?: (text: string) => string
  ) => Effect.Effect<Http.Answer, Http.AttemptError>
  /** A GET of an API route with the retry policy (GETs are safe to repeat). */
  readonly getJson: (relative: string, what: string) => Effect.Effect<Http.Answer, BoosterError.RequestError>
  /** `GET /tasks/{id}`. */
  readonly getTask: (id: string) => Effect.Effect<Task.Task, BoosterError.RequestError>
  /** `GET /tasks`. */
  readonly listTasks: () => Effect.Effect<ReadonlyArray<Task.Task>, BoosterError.RequestError>
  /** `GET /types/metadata`, read as core's `ApiMetadata.read` reads it. */
  readonly apiMetadata: () => Effect.Effect<ApiMetadata.MetadataTypes, BoosterError.RequestError>
}

const decodeTask = Schema.decodeUnknownEither(Schema.parseJson(Task.Task))
const decodeTaskList = Schema.decodeUnknownEither(Schema.parseJson(Task.TaskList))

/** A task with control characters removed from every text field the server wrote. */
const cleanTask = (task: Task.Task): Task.Task => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(task))
    out[key] = typeof value === "string" ? Scrub.line(value) : value
  return out as unknown as Task.Task
}

const lowerCased = (headers: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

/**
 * The API requests of `config` over `client`; `send` makes each attempt (default: through `client`,
 * which also serves the OAuth2 token endpoint).
 */
export const make = (
  config: BoosterConfig.Resolved,
  client: HttpClient.HttpClient,
  send: Http.Send = Http.sendWith(client)
): Effect.Effect<Api> =>
  Effect.gen(function* () {
    const credentials = yield* Auth.make(config, client, logAttempt, USER_AGENT)
    const getHeaders = { accept: "application/json", ...lowerCased(config.headers) }
    const postHeaders = {
      accept: "application/json",
      "content-type": "application/json",
      ...lowerCased(config.headers)
    }

    // every API URL is under the base URL: whether it uses the insecure-http opt-out is known once
    const insecureBase = UrlPolicy.usesInsecureOptOut(config.baseUrl)
    const plain = Scrub.make()
    const attempt: Api["attempt"] = (method, url, body, what, attemptNo, scrub = plain) =>
      credentials.authenticated((auth) =>
        Effect.gen(function* () {
          const headers = {
            ...(method === "POST" ? postHeaders : getHeaders),
            ...auth,
            "user-agent": USER_AGENT,
            ...(attemptNo > 1 ? { "x-booster-retry-count": String(attemptNo - 1) } : {})
          }
          if (url.origin === config.baseUrl.origin ? insecureBase : UrlPolicy.usesInsecureOptOut(url))
            yield* UrlPolicy.warnIfInsecure(url)
          const started = yield* Clock.currentTimeMillis
          return yield* send(method, url, headers, body, what, config.timeoutMs, {
            maxBytes: config.maxResponseBytes,
            scrub
          }).pipe(
            Effect.tapBoth({
              onFailure: (e) => logAttempt(method, url, attemptNo, started, String(e.status ?? e.error._tag)),
              onSuccess: (a) => logAttempt(method, url, attemptNo, started, String(a.status))
            })
          )
        })
      )

    const retrySchedule = Retry.schedule(config.retry, (e: Http.AttemptError) => ({
      retryable: Http.isRetryable(e),
      retryAfterMs: e.retryAfterMs
    }))

    const getJson: Api["getJson"] = (relative, what) =>
      Effect.suspend(() => {
        const url = apiUrl(config, relative)
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

    const getTask: Api["getTask"] = (id) =>
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
        return cleanTask(task.right)
      })

    const listTasks: Api["listTasks"] = () =>
      Effect.gen(function* () {
        const answer = yield* getJson("tasks", "GET /tasks")
        const tasks = decodeTaskList(answer.text)
        if (Either.isLeft(tasks)) {
          return yield* Http.unreadable("GET /tasks", answer.status, Http.requestIdOf(answer.headers))
        }
        return tasks.right.map(cleanTask)
      })

    const apiMetadata: Api["apiMetadata"] = () =>
      Effect.gen(function* () {
        const what = `GET ${ApiMetadata.PATH}`
        const answer = yield* getJson(ApiMetadata.PATH, what)
        const doc = ApiMetadata.read(answer.text)
        if (Either.isRight(doc)) return doc.right
        const requestId = Http.requestIdOf(answer.headers)
        return yield* new BoosterError.ServerError({
          status: answer.status,
          sent: true,
          ...(requestId !== undefined ? { requestId: Scrub.excerpt(requestId) } : {}),
          message: `The API answered ${what} with a document this client does not read: ${doc.left.message}`,
          hint:
            doc.left.reason === "too-deep"
              ? "The metadata is malformed or hostile; check that BOOSTER_BASE_URL points at the Booster2 API."
              : "Check that BOOSTER_BASE_URL is the ServiceStack service itself (not a web page or proxy)."
        })
      })

    return { config, attempt, getJson, getTask, listTasks, apiMetadata }
  })
