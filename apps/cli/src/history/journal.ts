/**
 * The local journal (`$XDG_STATE_HOME/booster-export/history.jsonl`): one line per event of an
 * export — when, the filter's fingerprint, the task id, the request id, the API host, and for a
 * download the file path, its size and SHA-256. Never a filter value or any personal data.
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs"
import { dirname } from "node:path"
import { Effect, Schema } from "effect"
import * as Paths from "../config/paths.js"

/** One journal entry. */
export const Entry = Schema.Struct({
  at: Schema.String,
  event: Schema.Literal("started", "completed", "failed", "downloaded"),
  asyncTaskId: Schema.String,
  fingerprint: Schema.optional(Schema.String),
  downloadRequestId: Schema.optional(Schema.String),
  host: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  file: Schema.optional(Schema.String),
  bytes: Schema.optional(Schema.Number),
  sha256: Schema.optional(Schema.String)
})

/** One journal entry. */
export type Entry = typeof Entry.Type

const decodeLine = Schema.decodeUnknownOption(Schema.parseJson(Entry))

type Env = Readonly<Record<string, string | undefined>>

/** The host of a base URL, as kept in the journal (no path, no credentials). */
export const hostOf = (baseUrl: string | undefined): string | undefined => {
  if (baseUrl === undefined) return undefined
  try {
    return new URL(baseUrl).host
  } catch {
    return undefined
  }
}

/**
 * Appends an entry. The journal is a convenience: a failure to write it never fails a command.
 */
export const append = (entry: Omit<Entry, "at">, env: Env = process.env): Effect.Effect<void> =>
  Effect.sync(() => {
    try {
      const path = Paths.historyFile(env)
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      const line: Entry = { at: new Date().toISOString(), ...entry }
      appendFileSync(path, `${JSON.stringify(line)}\n`, { mode: 0o600 })
    } catch {
      // the journal is best-effort
    }
  })

/** Every readable entry, oldest first (unreadable lines are skipped). */
export const read = (env: Env = process.env): Effect.Effect<ReadonlyArray<Entry>> =>
  Effect.sync(() => {
    let text = ""
    try {
      text = readFileSync(Paths.historyFile(env), "utf8")
    } catch {
      return []
    }
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .flatMap((line) => {
        const entry = decodeLine(line)
        return entry._tag === "Some" ? [entry.value] : []
      })
  })

/** Default window in which a second export of the same filter is flagged: 24 hours. */
export const RECENT_MS = 24 * 60 * 60 * 1000

/**
 * The most recent `started` entry with this fingerprint on this host within `windowMs`, if any.
 */
export const recentMatch = (
  entries: ReadonlyArray<Entry>,
  fingerprint: string,
  host: string | undefined,
  now: number,
  windowMs: number = RECENT_MS
): Entry | undefined =>
  [...entries]
    .reverse()
    .find(
      (entry) =>
        entry.event === "started" &&
        entry.fingerprint === fingerprint &&
        entry.host === host &&
        now - Date.parse(entry.at) <= windowMs
    )

/** One summary row per task: the latest state known for it. */
export interface Row {
  readonly asyncTaskId: string
  readonly startedAt: string | undefined
  readonly fingerprint: string | undefined
  readonly downloadRequestId: string | undefined
  readonly host: string | undefined
  readonly status: string | undefined
  readonly file: string | undefined
  readonly bytes: number | undefined
  readonly sha256: string | undefined
  readonly updatedAt: string
}

/** Folds the entries into one row per task, most recent first. */
export const rows = (entries: ReadonlyArray<Entry>): ReadonlyArray<Row> => {
  const byTask = new Map<string, Row>()
  for (const entry of entries) {
    const previous = byTask.get(entry.asyncTaskId)
    byTask.set(entry.asyncTaskId, {
      asyncTaskId: entry.asyncTaskId,
      startedAt: entry.event === "started" ? entry.at : previous?.startedAt,
      fingerprint: entry.fingerprint ?? previous?.fingerprint,
      downloadRequestId: entry.downloadRequestId ?? previous?.downloadRequestId,
      host: entry.host ?? previous?.host,
      status: entry.status ?? (entry.event === "started" ? "started" : previous?.status),
      file: entry.file ?? previous?.file,
      bytes: entry.bytes ?? previous?.bytes,
      sha256: entry.sha256 ?? previous?.sha256,
      updatedAt: entry.at
    })
  }
  return [...byTask.values()].sort((a, b) =>
    a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0
  )
}
