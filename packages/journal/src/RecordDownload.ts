/**
 * The journal's record of a downloaded export file (`event: "downloaded"`), the same from every front
 * end: where the file is, its size, SHA-256 and content type, when retention may delete it
 * (`expiresAt`, see `Retention`), and — when the journal has the task's start — the start's
 * fingerprint, `downloadRequestId` and export kind, so that an audit row about the file says which
 * request it answers.
 *
 * @since 0.1.0
 */
import { Task } from "@booster-export/core"
import { Clock, Effect } from "effect"
import * as Journal from "./Journal.js"
import * as Retention from "./Retention.js"

/**
 * A downloaded file, as the client's download answers it.
 *
 * @since 0.1.0
 */
export interface File {
  /** Absolute path of the file written. */
  readonly path: string
  /** Size in bytes. */
  readonly bytes: number
  /** SHA-256 of the file, hexadecimal. */
  readonly sha256: string
  /** Content type as served. */
  readonly contentType: string
}

/**
 * What to record.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Which front end downloaded it. */
  readonly source: Journal.Source
  /** The task whose file it is (with or without dashes, any case). */
  readonly asyncTaskId: string
  /** The API host (`Journal.hostOf(baseUrl)`). */
  readonly host: string | undefined
  /** The brand of the task, when known. */
  readonly brand?: string | undefined
  readonly file: File
  /** Days the file is kept before retention may delete it; default `Retention.DEFAULT_DAYS` (30). */
  readonly retentionDays?: number | undefined
}

/**
 * The most recent start recorded for a task (task ids compared without dashes, case or braces), if
 * the journal has one.
 *
 * @since 0.1.0
 */
export const startOf = (
  entries: ReadonlyArray<Journal.Entry>,
  asyncTaskId: string
): Journal.Entry | undefined => {
  const id = Task.canonicalGuid(asyncTaskId)
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!
    if (Journal.isStart(entry) && Task.canonicalGuid(entry.asyncTaskId) === id) return entry
  }
  return undefined
}

/**
 * Records a download in the journal of the context, stamped with the current time, and returns the
 * entry appended. Fails with `JournalError` when the journal cannot be read or written (the file is
 * downloaded all the same: a front end says so, since retention will then not know the file).
 *
 * @since 0.1.0
 */
export const record = (
  options: Options
): Effect.Effect<Journal.NewEntry, Journal.JournalError, Journal.Journal> =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    const start = startOf(yield* journal.entries, options.asyncTaskId)
    const now = yield* Clock.currentTimeMillis
    const entry: Journal.NewEntry = {
      at: new Date(now).toISOString(),
      source: options.source,
      event: "downloaded",
      asyncTaskId: options.asyncTaskId,
      ...(start?.kind !== undefined ? { kind: start.kind } : {}),
      ...(start?.fingerprint !== undefined ? { fingerprint: start.fingerprint } : {}),
      ...(start?.downloadRequestId !== undefined ? { downloadRequestId: start.downloadRequestId } : {}),
      host: options.host,
      ...(options.brand !== undefined ? { brand: options.brand } : {}),
      file: options.file.path,
      bytes: options.file.bytes,
      sha256: options.file.sha256,
      contentType: options.file.contentType,
      expiresAt: Retention.expiresAt(now, options.retentionDays)
    }
    yield* journal.append(entry)
    return entry
  })
