import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Data, Effect, Schema, Stream } from "effect"
import * as BoosterError from "../BoosterError.js"
import * as Redact from "../Redact.js"
import * as Scrub from "../Scrub.js"

/** What an attempt's failure says about the request's effect on the server. */
export type Outcome =
  /** The request never reached the server, or the server refused it before doing anything (429, 503). */
  | "not-sent"
  /** The request may have been processed: a timeout, reset or 5xx after sending. */
  | "ambiguous"
  /** The server answered a definite refusal (4xx other than 408/429): retrying will not help. */
  | "final"

/** What one attempt can fail with: a request error, or a download's own error. */
type AttemptFailure = BoosterError.RequestError | BoosterError.DownloadError

/** What an {@link AttemptError} is built from. */
interface AttemptFields<E extends AttemptFailure> {
  readonly error: E
  readonly outcome: Outcome
  readonly status?: number
  readonly retryAfterMs?: number
}

/**
 * The failure of one HTTP attempt, classified for the retry policy; `error` is what the operation
 * fails with (a request error for the API, also a `DownloadError` for a download).
 */
export class AttemptError<out E extends AttemptFailure = BoosterError.RequestError> extends Data.TaggedError(
  "AttemptError"
)<AttemptFields<AttemptFailure>> {
  declare readonly error: E
  constructor(fields: AttemptFields<E>) {
    super(fields)
  }
}

export const isRetryable = (e: { readonly outcome: Outcome }): boolean => e.outcome !== "final"

const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** The error code of a transport failure (`ECONNREFUSED`, …), looking through `cause` chains. */
export const errorCode = (cause: unknown): string | undefined => {
  let current: unknown = cause
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const REQUEST_ID_HEADERS = [
  "x-request-id",
  "request-id",
  "x-correlation-id",
  "x-amzn-requestid",
  "x-ms-request-id"
]

export const requestIdOf = (headers: Readonly<Record<string, string | undefined>>): string | undefined => {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers[name]
    if (value !== undefined && value !== "") return value.slice(0, 200)
  }
  return undefined
}

/**
 * The delay a response asks for: `retry-after-ms` (milliseconds) first, then `Retry-After`
 * (seconds or an HTTP date). `undefined` when absent or unreadable.
 */
