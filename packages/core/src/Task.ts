/**
 * What the API answers: the `ExportCustomerResponse` (`{asyncTaskId}`) and the asynchronous `Task`
 * it creates. Decoding is tolerant: Guids with or without dashes, an open set of statuses, and the
 * request date in ISO-8601 whatever form the server wrote it in (ISO or ServiceStack's
 * `/Date(ms±zzzz)/`; the form is not documented), the server's text kept beside it.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const GUID = /^\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$/

/**
 * A Guid as the server writes it, with or without dashes (and braces).
 *
 * @category ids
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
 * @category ids
 * @since 0.1.0
 */
export const canonicalGuid = (id: string): string => id.replace(/[{}-]/g, "").toLowerCase()

/**
 * True when `id` is a Guid in any accepted form.
 *
 * @category ids
 * @since 0.1.0
 */
export const isGuid = (id: string): boolean => GUID.test(id.trim())

/**
 * `ExportCustomerResponse`: the id of the export task created.
 *
 * @category schemas
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

const taskFields = {
  asyncTaskId: Guid.annotations({ description: "Task id." }),
  type: Schema.String.annotations({ description: "Task type, e.g. crm, stock, sellout (open set)." }),
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
}

/**
 * A task as the API writes it (`GET /tasks/{asyncTaskId}`): `requestDate` as the server wrote it.
 * Unknown members are ignored; `null` members are read as absent.
 *
 * @category schemas
 * @since 0.1.0
 */
export const ApiTask = Schema.Struct({
  ...taskFields,
  requestDate: Schema.String.annotations({
    description: "When the task was requested, as the server wrote it (ISO-8601 or /Date(ms±zzzz)/)."
  })
})

/**
 * @category models
 * @since 0.1.0
 */
export type ApiTask = typeof ApiTask.Type

const DecodedTask = Schema.typeSchema(
  Schema.Struct({
    ...taskFields,
    requestDate: Schema.optional(
      Schema.String.annotations({
        description:
          "When the task was requested, ISO-8601 in UTC (2024-03-01T10:00:00.000Z); absent when the server's text is not a date."
      })
    ),
    requestDateRaw: Schema.String.annotations({
      description: "When the task was requested, as the server wrote it."
    })
  })
)

/**
 * An asynchronous task (`GET /tasks/{asyncTaskId}`), decoded from {@link ApiTask}: `requestDate` is
 * ISO-8601 in UTC (`2024-03-01T10:00:00.000Z`) whatever form the server wrote — ServiceStack's
 * `/Date(1709287200000+0100)/` or ISO with or without a zone (a date-time without a zone is read as
 * UTC) — and `requestDateRaw` keeps the server's text. A request date that is not a date (the form
 * is not documented) leaves `requestDate` absent and the task is still read: a task is never refused
 * for its date. Encoding gives the server's text back.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Task = Schema.transform(ApiTask, DecodedTask, {
  strict: true,
  decode: ({ requestDate, ...rest }) => {
    const iso = isoDate(requestDate)
    return { ...rest, ...(iso !== undefined ? { requestDate: iso } : {}), requestDateRaw: requestDate }
  },
  encode: ({ requestDate: _iso, requestDateRaw, ...rest }) => ({ ...rest, requestDate: requestDateRaw })
})

/**
 * A decoded task: the API's task with `requestDate` in ISO-8601 (absent when unreadable) and
 * `requestDateRaw` as the server wrote it.
 *
 * @category models
 * @since 0.1.0
 */
export type Task = typeof Task.Type

/**
 * The list answered by `GET /tasks`: every task of the authorised user, imports (`ImportRequest`)
 * included, of every export kind — never assume a task in it is an export of yours, or of the kind
 * at hand.
 *
 * @category schemas
 * @since 0.1.0
 */
export const TaskList = Schema.Array(Task)

/**
 * What a status means: `requested`, `in-progress`, `completed`, `error`, or `unknown` for a value
 * this client does not know (kept as sent, never a crash).
 *
 * @category status
 * @since 0.1.0
 */
export type StatusKind = "requested" | "in-progress" | "completed" | "error" | "unknown"

/**
 * Reads a status code: REQ, INP, COM and ERR (any case) are known; anything else is `unknown`.
 *
 * @category status
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
 * @category status
 * @since 0.1.0
 */
export const isFinished = (task: Pick<Task, "status">): boolean => {
  const kind = statusKind(task.status)
  return kind === "completed" || kind === "error"
}

const WCF_DATE = /^\\?\/Date\((-?\d+)([+-]\d{4})?\)\\?\/$/

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i

/** Minutes east of UTC of `Z`, `+01`, `+0100` or `+01:00`. */
const offsetMinutes = (zone: string | undefined): number => {
  if (zone === undefined || zone.toUpperCase() === "Z") return 0
  const sign = zone.startsWith("-") ? -1 : 1
  const digits = zone.slice(1).replace(":", "")
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0"))
}

/** The instant of an ISO-8601 date or date-time; one without a zone is read as UTC. */
const parseIso = (text: string): Date | undefined => {
  const match = ISO_DATE.exec(text)
  if (match === null) return undefined
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = match
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined
  const utc = new Date(0)
  utc.setUTCFullYear(year, month - 1, day)
  if (utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) return undefined
  const offset = zone !== undefined ? offsetMinutes(zone) : 0
  if (Math.abs(offset) > 18 * 60) return undefined
  const millis = Number(`0.${fraction || "0"}`) * 1000
  const time = utc.getTime() + ((hour * 60 + minute - offset) * 60 + second) * 1000 + Math.floor(millis)
  const date = new Date(time)
  return Number.isNaN(date.getTime()) ? undefined : date
}

/**
 * Reads a date the server wrote: ISO-8601 (`2024-03-01`, `2024-03-01T10:00:00Z`,
 * `2024-03-01T11:00:00+01:00`; a date-time without a zone is read as UTC) or ServiceStack's WCF form
 * `/Date(1709287200000+0100)/` (escaped slashes accepted). The instant is the milliseconds value;
 * the offset only says which local time the server meant. Only characters a date can hold are read
 * (a bell or a bidirectional override around it is not part of it). `undefined` when unreadable.
 *
 * @category dates
 * @since 0.1.0
 */
export const parseApiDate = (raw: string): Date | undefined => {
  const text = raw.replace(/[^0-9A-Za-z:+\-.()/\\ ]/g, "").trim()
  const wcf = WCF_DATE.exec(text)
  if (wcf !== null) {
    const date = new Date(Number(wcf[1]))
    return Number.isNaN(date.getTime()) ? undefined : date
  }
  return parseIso(text)
}

/**
 * A date the server wrote (see {@link parseApiDate}) in ISO-8601, UTC, with milliseconds
 * (`2024-03-01T10:00:00.000Z`); `undefined` when unreadable.
 *
 * @category dates
 * @since 0.1.0
 */
export const isoDate = (raw: string): string | undefined => parseApiDate(raw)?.toISOString()
