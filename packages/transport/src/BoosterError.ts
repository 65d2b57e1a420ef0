/**
 * The errors of the Booster client: a small tagged taxonomy. Every error carries a one-line
 * `message` a person can act on and a `hint` (what to do next); errors answered by the server carry
 * its HTTP `status`, the request id it sent (if any) and ServiceStack's `responseStatus` fields
 * (error code, message, field errors) when present. No error message ever repeats a personal value
 * or a secret.
 *
 * @since 0.1.0
 */
import { Validation } from "@booster-export/core"
import { Schema } from "effect"

/**
 * One field error of a ServiceStack `responseStatus`.
 *
 * @category models
 * @since 0.1.0
 */
export const FieldError = Schema.Struct({
  errorCode: Schema.optional(Schema.String),
  fieldName: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String)
})

/**
 * ServiceStack's error block: `{errorCode, message, errors: [{errorCode, fieldName, message}]}`.
 *
 * @category models
 * @since 0.1.0
 */
export const ResponseStatus = Schema.Struct({
  errorCode: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  errors: Schema.optional(Schema.Array(FieldError))
})

/**
 * @since 0.1.0
 */
export type ResponseStatus = typeof ResponseStatus.Type

/** The members every error answered by the server carries. */
const HttpFields = {
  /** A one-line account of what went wrong. */
  message: Schema.String,
  /** What to do about it. */
  hint: Schema.String,
  /** The HTTP status answered, when there was an answer. */
  status: Schema.optional(Schema.Number),
  /** The request id the server sent back (`x-request-id` and similar), when it sent one. */
  requestId: Schema.optional(Schema.String),
  /** ServiceStack's `responseStatus`, when the body carried one. */
  responseStatus: Schema.optional(ResponseStatus),
  /** The start of the raw body (at most 200 characters, scrubbed) when it was not ServiceStack JSON. */
  body: Schema.optional(Schema.String),
  /**
   * True when the request reached the server and this is its answer (a refusal after sending);
   * absent when nothing was answered. Server text in these errors is scrubbed: no control
   * characters, and the request's personal values replaced by a placeholder.
   */
  sent: Schema.optional(Schema.Boolean)
}

/**
 * The input broke one or more rules of the export filter (core's error); nothing was sent.
 *
 * @category errors
 * @since 0.1.0
 */
export const ValidationError = Validation.ValidationError

/**
 * @since 0.1.0
 */
export type ValidationError = Validation.ValidationError

/**
 * The server refused the credentials (HTTP 401), or none were configured, or the OAuth2 token
 * endpoint refused the client.
 *
 * @category errors
 * @since 0.1.0
 */
export class AuthenticationError extends Schema.TaggedError<AuthenticationError>()(
  "AuthenticationError",
  HttpFields
) {}

/**
 * The credentials are valid but not allowed to do this (HTTP 403), e.g. a brand outside the key's
 * scope.
 *
 * @category errors
 * @since 0.1.0
 */
export class PermissionError extends Schema.TaggedError<PermissionError>()("PermissionError", HttpFields) {}

/**
 * The server kept answering 429, or asked to wait longer than the configured cap. `retryAfterMs`
 * says how long it asked to wait; `retryAt` (ISO-8601) says when to try again.
 *
 * @category errors
 * @since 0.1.0
 */
export class RateLimitedError extends Schema.TaggedError<RateLimitedError>()("RateLimitedError", {
  ...HttpFields,
  retryAfterMs: Schema.optional(Schema.Number),
  retryAt: Schema.optional(Schema.String)
}) {}

/**
 * The task (or route) does not exist (HTTP 404).
 *
 * @category errors
 * @since 0.1.0
 */
export class NotFoundError extends Schema.TaggedError<NotFoundError>()("NotFoundError", HttpFields) {}

