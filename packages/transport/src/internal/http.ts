import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Data, Effect, Schema } from "effect"
import * as BoosterError from "../BoosterError.js"

/** What an attempt's failure says about the request's effect on the server. */
export type Outcome =
  /** The request never reached the server, or the server refused it before doing anything (429, 503). */
  | "not-sent"
  /** The request may have been processed: a timeout, reset or 5xx after sending. */
  | "ambiguous"
  /** The server answered a definite refusal (4xx other than 408/429): retrying will not help. */
  | "final"

/** The failure of one HTTP attempt, classified for the retry policy. */
export class AttemptError extends Data.TaggedError("AttemptError")<{
  readonly error: BoosterError.BoosterError
  readonly outcome: Outcome
  readonly status?: number
  readonly retryAfterMs?: number
}> {}

export const isRetryable = (e: AttemptError): boolean => e.outcome !== "final"

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

const SAFE_QUERY = new Set(["expires", "format"])

/** A URL fit for logs and errors: query values other than `expires` shown as `<redacted>`, no user info. */
export const redactUrl = (url: string | URL): string => {
  try {
    const parsed = new URL(url.toString())
    parsed.username = ""
    parsed.password = ""
    const params = [...parsed.searchParams.keys()]
    if (params.length === 0) return parsed.toString()
    const query = [...parsed.searchParams.entries()]
      .map(
        ([k, v]) =>
          `${encodeURIComponent(k)}=${SAFE_QUERY.has(k.toLowerCase()) ? encodeURIComponent(v) : "<redacted>"}`
      )
      .join("&")
    parsed.search = ""
    return `${parsed.toString()}?${query}`
  } catch {
    return "<unreadable url>"
  }
}

const ErrorBody = Schema.Struct({ responseStatus: BoosterError.ResponseStatus })
const decodeErrorBody = Schema.decodeUnknownOption(Schema.parseJson(ErrorBody))

const describeStatus = (
  status: number,
  what: string,
  responseStatus: BoosterError.ResponseStatus | undefined
) => {
  const detail = responseStatus?.message ?? responseStatus?.errorCode
  return `${what} (HTTP ${status}${detail !== undefined ? `: ${detail.slice(0, 200)}` : ""})`
}

/** The Booster error for a non-2xx answer. `what` names the operation, e.g. `GET /tasks/{id}`. */
export const statusError = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  text: string,
  what: string,
  nowMs: number
): AttemptError => {
  const parsed = decodeErrorBody(text)
  const responseStatus = parsed._tag === "Some" ? parsed.value.responseStatus : undefined
  const requestId = requestIdOf(headers)
  const base = {
    status,
    ...(requestId !== undefined ? { requestId } : {}),
    ...(responseStatus !== undefined ? { responseStatus } : text !== "" ? { body: text.slice(0, 500) } : {})
  }
  const after = retryAfterMs(headers, nowMs)
  if (status === 401) {
    return new AttemptError({
      outcome: "final",
      status,
      error: new BoosterError.AuthenticationError({
        ...base,
        message: describeStatus(status, `The API refused the credentials for ${what}`, responseStatus),
        hint: "Check BOOSTER_API_KEY (and BOOSTER_API_KEY_HEADER if the key goes in a named header)."
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
    const issues = (responseStatus?.errors ?? []).map((e) => ({
      path: e.fieldName ?? "",
      rule: e.errorCode ?? "server",
      message: e.message ?? "was refused by the server"
    }))
    const [first, ...rest] = issues
    return new AttemptError({
      outcome: "final",
      status,
      error:
        first !== undefined
          ? new BoosterError.ValidationError({ issues: [first, ...rest] })
          : new BoosterError.ServerError({
              ...base,
              message: describeStatus(status, `The API refused ${what}`, responseStatus),
              hint: "The request was not accepted; check the filter against the documentation."
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
export const transportError = (cause: HttpClientError, what: string): AttemptError => {
  const code = errorCode(cause.cause) ?? errorCode(cause)
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

/** One HTTP attempt returning the whole answer (headers and body text) or a classified failure. */
export const sendOnce = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  what: string,
  timeoutMs: number
): Effect.Effect<Answer, AttemptError> =>
  timeoutAfter(
    client.execute(request).pipe(
      Effect.flatMap((response: HttpClientResponse.HttpClientResponse) =>
        Effect.map(
          response.text,
          (text): Answer => ({ status: response.status, headers: response.headers, text })
        )
      ),
      Effect.mapError((e) => transportError(e, what))
    ),
    timeoutMs,
    () => timeoutError(what, timeoutMs)
  ).pipe(
    Effect.flatMap((answer) =>
      answer.status >= 200 && answer.status < 300
        ? Effect.succeed(answer)
        : Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.fail(statusError(answer.status, answer.headers, answer.text, what, now))
          )
    )
  )

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
  method === "GET"
    ? HttpClientRequest.get(url, { headers })
    : HttpClientRequest.post(url, {
        headers,
        body: HttpBody.text(body ?? "", headers["content-type"] ?? "application/json")
      })

export const unreadable = (what: string, status: number, requestId: string | undefined) =>
  new BoosterError.ServerError({
    status,
    ...(requestId !== undefined ? { requestId } : {}),
    message: `The API answered ${what} with a body this client cannot read`,
    hint: "Check that BOOSTER_BASE_URL points at the Booster2 API (not a web page or proxy)."
  })

export { HttpClient }
