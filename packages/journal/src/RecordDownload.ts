/**
 * The record of a downloaded export file (`event: "downloaded"`), the same from every front end, made
 * the moment the file is written, twice:
 *
 * - in this install's own record (`Downloads`): where the file is, the real path of the folder it
 *   was written into, its size and SHA-256 and when retention may delete it (`expiresAt`, see
 *   `Retention`). Only files recorded there are ever deleted or summarised;
 * - in the journal (the team's history when it is a database): the same, and — when the journal has
 *   the task's start — the start's fingerprint, `downloadRequestId` and export kind, so that an audit
 *   row about the file says which request it answers.
 *
 * @since 0.1.0
 */
import { realpath } from "node:fs/promises"
import { dirname } from "node:path"
import { Task } from "@booster-export/core"
import { Clock, Effect, Either } from "effect"
import * as Downloads from "./Downloads.js"
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
  /**
   * The export kind's name, when the caller knows it (e.g. from the task's type); the kind of the
   * journal's start of the task, when it has one, is recorded first.
   */
  readonly kind?: string | undefined
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
 * The members of a journal entry about a task's file at `now`: who, what, the task, the host and
 * brand, the export kind (the start's when the journal has the task's start, else the one given),
 * and the start's fingerprint and request id.
 */
const about = (
  journal: Journal.Service,
  event: Journal.Event,
  of: Pick<Options, "source" | "asyncTaskId" | "host" | "brand" | "kind">,
  now: number
) =>
  Effect.map(journal.entries, (entries): Journal.NewEntry & { readonly at: string } => {
    const start = startOf(entries, of.asyncTaskId)
    const kind = start !== undefined ? start.kind : of.kind
    return {
      at: new Date(now).toISOString(),
      source: of.source,
      event,
      asyncTaskId: of.asyncTaskId,
      ...(kind !== undefined ? { kind } : {}),
      ...(start?.fingerprint !== undefined ? { fingerprint: start.fingerprint } : {}),
      ...(start?.downloadRequestId !== undefined ? { downloadRequestId: start.downloadRequestId } : {}),
      host: of.host,
      ...(of.brand !== undefined ? { brand: of.brand } : {})
    }
  })

/**
 * Records a download in this install's record of downloads and in the journal of the context,
 * stamped with the current time, and returns the journal entry appended. Fails with `JournalError`
 * when either cannot be written (both are tried; the file is downloaded all the same: a front end
 * says so, since retention will then not know the file).
 *
 * @since 0.1.0
 */
export const record = (
  options: Options
): Effect.Effect<Journal.NewEntry, Journal.JournalError, Journal.Journal | Downloads.Downloads> =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    const own = yield* Downloads.Downloads
    const now = yield* Clock.currentTimeMillis
    const entry: Journal.NewEntry = {
      ...(yield* about(journal, "downloaded", options, now)),
      file: options.file.path,
      bytes: options.file.bytes,
      sha256: options.file.sha256,
      contentType: options.file.contentType,
      expiresAt: Retention.expiresAt(now, options.retentionDays)
    }
    const folder = yield* Effect.promise(() => realpath(dirname(options.file.path)).catch(() => undefined))
    const recorded = yield* Effect.either(
      own.append({
        at: entry.at,
        event: "downloaded",
        source: options.source,
        asyncTaskId: options.asyncTaskId,
        ...(entry.kind !== undefined ? { kind: entry.kind } : {}),
        file: options.file.path,
        ...(folder !== undefined ? { folder } : {}),
        bytes: options.file.bytes,
        sha256: options.file.sha256,
        contentType: options.file.contentType,
        expiresAt: entry.expiresAt
      })
    )
    yield* journal.append(entry)
    if (Either.isLeft(recorded)) return yield* recorded.left
    return entry
  })

/**
 * A task's file handed over without being kept (written to a command's standard output): what the
 * client's download verified, and how many of its bytes the reader took.
 *
 * @since 0.1.0
 */
export interface Delivery {
  /** Which front end delivered it. */
  readonly source: Journal.Source
  /** The task whose file it is (with or without dashes, any case). */
  readonly asyncTaskId: string
  /** The API host (`Journal.hostOf(baseUrl)`). */
  readonly host: string | undefined
  /** The brand of the task, when known. */
  readonly brand?: string | undefined
  /** The export kind's name, when the caller knows it; the kind of the journal's start comes first. */
  readonly kind?: string | undefined
  /** Where it went: `"stdout"`. */
  readonly destination: "stdout"
  /** Bytes handed over. */
  readonly bytes: number
  /** SHA-256 of the verified file, hexadecimal. */
  readonly sha256: string
  /** Content type as served. */
  readonly contentType: string
  /** False when the reader stopped before the whole file was handed over (`status: "incomplete"`). */
  readonly complete: boolean
}

/**
 * Records in the journal a file delivered without being kept (`event: "delivered"`, with its
 * `destination`, size and SHA-256, and the start's fingerprint, request id and kind when the journal
 * has the start). Nothing goes to this install's record of downloads: retention and `files list`
 * never see it, as there is no file to keep or delete. Fails with `JournalError` when the journal
 * cannot be written.
 *
 * @since 0.1.0
 */
export const recordDelivery = (
  delivery: Delivery
): Effect.Effect<Journal.NewEntry, Journal.JournalError, Journal.Journal> =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    const entry: Journal.NewEntry = {
      ...(yield* about(journal, "delivered", delivery, yield* Clock.currentTimeMillis)),
      ...(delivery.complete ? {} : { status: "incomplete" }),
      destination: delivery.destination,
      bytes: delivery.bytes,
      sha256: delivery.sha256,
      contentType: delivery.contentType
    }
    yield* journal.append(entry)
    return entry
  })