/**
 * The server failed (5xx after the retries), refused the request (other 4xx) or answered something
 * this client cannot read.
 *
 * @category errors
 * @since 0.1.0
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", HttpFields) {}

/**
 * No usable answer: the connection failed (`connection`) or the time ran out (`timeout`: an attempt,
 * the whole follow, or a download that went idle).
 *
 * @category errors
 * @since 0.1.0
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  ...HttpFields,
  reason: Schema.Literal("connection", "timeout")
}) {}

/**
 * The export task ended in error (status ERR). `task` is the task as last read.
 *
 * @category errors
 * @since 0.1.0
 */
export class ExportFailedError extends Schema.TaggedError<ExportFailedError>()("ExportFailedError", {
  ...HttpFields,
  asyncTaskId: Schema.String,
  taskStatus: Schema.String
}) {}

/**
 * The export request may or may not have created a task (a timeout, reset or 5xx after the request
 * was sent) and reconciliation could not settle it. Look at `candidates` (task ids created after the
 * request was sent, with the request's brand and task type) before starting the export again: doing
 * so blindly may export the same personal data twice.
 *
 * @category errors
 * @since 0.1.0
 */
export class OutcomeUnknownError extends Schema.TaggedError<OutcomeUnknownError>()("OutcomeUnknownError", {
  ...HttpFields,
  downloadRequestId: Schema.String,
  candidates: Schema.Array(Schema.String)
}) {}

/**
 * A download failed: the bytes received did not match the announced length (`length-mismatch`),
 * the signed URL stayed expired or refused after one refresh (`expired-url`), the destination exists
 * and overwriting was not asked (`exists`), the task has no download URL yet (`not-ready`), the
 * file system failed (`io`), or the URL breaks the URL policy (`unsafe-url`: plain http from an https
 * API, a scheme other than http/https, user info, or a private or link-local host; nothing was sent
 * to it). No partial file is left behind.
 *
 * @category errors
 * @since 0.1.0
 */
export class DownloadError extends Schema.TaggedError<DownloadError>()("DownloadError", {
  ...HttpFields,
  reason: Schema.Literal("length-mismatch", "expired-url", "exists", "not-ready", "io", "unsafe-url"),
  path: Schema.optional(Schema.String)
}) {}

/**
 * The configuration is unusable (missing or malformed base URL, plain `http://` to a non-loopback
 * host, a bad number, a local key file that cannot be created). `field` names the option or
 * environment variable; `path` and `code` (the operating system's error code, e.g. `EACCES`) are set
 * when a local file could not be created or read.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidConfigError extends Schema.TaggedError<InvalidConfigError>()("InvalidConfigError", {
  message: Schema.String,
  hint: Schema.String,
  field: Schema.String,
  path: Schema.optional(Schema.String),
  code: Schema.optional(Schema.String)
}) {}

/**
 * The errors of any request to the API (or to the storage serving a download): the server refused
 * the credentials or the permission, rate-limited, did not know the route or task, failed, or did
 * not answer. Each operation of the client fails with these and with its own errors only: `getTask`
 * and `listTasks` with these alone, `followTask` also with `ExportFailedError`, `download` also with
 * `DownloadError`, `startExport` also with `ValidationError`, `InvalidConfigError` and
 * `OutcomeUnknownError`.
 *
 * @category errors
 * @since 0.1.0
 */
export type RequestError =
  | AuthenticationError
  | PermissionError
  | RateLimitedError
  | NotFoundError
  | ServerError
  | TransportError

/**
 * Every error an operation of the client can fail with.
 *
 * @category errors
 * @since 0.1.0
 */
export type BoosterError =
  | RequestError
  | ValidationError
  | ExportFailedError
  | OutcomeUnknownError
  | DownloadError
  | InvalidConfigError

/**
 * The schema of {@link BoosterError}, e.g. to encode an error as JSON for `--json` or MCP output.
 *
 * @category errors
 * @since 0.1.0
 */
export const BoosterError = Schema.Union(
  Validation.ValidationError,
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
)

/**
 * The `_tag`s of {@link BoosterError}.
 *
 * @category errors
 * @since 0.1.0
 */
export type Tag = BoosterError["_tag"]

/**
 * True for any error of this taxonomy.
 *
 * @category guards
 * @since 0.1.0
 */
export const isBoosterError = (u: unknown): u is BoosterError => Schema.is(BoosterError)(u)
