/**
 * What the API answers: the `ExportCustomerResponse` (`{asyncTaskId}`) and the asynchronous `Task`
 * it creates. Decoding is tolerant: Guids with or without dashes, an open set of statuses, dates kept
 * raw (their format is not documented) with a parser for ISO and ServiceStack's `/Date(ms±zzzz)/`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const GUID = /^\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$/

/**
 * A Guid as the server writes it, with or without dashes (and braces).
 *
 * @since 0.1.0
 */
export const Guid = Schema.String.pipe(
  Schema.pattern(GUID, { message: () => "must be a Guid (32 hexadecimal digits, dashes optional)" })
).annotations({
  title: "Guid",
  description: "A Guid, with or without dashes.",
  examples: ["00000000000000000000000000000000", "9b2e4f0a-6c1d-4e8b-8f3a-2d5c7b9e1a40"]
})

/**
 * The canonical form of a Guid: 32 lower-case hexadecimal digits, no dashes or braces. Two ids name
 * the same task exactly when their canonical forms are equal.
 *
 * @since 0.1.0
 */
export const canonicalGuid = (id: string): string => id.replace(/[{}-]/g, "").toLowerCase()

/**
 * True when `id` is a Guid in any accepted form.
 *
 * @since 0.1.0
 */
export const isGuid = (id: string): boolean => GUID.test(id.trim())

/**
 * `ExportCustomerResponse`: the id of the export task created.
 *
 * @since 0.1.0
 */
export const ExportResponse = Schema.Struct({
  asyncTaskId: Guid.annotations({ description: "The id of the export task created." })
})

/**
 * @since 0.1.0
 */
export type ExportResponse = typeof ExportResponse.Type

const optionalNullable = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(schema, { exact: true, nullable: true })

const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative())

/**
 * An asynchronous task (`GET /tasks/{asyncTaskId}`). Unknown members are ignored; `null` members are
 * read as absent.
 *
 * @since 0.1.0
 */
export const Task = Schema.Struct({
  asyncTaskId: Guid.annotations({ description: "Task id." }),
  type: Schema.String.annotations({ description: "Task type, e.g. crm, stock, sellout (open set)." }),
  requestDate: Schema.String.annotations({
    description: "When the task was requested, as the server wrote it."
  }),
  status: Schema.String.annotations({
    description: "REQ (requested), INP (in progress), COM (completed), ERR (error); other values are kept."
  }),
  percentage: Schema.Number.pipe(Schema.finite()).annotations({ description: "Completion, 0..100." }),
  brand: Schema.String.annotations({ description: "Brand trigram." }),
  downloadUrl: optionalNullable(Schema.String).annotations({ description: "Where the created files are." }),
  signedDownloadUrl: optionalNullable(Schema.String).annotations({
    description: "Presigned, expiring download URL; fetched without the API's credentials."
  }),
  totalResults: optionalNullable(Count).annotations({ description: "Number of records exported." }),
  totalSucceeded: optionalNullable(Count).annotations({ description: "Records that succeeded." }),
  totalFailed: optionalNullable(Count).annotations({ description: "Records that failed." })
})

/**
 * @since 0.1.0
 */
export type Task = typeof Task.Type

/**
 * The list answered by `GET /tasks`: every task of the authorised user, imports (`ImportRequest`)
 * included, of every export kind — never assume a task in it is an export of yours, or of the kind
 * at hand.
 *
 * @since 0.1.0
 */
export const TaskList = Schema.Array(Task)

/**
 * What a status means: `requested`, `in-progress`, `completed`, `error`, or `unknown` for a value
 * this client does not know (kept as sent, never a crash).
 *
 * @since 0.1.0
 */
export type StatusKind = "requested" | "in-progress" | "completed" | "error" | "unknown"

/**
 * Reads a status code: REQ, INP, COM and ERR (any case) are known; anything else is `unknown`.
 *
 * @since 0.1.0
 */
export const statusKind = (status: string): StatusKind => {
  switch (status.trim().toUpperCase()) {
    case "REQ":
      return "requested"
    case "INP":
      return "in-progress"
    case "COM":
      return "completed"
    case "ERR":
      return "error"
    default:
      return "unknown"
  }
}

/**
 * True when the task will not change any more (completed or error).
 *
 * @since 0.1.0
 */
export const isFinished = (task: Pick<Task, "status">): boolean => {
  const kind = statusKind(task.status)
  return kind === "completed" || kind === "error"
}

const WCF_DATE = /^\\?\/Date\((-?\d+)([+-]\d{4})?\)\\?\/$/

/**
 * Reads a date the server wrote: ISO-8601 (`2024-03-01`, `2024-03-01T10:00:00Z`) or ServiceStack's
 * WCF form `/Date(1709287200000+0100)/` (escaped slashes accepted). The instant is the milliseconds
 * value; the offset only says which local time the server meant. `undefined` when unreadable.
 *
 * @since 0.1.0
 */
export const parseApiDate = (raw: string): Date | undefined => {
  const text = raw.trim()
  const wcf = WCF_DATE.exec(text)
  if (wcf !== null) return new Date(Number(wcf[1]))
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined
  const date = new Date(text)
  return Number.isNaN(date.getTime()) ? undefined : date
}
