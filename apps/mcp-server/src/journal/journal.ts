/**
 * The local journal shared with the `booster` command line: one JSON object per line in
 * `$XDG_STATE_HOME/booster-export/journal.jsonl`. It records which exports were started and downloaded
 * (ids, fingerprints, brand, the optional purpose, file facts) and never personal data. Lines that
 * cannot be read (another version, a torn write) are skipped.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { Context, Effect, Either, Layer, Schema } from "effect"

/** One journal line. Unknown members written by other versions are ignored on reading. */
export const Entry = Schema.Struct({
  at: Schema.String,
  source: Schema.String,
  fingerprint: Schema.optional(Schema.String),
  asyncTaskId: Schema.String,
  downloadRequestId: Schema.optional(Schema.String),
  brand: Schema.optional(Schema.String),
  purpose: Schema.optional(Schema.String),
  file: Schema.optional(Schema.String),
  bytes: Schema.optional(Schema.Number),
  sha256: Schema.optional(Schema.String),
  contentType: Schema.optional(Schema.String)
})

/** A journal line. */
export type Entry = typeof Entry.Type

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

/** The journal: append a line, read every line. */
export class Journal extends Context.Tag("@booster-export/mcp-server/Journal")<
  Journal,
  {
    /** Where the journal lives. */
    readonly path: string
    /** Appends one entry (a single write, so concurrent writers do not interleave lines). */
    readonly append: (entry: Entry) => Effect.Effect<void, JournalError>
    /** Every readable entry, oldest first; an absent journal is empty. */
    readonly entries: Effect.Effect<ReadonlyArray<Entry>>
  }
>() {
  /** A journal in `directory/journal.jsonl`; the directory is created (mode 0700) on first write. */
  static readonly layer = (directory: string) =>
    Layer.succeed(Journal, Journal.make(join(directory, "journal.jsonl"), directory))

  /** A journal at `path`. */
  static readonly make = (path: string, directory: string): Journal["Type"] => ({
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
    entries: Effect.promise(() =>
      readFile(path, "utf8").then(
        (text) => parseLines(text),
        () => []
      )
    )
  })
}
