import { join } from "node:path"
import { Clock, Effect, type Schema } from "effect"
import * as Journal from "../Journal.js"
import { appendLine, decodeLines, readOwnFile, readRegularFile } from "./textFile.js"

/**
 * One of this install's own records in the state folder (`downloads.jsonl`, `starts.jsonl`): one JSON
 * object per line, read together with what the local journal file of the same folder holds of it.
 */
export interface Service<A, N> {
  /** The record's file, for messages. */
  readonly location: string
  /** Appends one line. Fails with `JournalError` (path and system error code) when it cannot be written. */
  readonly append: (entry: N) => Effect.Effect<void, Journal.JournalError>
  /**
   * Every line this install recorded, oldest first: the record's lines and the matching lines of the
   * local journal file of the same folder (a line in both is read once, from the record). Reading
   * never fails: an absent or unreadable file is empty, lines that cannot be read are skipped.
   */
  readonly entries: Effect.Effect<ReadonlyArray<A>>
}

/**
 * The record `file` in `directory`: the folder is created 0700 and the file 0600, each line written
 * whole, in one append, `at` defaulting to the current time. `what` names it in errors ("the record
 * of downloads"); `fromJournal` picks its lines out of the local journal's; `keyOf` says when a
 * journal line is one of the record's. With `ownOnly`, only files that this user alone can have
 * written are read or appended to (`readOwnFile`, `appendLine`'s `ownOnly`).
 */
export const make = <A extends { readonly at: string }, I>(options: {
  readonly directory: string
  readonly file: string
  readonly what: string
  readonly schema: Schema.Schema<A, I>
  readonly fromJournal: (entries: ReadonlyArray<Journal.Entry>) => ReadonlyArray<A>
  readonly keyOf: (entry: A) => string
  readonly ownOnly: boolean
}): Service<A, Omit<A, "at"> & { readonly at?: string | undefined }> => {
  const { directory, ownOnly } = options
  const path = join(directory, options.file)
  const parse = decodeLines(options.schema)
  const read = ownOnly ? readOwnFile : readRegularFile
  return {
    location: path,
    append: (entry) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.tryPromise({
          try: () => {
            const { at, ...rest } = entry
            const line = JSON.stringify({ at: at ?? new Date(now).toISOString(), ...rest })
            return appendLine(directory, path, line, { ownOnly })
          },
          catch: (error) => Journal.unwritable(options.what, path, error)
        })
      ),
    entries: Effect.promise(async () => {
      const own = parse(await read(path))
      const recorded = new Set(own.map(options.keyOf))
      const journal = (
        await Promise.all([...Journal.LEGACY_FILES, Journal.FILE].map((file) => read(join(directory, file))))
      ).flatMap((text) => options.fromJournal(Journal.parseLines(text)))
      const all = [...journal.filter((entry) => !recorded.has(options.keyOf(entry))), ...own]
      return all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    })
  }
}
