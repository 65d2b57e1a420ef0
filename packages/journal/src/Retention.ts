/**
 * Retention of downloaded exports: every download recorded in the journal carries an expiry
 * (`expiresAt`, by default {@link DEFAULT_DAYS} days after the download). {@link files} lists what
 * the journal knows of each file and {@link purge} deletes the expired ones, recording each
 * deletion (`event: "deleted"`). A file that was moved, or whose size or SHA-256 no longer match
 * the download's, is reported and left in place: it may be someone's work now.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { stat, unlink } from "node:fs/promises"
import { Effect } from "effect"
import type * as Journal from "./Journal.js"

/**
 * Days a downloaded file is kept by default: 30.
 *
 * @since 0.1.0
 */
export const DEFAULT_DAYS = 30

/**
 * The expiry of a file downloaded at `at` (epoch milliseconds) and kept `days` days, ISO-8601.
 *
 * @since 0.1.0
 */
export const expiresAt = (at: number, days: number = DEFAULT_DAYS): string =>
  new Date(at + days * 86_400_000).toISOString()

/**
 * What the journal knows of one downloaded file: its latest download, and its deletion if any.
 *
 * @since 0.1.0
 */
export interface File {
  readonly path: string
  readonly asyncTaskId: string
  readonly downloadedAt: string
  readonly expiresAt: string | undefined
  readonly bytes: number | undefined
  readonly sha256: string | undefined
  /** When retention deleted it; `undefined` while it is kept. */
  readonly deletedAt: string | undefined
}

/**
 * One row per downloaded file path (the latest download of it), oldest download first. A file
 * downloaded again after a deletion is kept again.
 *
 * @since 0.1.0
 */
export const files = (entries: ReadonlyArray<Journal.Entry>): ReadonlyArray<File> => {
  const byPath = new Map<string, File>()
  for (const entry of entries) {
    if (entry.file === undefined) continue
    if (entry.event === "deleted") {
      const known = byPath.get(entry.file)
      if (known !== undefined) byPath.set(entry.file, { ...known, deletedAt: entry.at })
      continue
    }
    if (entry.event !== undefined && entry.event !== "downloaded") continue
    byPath.delete(entry.file)
    byPath.set(entry.file, {
      path: entry.file,
      asyncTaskId: entry.asyncTaskId,
      downloadedAt: entry.at,
      expiresAt: entry.expiresAt,
      bytes: entry.bytes,
      sha256: entry.sha256,
      deletedAt: undefined
    })
  }
  return [...byPath.values()]
}

/**
 * The state of a file on disk against its download: `kept` (same size and SHA-256), `missing`
 * (moved or removed by hand), `changed` (size or SHA-256 differ), or `deleted` (by retention).
 *
 * @since 0.1.0
 */
export type State = "kept" | "missing" | "changed" | "deleted"

const sha256Of = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash("sha256")
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")))
  })

/**
 * Checks a file against its download: size first, then SHA-256.
 *
 * @since 0.1.0
 */
export const inspect = (file: File): Effect.Effect<State> =>
  file.deletedAt !== undefined
    ? Effect.succeed("deleted")
    : Effect.promise(async (): Promise<State> => {
        try {
          const info = await stat(file.path)
          if (!info.isFile()) return "missing"
          if (file.bytes !== undefined && info.size !== file.bytes) return "changed"
          if (file.sha256 !== undefined && (await sha256Of(file.path)) !== file.sha256) return "changed"
          return "kept"
        } catch {
          return "missing"
        }
      })

/**
 * True when a file is due for deletion at `now` (epoch milliseconds): its expiry has passed, or,
 * with `olderThanMs`, it was downloaded longer ago than that. A download recorded without an
 * expiry (older versions) expires {@link DEFAULT_DAYS} days after it.
 *
 * @since 0.1.0
 */
export const isDue = (file: File, now: number, olderThanMs?: number): boolean => {
  const downloaded = Date.parse(file.downloadedAt)
  if (olderThanMs !== undefined) return Number.isFinite(downloaded) && now - downloaded >= olderThanMs
  const expiry = Date.parse(file.expiresAt ?? expiresAt(downloaded))
  return Number.isFinite(expiry) && expiry <= now
}

/**
 * What {@link purge} did with one due file: `deleted` (and recorded), `changed` or `missing`
 * (left alone and reported), or `failed` (it could not be removed).
 *
 * @since 0.1.0
 */
export interface Outcome {
  readonly file: File
  readonly outcome: "deleted" | "changed" | "missing" | "failed"
  readonly reason?: string
}

/**
 * Deletes the due files known to `journal` that are still as downloaded, and records each deletion
 * (`event: "deleted"` with path, size and SHA-256, by `source`). With `dryRun`, reports what it
 * would do and deletes nothing.
 *
 * @since 0.1.0
 */
export const purge = (
  journal: Journal.Service,
  options: {
    readonly source: Journal.Source
    readonly now: number
    readonly olderThanMs?: number | undefined
    readonly dryRun?: boolean | undefined
  }
): Effect.Effect<ReadonlyArray<Outcome>, Journal.JournalError> =>
  Effect.gen(function* () {
    const known = files(yield* journal.entries)
    const due = known.filter(
      (file) => file.deletedAt === undefined && isDue(file, options.now, options.olderThanMs)
    )
    const outcomes: Array<Outcome> = []
    for (const file of due) {
      const state = yield* inspect(file)
      if (state === "changed" || state === "missing") {
        outcomes.push({ file, outcome: state })
        continue
      }
      if (options.dryRun) {
        outcomes.push({ file, outcome: "deleted" })
        continue
      }
      const removed = yield* Effect.tryPromise(() => unlink(file.path)).pipe(Effect.either)
      if (removed._tag === "Left") {
        const cause = removed.left.error as { code?: unknown }
        outcomes.push({
          file,
          outcome: "failed",
          reason: typeof cause?.code === "string" ? cause.code : "error"
        })
        continue
      }
      yield* journal.append({
        source: options.source,
        event: "deleted",
        asyncTaskId: file.asyncTaskId,
        file: file.path,
        ...(file.bytes !== undefined ? { bytes: file.bytes } : {}),
        ...(file.sha256 !== undefined ? { sha256: file.sha256 } : {})
      })
      outcomes.push({ file, outcome: "deleted" })
    }
    return outcomes
  })
