/**
 * Human renderings of tasks and journal rows: local dates (`2026-11-30 10:21`), ages (`3 min ago`)
 * and aligned columns. Dates are shown in the process's time zone (`TZ`). Every cell and value is
 * foreign text until shown: it passes transport's `Scrub.line` here, before widths are measured.
 */
import { ExportKind, Task } from "@booster-export/core"
import * as Scrub from "@booster-export/transport/Scrub"
import { formatBytes } from "./terminal.js"

const two = (n: number) => String(n).padStart(2, "0")

/** A date in the local time zone, to the minute: `2026-11-30 10:21`. */
export const formatLocal = (date: Date): string =>
  `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`

/** How long ago `date` was, seen from `now`: `just now`, `3 min ago`, `2 h ago`, `5 days ago`, `in 4 min`. */
export const formatAge = (date: Date, now: Date): string => {
  const ms = now.getTime() - date.getTime()
  const future = ms < 0
  const seconds = Math.floor(Math.abs(ms) / 1000)
  if (seconds < 60) return "just now"
  const minutes = Math.floor(seconds / 60)
  const hours = Math.floor(minutes / 60)
  const days = Math.floor(hours / 24)
  const span =
    minutes < 60
      ? `${minutes} min`
      : hours < 24
        ? `${hours} h`
        : days < 60
          ? `${days} day${days === 1 ? "" : "s"}`
          : `${Math.floor(days / 30)} months`
  return future ? `in ${span}` : `${span} ago`
}

/** A server or journal date read as a `Date` (ISO or ServiceStack's `/Date(ms)/`), when it is one. */
export const parseDate = (raw: string | undefined): Date | undefined =>
  raw === undefined ? undefined : Task.parseApiDate(raw)

/** `2026-11-30 10:21` and the age, or the raw text when it is not a date. */
export const when = (raw: string | undefined, now: Date): { readonly date: string; readonly age: string } => {
  const date = parseDate(raw)
  return date === undefined
    ? { date: raw ?? "-", age: "" }
    : { date: formatLocal(date), age: formatAge(date, now) }
}

/**
 * Aligns rows under a header: columns separated by two spaces, numbers right-aligned. Each cell is
 * cleaned with `Scrub.line` (escapes, control, bidirectional and invisible characters removed, line
 * breaks made spaces), so a row is one line whatever its cells hold.
 */
export const table = (
  titles: ReadonlyArray<string>,
  cells: ReadonlyArray<ReadonlyArray<string>>,
  rightAligned: ReadonlyArray<number> = []
): Array<string> => {
  const header = titles.map(Scrub.line)
  const rows = cells.map((row) => row.map(Scrub.line))
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 && !rightAligned.includes(i)
          ? cell
          : rightAligned.includes(i)
            ? cell.padStart(widths[i]!)
            : cell.padEnd(widths[i]!)
      )
      .join("  ")
      .trimEnd()
  return [line(header), ...rows.map(line)]
}

/** What the journal knows of a task: its file, and what the export was (kind, description and purpose). */
export interface KnownFile {
  readonly kind?: string | undefined
  readonly file?: string | undefined
  readonly bytes?: number | undefined
  readonly description?: string | undefined
  readonly purpose?: string | undefined
}

/** A journal text (description, purpose) for a cell, `-` when unknown (cells are cleaned by {@link table}). */
export const noted = (text: string | undefined) =>
  text === undefined || text.trim() === "" ? "-" : text.trim()

/**
 * Whether a status (the API's `COM`, or the journal's `started`) is in the state asked for
 * (`completed`); a start the journal saw end nowhere counts as `requested`.
 */
export const hasStatus = (status: string | undefined, wanted: string | undefined): boolean =>
  wanted === undefined ||
  (status !== undefined &&
    (status === "started" ? wanted === "requested" : Task.statusKind(status) === wanted))

/** Newest first by a date field (server or journal form); unreadable dates last. */
export const newestFirst = <T>(items: ReadonlyArray<T>, dateOf: (item: T) => string | undefined): Array<T> =>
  [...items].sort((a, b) => (parseDate(dateOf(b))?.getTime() ?? 0) - (parseDate(dateOf(a))?.getTime() ?? 0))

/** Rows count as text, `-` when unknown. */
const count = (n: number | undefined) => (n === undefined ? "-" : n.toLocaleString("en-GB"))

/**
 * The export kind of a task: the one the journal recorded at its start, else the kind whose exports
 * create tasks of its type (`crm`, `stock`, `sellout`); `undefined` for any other task (an import, an
 * export of another machine whose task type is not known).
 */
export const kindOf = (task: Task.Task, known: KnownFile | undefined): string | undefined =>
  known?.kind ?? ExportKind.byTaskType(task.type)?.name

/**
 * The `tasks list` table: id, export kind, type, brand, status, percentage, rows, file size,
 * requested, age, and the purpose and description the journal recorded at the start.
 */
export const taskTable = (
  tasks: ReadonlyArray<Task.Task>,
  files: ReadonlyMap<string, KnownFile>,
  now: Date
): Array<string> =>
  table(
    [
      "TASK",
      "KIND",
      "TYPE",
      "BRAND",
      "STATUS",
      "%",
      "ROWS",
      "FILE",
      "REQUESTED",
      "AGE",
      "PURPOSE",
      "DESCRIPTION"
    ],
    tasks.map((task) => {
      const at = when(task.requestDate ?? task.requestDateRaw, now)
      const file = files.get(Task.canonicalGuid(task.asyncTaskId))
      return [
        task.asyncTaskId,
        kindOf(task, file) ?? "-",
        task.type,
        task.brand,
        task.status,
        String(Math.round(task.percentage)),
        count(task.totalResults),
        file?.bytes !== undefined ? formatBytes(file.bytes) : "-",
        at.date,
        at.age,
        noted(file?.purpose),
        noted(file?.description)
      ]
    }),
    [5, 6, 7]
  )

/** The `tasks get` rendering: one `name: value` line per known fact. */
export const taskDetail = (task: Task.Task, file: KnownFile | undefined, now: Date): Array<string> => {
  const at = when(task.requestDate ?? task.requestDateRaw, now)
  const facts: Array<[string, string | undefined]> = [
    ["task", task.asyncTaskId],
    ["kind", kindOf(task, file)],
    ["type", task.type],
    ["brand", task.brand],
    ["status", `${task.status} (${Task.statusKind(task.status)}), ${Math.round(task.percentage)}%`],
    ["requested", at.age === "" ? at.date : `${at.date} (${at.age})`],
    ["description", file?.description !== undefined ? noted(file.description) : undefined],
    ["purpose", file?.purpose !== undefined ? noted(file.purpose) : undefined],
    ["rows", task.totalResults !== undefined ? count(task.totalResults) : undefined],
    ["succeeded", task.totalSucceeded !== undefined ? count(task.totalSucceeded) : undefined],
    ["failed", task.totalFailed !== undefined ? count(task.totalFailed) : undefined],
    [
      "file",
      file?.file !== undefined
        ? `${file.file}${file.bytes !== undefined ? ` (${formatBytes(file.bytes)})` : ""}`
        : undefined
    ]
  ]
  const shown = facts
    .filter((fact): fact is [string, string] => fact[1] !== undefined)
    .map(([name, value]): [string, string] => [name, Scrub.line(value)])
  const width = Math.max(...shown.map(([name]) => name.length)) + 1
  return shown.map(([name, value]) => `${`${name}:`.padEnd(width)} ${value}`)
}