export const retryAfterMs = (
  headers: Readonly<Record<string, string | undefined>>,
  nowMs: number
): number | undefined => {
  const ms = headers["retry-after-ms"]
  if (ms !== undefined) {
    const value = Number.parseFloat(ms)
    if (Number.isFinite(value) && value >= 0) return value
  }
  const after = headers["retry-after"]
  if (after === undefined) return undefined
  const trimmed = after.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number.parseFloat(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

const ErrorBody = Schema.Struct({ responseStatus: BoosterError.ResponseStatus })
const decodeErrorBody = Schema.decodeUnknownOption(Schema.parseJson(ErrorBody))

const describeStatus = (
  status: number,
  what: string,
  responseStatus: BoosterError.ResponseStatus | undefined
) => {
  const detail = responseStatus?.message ?? responseStatus?.errorCode
  return `${what} (HTTP ${status}${detail !== undefined && detail !== "" ? `: ${detail.slice(0, Scrub.EXCERPT_CHARS)}` : ""})`
}

const scrubResponseStatus = (
  responseStatus: BoosterError.ResponseStatus,
  scrub: (text: string) => string
): BoosterError.ResponseStatus => {
  const clean = (text: string | undefined) =>
    text === undefined ? {} : { value: Scrub.excerpt(text, scrub) }
  const field = (name: string, text: string | undefined) => {
    const c = clean(text)
    return "value" in c ? { [name]: c.value } : {}
  }
  return {
    ...field("errorCode", responseStatus.errorCode),
    ...field("message", responseStatus.message),
    ...(responseStatus.errors !== undefined
      ? {
          errors: responseStatus.errors.map((e) => ({
            ...field("errorCode", e.errorCode),
            ...field("fieldName", e.fieldName),
            ...field("message", e.message)
          }))
        }
      : {})
  }
}

/**
 * The Booster error for a non-2xx answer. `what` names the operation, e.g. `GET /tasks/{id}`;
 * `personal` cleans every string that came from the server (see `Scrub.make`), and every URL in it
 * loses its user info and query (`Redact.urlsInText`), before it is put in the error.
 */
export const statusError = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  text: string,
  what: string,
  nowMs: number,
  personal: (text: string) => string = Scrub.make()
): AttemptError => {
  const scrub = (server: string) => Redact.urlsInText(personal(server))
  const parsed = decodeErrorBody(text)
  const responseStatus =
    parsed._tag === "Some" ? scrubResponseStatus(parsed.value.responseStatus, scrub) : undefined
  const rawRequestId = requestIdOf(headers)
  const requestId = rawRequestId === undefined ? undefined : Scrub.excerpt(rawRequestId, scrub)
  const base = {
    status,
    sent: true,
    ...(requestId !== undefined ? { requestId } : {}),
    ...(responseStatus !== undefined
      ? { responseStatus }
      : text !== ""
        ? { body: Scrub.excerpt(text, scrub) }
        : {})
  }
  const after = retryAfterMs(headers, nowMs)
  if (status === 401) {
    return new AttemptError({
      outcome: "final",
      status,
      error: new BoosterError.AuthenticationError({
        ...base,
        message: describeStatus(status, `The API refused the credentials for ${what}`, responseStatus),
        hint: "Check the API key: BOOSTER_API_KEY, the file named by BOOSTER_API_KEY_FILE or by the profile's apiKeyFile (and BOOSTER_API_KEY_HEADER if the key goes in a named header)."
      })
    })
  }
  if (status === 403) {
    return new AttemptError({
      outcome: "final",
      status,
      error: new BoosterError.PermissionError({
        ...base,
        message: describeStatus(status, `The credentials are not allowed to ${what}`, responseStatus),
        hint: "Ask for access to this brand or point of sale, or use a key that has it."
      })
    })
  }
  if (status === 404) {
    return new AttemptError({
      outcome: "final",
      status,
      error: new BoosterError.NotFoundError({
        ...base,
        message: describeStatus(status, `Not found: ${what}`, responseStatus),
        hint: "Check the task id (list tasks to see the ones this key can read) and the base URL."
      })
    })
  }
  if (status === 429) {
    const retryAt = after !== undefined ? new Date(nowMs + after).toISOString() : undefined
    return new AttemptError({
      outcome: "not-sent",
      status,
      ...(after !== undefined ? { retryAfterMs: after } : {}),
      error: new BoosterError.RateLimitedError({
        ...base,
        ...(after !== undefined ? { retryAfterMs: after } : {}),
        ...(retryAt !== undefined ? { retryAt } : {}),
        message:
          retryAt !== undefined
            ? `Rate limited on ${what}: the API asks to wait ${Math.ceil(after! / 1000)} s (until ${retryAt})`
            : `Rate limited on ${what} (HTTP 429)`,
        hint: retryAt !== undefined ? `Try again after ${retryAt}.` : "Wait a minute and try again."
      })
    })
  }
  if (status === 400 || status === 422) {
    const fields = (responseStatus?.errors ?? [])
      .map((e) => e.fieldName)
      .filter((name): name is string => name !== undefined && name !== "")
    return new AttemptError({
      outcome: "final",
      status,
      error: new BoosterError.ServerError({
        ...base,
        message: describeStatus(
          status,
          `The API received and refused ${what}${fields.length > 0 ? ` (fields: ${fields.join(", ")})` : ""}`,
          responseStatus
        ),
        hint: "The API refused the request (no export was started); check the filter against the documentation."
      })
    })
  }
  const ambiguous =
    status === 408 || status === 500 || status === 502 || status === 504 || (status > 504 && status < 600)
  const notSent = status === 503
  return new AttemptError({
    outcome: ambiguous ? "ambiguous" : notSent ? "not-sent" : "final",
    status,
    ...(after !== undefined ? { retryAfterMs: after } : {}),
    error: new BoosterError.ServerError({
      ...base,
      message: describeStatus(status, `The API failed ${what}`, responseStatus),
      hint:
        status >= 500
          ? "The service is having trouble; try again later."
          : "The request was not accepted; check the base URL and the request."
    })
  })
}

/** The Booster error for a transport failure (no answer). */
export const transportError = (cause: HttpClientError, what: string): AttemptError =>
  connectionError(errorCode(cause.cause) ?? errorCode(cause), what)

/** The Booster error for a failed connection whose error code (`ECONNREFUSED`, …) is `code`. */
export const connectionError = (code: string | undefined, what: string): AttemptError => {
  const notSent = code !== undefined && NOT_SENT_CODES.has(code)
  return new AttemptError({
    outcome: notSent ? "not-sent" : "ambiguous",
    error: new BoosterError.TransportError({
      reason: "connection",
      message: notSent
        ? `Could not connect to the API for ${what} (${code})`
        : `The connection failed during ${what}${code !== undefined ? ` (${code})` : ""}`,
      hint: "Check BOOSTER_BASE_URL and the network, then try again."
    })
  })
}

export const timeoutError = (what: string, ms: number): AttemptError =>
  new AttemptError({
    outcome: "ambiguous",
    error: new BoosterError.TransportError({
      reason: "timeout",
      message: `No answer from the API for ${what} within ${Math.round(ms / 1000)} s`,
      hint: "The service may be slow; raise the timeout or try again later."
    })
  })

/** A successful answer: status, lower-case headers and body text. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly text: string
}

/**
 * Fails with `onTimeout()` when `self` has not finished within `ms` (wall-clock time), interrupting
 * it. Lighter than `Effect.timeoutFail` (one forked fiber and one timer, no race of two fibers),
 * which matters on the request path: it runs once per attempt.
 */
export const timeoutAfter = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  ms: number,
  onTimeout: () => E
): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.forkDaemon(self), (fiber) =>
    Effect.async<A, E>((resume) => {
      const timer = setTimeout(() => {
        fiber.unsafeInterruptAsFork(fiber.id())
        resume(Effect.fail(onTimeout()))
      }, ms)
      fiber.addObserver((exit) => {
        clearTimeout(timer)
        resume(exit)
      })
      return Effect.sync(() => {
        clearTimeout(timer)
        fiber.unsafeInterruptAsFork(fiber.id())
      })
    })
  )

