/**
 * The local journal: one JSON object per line in `$XDG_STATE_HOME/booster-export/journal.jsonl`,
 * recording which exports were started and downloaded (ids, fingerprint, API host, brand, the
 * optional purpose, file facts) and never personal data. Lines carry both `source` and `event`, so
 * the command line's reader understands them; lines the command line wrote (in `journal.jsonl` or
 * its `history.jsonl`) are read too. Lines that cannot be read are skipped.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { Context, Effect, Either, Layer, Schema } from "effect"

/** One journal line. Unknown members written by other versions are ignored on reading. */
export const Entry = Schema.Struct({
  at: Schema.String,
  source: Schema.optional(Schema.String),
  event: Schema.optional(Schema.String),
  fingerprint: Schema.optional(Schema.String),
  asyncTaskId: Schema.String,
  downloadRequestId: Schema.optional(Schema.String),
  host: Schema.optional(Schema.String),
  brand: Schema.optional(Schema.String),
  purpose: Schema.optional(Schema.String),
  file: Schema.optional(Schema.String),
  bytes: Schema.optional(Schema.Number),
  sha256: Schema.optional(Schema.String),
  contentType: Schema.optional(Schema.String)
})

/** A journal line. */
export type Entry = typeof Entry.Type

/** The file this server appends to. */
export const FILE = "journal.jsonl"

/** Other files of the same directory whose lines are read too (the command line's history). */
export const OTHER_FILES: ReadonlyArray<string> = ["history.jsonl"]

/** The journal could not be written (it is read tolerantly, so reading never fails). */
export class JournalError extends Schema.TaggedError<JournalError>()("JournalError", {
  message: Schema.String
}) {}

const decodeEntry = Schema.decodeUnknownEither(Entry)

/** Parses journal text, skipping lines that are not journal entries. */
export const parseLines = (text: string): ReadonlyArray<Entry> =>
  text.split("\n").flatMap((line) => {
    if (line.trim() === "") return []
    try {
      const result = decodeEntry(JSON.parse(line))
      return Either.isRight(result) ? [result.right] : []
    } catch {
      return []
    }
  })

/** True for an entry recording a start (not a download or a later state). */
export const isStart = (entry: Entry): boolean =>
  entry.file === undefined && (entry.event === undefined || entry.event === "started")

/** The journal: append a line, read every line. */
export class Journal extends Context.Tag("@booster-export/mcp-server/Journal")<
  Journal,
  {
    /** Where this server writes. */
    readonly path: string
    /** Appends one entry (a single write, so concurrent writers do not interleave lines). */
    readonly append: (entry: Entry) => Effect.Effect<void, JournalError>
    /** Every readable entry of every journal file, oldest first; absent files are empty. */
    readonly entries: Effect.Effect<ReadonlyArray<Entry>>
  }
>() {
  /** The journal of `directory`; the directory is created (mode 0700) on first write. */
  static readonly layer = (directory: string) => Layer.succeed(Journal, Journal.make(directory))

  /** The journal of `directory`. */
  static readonly make = (directory: string): Journal["Type"] => {
    const path = join(directory, FILE)
    const read = (file: string) =>
      readFile(join(directory, file), "utf8").then(
        (text) => parseLines(text),
        () => []
      )
    return {
      path,
      append: (entry) =>
        Effect.tryPromise({
          try: async () => {
            await mkdir(directory, { recursive: true, mode: 0o700 })
            await appendFile(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 })
          },
          catch: (error) =>
            new JournalError({
              message: `could not write the journal at ${path}: ${error instanceof Error ? error.message : String(error)}`
            })
        }),
      entries: Effect.promise(async () => {
        const all = (await Promise.all([FILE, ...OTHER_FILES].map(read))).flat()
        return all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      })
    }
  }
}
