/**
 * This install's own record of the export files it downloaded: `downloads.jsonl` in the state folder
 * (`StateDirectory` of `@booster-export/transport`), one JSON object per line, mode 0600 in a 0700
 * folder. `RecordDownload` writes a line the moment a file is written (where it is, the real path of
 * the folder it was written into, its size and SHA-256, its expiry) and `Retention` one when it
 * deletes the file.
 *
 * Retention and summaries act only on the files this record names. A journal shared by a team (a
 * PostgreSQL database) takes rows from every member, so a `downloaded` row there is the team's
 * history, never an instruction to touch this machine's files. The local journal file of the same
 * folder (`journal.jsonl`, and the older `history.jsonl`) is read as part of this record: only this
 * user writes it, so the downloads it holds — those of versions that kept no separate record
 * included — are this install's own.
 *
 * @since 0.1.0
 */
import * as StateDirectory from "@booster-export/transport/StateDirectory"
import { Context, Layer, Schema } from "effect"
import * as LocalRecord from "./internal/localRecord.js"
import * as Journal from "./Journal.js"

/**
 * The file of the record, in the state folder.
 *
 * @since 0.1.0
 */
export const FILE = "downloads.jsonl"

/**
 * One line of the record: a file downloaded (`event: "downloaded"`) or deleted by retention
 * (`"deleted"`).
 *
 * - `file`: the absolute path the file was written to;
 * - `folder`: the real path (symbolic links resolved) of the folder it was written into, at download
 *   time; absent on downloads read from the journal file of older versions, whose folder is the one
 *   `file` names;
 * - `bytes`, `sha256`: the file as downloaded; without both, retention never deletes it;
 * - `kind`: the export kind's name, when it was known (the journal's start of the task, or what the
 *   front end knew); absent on older downloads, which were all customer exports, and when unknown.
 *
 * @since 0.1.0
 */
export const Entry = Schema.Struct({
  at: Journal.Entry.fields.at,
  event: Schema.String,
  source: Journal.Entry.fields.source,
  asyncTaskId: Journal.Entry.fields.asyncTaskId,
  kind: Journal.Entry.fields.kind,
  file: Schema.String,
  folder: Schema.optional(Schema.String),
  bytes: Journal.Entry.fields.bytes,
  sha256: Journal.Entry.fields.sha256,
  contentType: Journal.Entry.fields.contentType,
  expiresAt: Journal.Entry.fields.expiresAt
})

/**
 * One line of the record.
 *
 * @since 0.1.0
 */
export type Entry = typeof Entry.Type

/**
 * A line to append: `at` defaults to the current time.
 *
 * @since 0.1.0
 */
export type NewEntry = Omit<Entry, "at" | "event"> & {
  readonly at?: string | undefined
  readonly event: "downloaded" | "deleted"
}

/**
 * The record of one install: `location` (its file, for messages), `append` (fails with
 * `JournalError`, path and system error code, when the line cannot be written) and `entries`: every
 * download and deletion this install recorded, oldest first — the record's lines and the download
 * lines of the local journal file of the same folder. Reading never fails: an absent or unreadable
 * file is empty, lines that cannot be read are skipped.
 *
 * @since 0.1.0
 */
export type Service = LocalRecord.Service<Entry, NewEntry>

/**
 * The record of this install's downloads.
 *
 * @since 0.1.0
 */
export class Downloads extends Context.Tag("@booster-export/journal/Downloads")<Downloads, Service>() {}

/** The downloads and deletions of the local journal's lines (no event: a download of the first versions). */
const fromJournal = (entries: ReadonlyArray<Journal.Entry>): ReadonlyArray<Entry> =>
  entries.flatMap((entry) => {
    const event = entry.event ?? "downloaded"
    if (entry.file === undefined || (event !== "downloaded" && event !== "deleted")) return []
    return [
      {
        at: entry.at,
        event,
        ...(entry.source !== undefined ? { source: entry.source } : {}),
        asyncTaskId: entry.asyncTaskId,
        ...(entry.kind !== undefined ? { kind: entry.kind } : {}),
        file: entry.file,
        ...(entry.bytes !== undefined ? { bytes: entry.bytes } : {}),
        ...(entry.sha256 !== undefined ? { sha256: entry.sha256 } : {}),
        ...(entry.contentType !== undefined ? { contentType: entry.contentType } : {}),
        ...(entry.expiresAt !== undefined ? { expiresAt: entry.expiresAt } : {})
      }
    ]
  })

const keyOf = (entry: Pick<Entry, "event" | "file" | "at">) => `${entry.event}\n${entry.file}\n${entry.at}`

/**
 * The record kept in `directory` (default: the state folder, `StateDirectory.resolve()`). The folder
 * is created 0700 and the file 0600; each line is written whole, in one append.
 *
 * @since 0.1.0
 */
export const make = (directory: string = StateDirectory.resolve()): Service =>
  LocalRecord.make({
    directory,
    file: FILE,
    what: "the record of downloads",
    schema: Entry,
    fromJournal,
    // a download written to both is read once, from the record (which names its folder)
    keyOf,
    ownOnly: false
  })

/**
 * A layer providing the record kept in `directory` (default: the state folder, as {@link make}).
 *
 * @since 0.1.0
 */
export const layer = (directory: string = StateDirectory.resolve()): Layer.Layer<Downloads> =>
  Layer.succeed(Downloads, make(directory))