/** How an attempt reads and reports its answer. */
export interface ReadOptions {
  /** Largest body read, in bytes; a larger one fails without being buffered. */
  readonly maxBytes: number
  /** Cleans server text before it is put in an error. */
  readonly scrub?: ((text: string) => string) | undefined
}

/** The failure of an answer larger than `maxBytes`, which is not read. */
export const tooLarge = (method: string, what: string, status: number, maxBytes: number) =>
  new AttemptError({
    // a POST answered may have done its work: let the caller reconcile
    outcome: method === "POST" ? "ambiguous" : "final",
    status,
    error: new BoosterError.ServerError({
      status,
      sent: true,
      message: `The API answered ${what} with more than ${maxBytes} bytes: not read`,
      hint: "Check that BOOSTER_BASE_URL points at the Booster2 API, or raise maxResponseBytes."
    })
  })

/** The body as text, failing as soon as more than `maxBytes` bytes arrive (counted while reading). */
const readCapped = (
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number,
  onTooLarge: () => AttemptError,
  what: string
): Effect.Effect<string, AttemptError> => {
  const length = Number(response.headers["content-length"])
  if (Number.isFinite(length) && length > maxBytes) return Effect.fail(onTooLarge())
  if (Number.isFinite(length)) return Effect.mapError(response.text, (e) => transportError(e, what))
  return response.stream.pipe(
    Stream.mapError((e) => transportError(e, what)),
    Stream.runFoldEffect({ chunks: [] as Array<Uint8Array>, size: 0 }, (acc, chunk) => {
      acc.size += chunk.length
      if (acc.size > maxBytes) return Effect.fail(onTooLarge())
      acc.chunks.push(chunk)
      return Effect.succeed(acc)
    }),
    Effect.map(({ chunks }) => Buffer.concat(chunks).toString("utf8"))
  )
}

/**
 * One attempt of a request to the API (no retry): the whole answer (status, headers, body text) of
 * a 2xx, or a classified failure — a non-2xx answer, a body over `read.maxBytes`, no answer
 * within `timeoutMs`, or a failed connection.
 */
export type Send = (
  method: "GET" | "POST",
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: string | undefined,
  what: string,
  timeoutMs: number,
  read: ReadOptions
) => Effect.Effect<Answer, AttemptError>

/** {@link Send} over an Effect `HttpClient`. */
export const sendWith =
  (client: HttpClient.HttpClient): Send =>
  (method, url, headers, body, what, timeoutMs, read) =>
    sendOnce(client, jsonRequest(method, url, headers, body), what, timeoutMs, read)

/** The answer of a 2xx, or the failure for any other status. */
export const checkStatus = (
  answer: Answer,
  what: string,
  read: ReadOptions
): Effect.Effect<Answer, AttemptError> =>
  answer.status >= 200 && answer.status < 300
    ? Effect.succeed(answer)
    : Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.fail(statusError(answer.status, answer.headers, answer.text, what, now, read.scrub))
      )

/** One HTTP attempt returning the whole answer (headers and body text) or a classified failure. */
export const sendOnce = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  what: string,
  timeoutMs: number,
  read: ReadOptions
): Effect.Effect<Answer, AttemptError> =>
  timeoutAfter(
    client.execute(request).pipe(
      Effect.mapError((e) => transportError(e, what)),
      Effect.flatMap((response: HttpClientResponse.HttpClientResponse) =>
        Effect.map(
          readCapped(
            response,
            read.maxBytes,
            () => tooLarge(request.method, what, response.status, read.maxBytes),
            what
          ),
          (text): Answer => ({ status: response.status, headers: response.headers, text })
        )
      )
    ),
    timeoutMs,
    () => timeoutError(what, timeoutMs)
  ).pipe(Effect.flatMap((answer) => checkStatus(answer, what, read)))

/**
 * A request built in one step: `headers` as given (lower-case names, merged by the caller in
 * precedence order), and for a POST the body typed by `headers["content-type"]` (default JSON).
 */
export const jsonRequest = (
  method: "GET" | "POST",
  url: URL,
  headers: Readonly<Record<string, string>>,
  body?: string
): HttpClientRequest.HttpClientRequest =>
  // the URL as text: a URL object is taken apart into parameters here, and put together again to send
  method === "GET"
    ? HttpClientRequest.get(url.href, { headers })
    : HttpClientRequest.post(url.href, {
        headers,
        body: HttpBody.text(body ?? "", headers["content-type"] ?? "application/json")
      })

export const unreadable = (what: string, status: number, requestId: string | undefined) =>
  new BoosterError.ServerError({
    status,
    sent: true,
    ...(requestId !== undefined ? { requestId: Scrub.excerpt(requestId) } : {}),
    message: `The API answered ${what} with a body this client cannot read`,
    hint: "Check that BOOSTER_BASE_URL points at the Booster2 API (not a web page or proxy)."
  })

export { HttpClient }
