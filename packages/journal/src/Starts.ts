/**
 * This install's own record of the exports it started: `starts.jsonl` in the state folder
 * (`StateDirectory` of `@booster-export/transport`), one JSON object per line, mode 0600 in a 0700
 * folder. `GuardedStart` writes a line the moment it records a start it made (which front end, the
 * task, the API host, who), when the context holds this record.
 *
 * What an install did itself is decided from this record only. A journal shared by a team (a
 * PostgreSQL database) takes rows from every member, so a `started` row there is the team's history,
 * never proof that this install started the task (e.g. with its user's consent). The local journal
 * file of the same folder (`journal.jsonl`, and the older `history.jsonl`) is read as part of this
 * record: only this user writes it, so the starts it holds — those of versions that kept no separate
 * record included — are this install's own.
 *
 * @since 0.1.0
 */
import { Task } from "@booster-export/core"
import * as StateDirectory from "@booster-export/transport/StateDirectory"
import { Context, Layer, Schema } from "effect"
import * as LocalRecord from "./internal/localRecord.js"
import * as Journal from "./Journal.js"

/**
 * The file of the record, in the state folder.
 *
 * @since 0.1.0
 */
export const FILE = "starts.jsonl"

/**
 * One line of the record: an export this install started.
 *
 * @since 0.1.0
 */
export const Entry = Schema.Struct({
  at: Journal.Entry.fields.at,
  source: Journal.Entry.fields.source,
  asyncTaskId: Journal.Entry.fields.asyncTaskId,
  host: Journal.Entry.fields.host,
  actor: Journal.Entry.fields.actor,
  kind: Journal.Entry.fields.kind,
  downloadRequestId: Journal.Entry.fields.downloadRequestId
})

/**
 * One line of the record.
 *
 * @since 0.1.0
 */
export type Entry = typeof Entry.Type

/**
 * A line to append: `at` defaults to the current time, `actor` to `Journal.actor()`.
 *
 * @since 0.1.0
 */
export type NewEntry = Omit<Entry, "at"> & { readonly at?: string | undefined }

/**
 * The record of one install: `location` (its file, for messages), `append` and `entries`: every
 * start this install recorded, oldest first — the record's lines and the starts of the local journal
 * file of the same folder. Only files this user alone can have written count: a link, a file owned by
 * another user or one that group or others may write holds nothing (its starts do not count) and is
 * never appended to (`append` then fails with `JournalError`, code `EPERM`; else with the system's
 * error code when the line cannot be written). Reading never fails: an absent or unreadable file is
 * empty, lines that cannot be read are skipped.
 *
 * @since 0.1.0
 */
export type Service = LocalRecord.Service<Entry, NewEntry>

/**
 * The record of this install's starts.
 *
 * @since 0.1.0
 */
export class Starts extends Context.Tag("@booster-export/journal/Starts")<Starts, Service>() {}

/** The starts of the local journal's lines (a task found afterwards, `reconciled`, is none). */
const fromJournal = (entries: ReadonlyArray<Journal.Entry>): ReadonlyArray<Entry> =>
  entries
    .filter((entry) => Journal.isStart(entry) && entry.reconciled !== true)
    .map((entry) => ({
      at: entry.at,
      ...(entry.source !== undefined ? { source: entry.source } : {}),
      asyncTaskId: entry.asyncTaskId,
      ...(entry.host !== undefined ? { host: entry.host } : {}),
      ...(entry.actor !== undefined ? { actor: entry.actor } : {}),
      ...(entry.kind !== undefined ? { kind: entry.kind } : {}),
      ...(entry.downloadRequestId !== undefined ? { downloadRequestId: entry.downloadRequestId } : {})
    }))

const keyOf = (entry: Pick<Entry, "asyncTaskId" | "at">) => `${entry.asyncTaskId}\n${entry.at}`

/**
 * Whether `entries` hold a start of the task (ids compared without dashes, case or braces) by
 * `source` on `host` by `actor`.
 *
 * @since 0.1.0
 */
export const includes = (
  entries: ReadonlyArray<Entry>,
  start: {
    readonly asyncTaskId: string
    readonly source: Journal.Source
    readonly host: string | undefined
    readonly actor: string
  }
): boolean => {
  const id = Task.canonicalGuid(start.asyncTaskId)
  return entries.some(
    (entry) =>
      entry.source === start.source &&
      entry.host === start.host &&
      entry.actor === start.actor &&
      Task.canonicalGuid(entry.asyncTaskId) === id
  )
}

/**
 * The record kept in `directory` (default: the state folder, `StateDirectory.resolve()`). The folder
 * is created 0700 and the file 0600; each line is written whole, in one append.
 *
 * @since 0.1.0
 */
export const make = (directory: string = StateDirectory.resolve()): Service => {
  const record = LocalRecord.make({
    directory,
    file: FILE,
    what: "the record of starts",
    schema: Entry,
    fromJournal,
    // a start written to both (a local journal) is read once, from the record
    keyOf,
    ownOnly: true
  })
  return { ...record, append: (entry) => record.append({ ...entry, actor: entry.actor ?? Journal.actor() }) }
}

/**
 * A layer providing the record kept in `directory` (default: the state folder, as {@link make}).
 *
 * @since 0.1.0
 */
export const layer = (directory: string = StateDirectory.resolve()): Layer.Layer<Starts> =>
  Layer.succeed(Starts, make(directory))
