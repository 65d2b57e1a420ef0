/**
 * Retention of downloaded exports: every download carries an expiry (`expiresAt`, by default
 * {@link DEFAULT_DAYS} days after the download). {@link files} lists what this install's record of
 * downloads (`Downloads`) knows of each file and {@link purge} deletes the expired ones, recording
 * each deletion (`event: "deleted"`) there and in the journal.
 *
 * Only the files this install downloaded are ever deleted, and only while they are still what was
 * downloaded, where it was downloaded: a row of a journal shared by a team names nothing here. A
 * file that was moved, whose size or SHA-256 no longer match, whose path now leads elsewhere (a
 * symbolic link, a folder that is no longer the one written into) or whose download was recorded
 * without its size and SHA-256, is reported and left in place: it may be someone's work now.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { constants } from "node:fs"
import { lstat, open, realpath, unlink } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import { Effect, Either } from "effect"
import type * as Downloads from "./Downloads.js"
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
 * What this install's record knows of one downloaded file: its latest download, and its deletion if
 * any.
 *
 * @since 0.1.0
 */
export interface File {
  readonly path: string
  /**
   * The real path of the folder the file was written into, recorded at download time; `undefined`
   * for a download recorded by an older version (its folder is then the one `path` names, taken as
   * written: a symbolic link on the way is refused).
   */
  readonly folder: string | undefined
  readonly asyncTaskId: string
  /**
   * The export kind's name as the download recorded it; `undefined` when it recorded none (a
   * download of an older version: look the task up in the journal, else it is a customer export).
   */
  readonly kind?: string | undefined
  readonly downloadedAt: string
  readonly expiresAt: string | undefined
  readonly bytes: number | undefined
  readonly sha256: string | undefined
  /** When retention deleted it; `undefined` while it is kept. */
  readonly deletedAt: string | undefined
}

/**
 * A line about a download or a deletion: one of `Downloads` or, as older versions kept them, one of
 * the local journal.
 *
 * @since 0.1.0
 */
export type Line = Pick<
  Journal.Entry,
  "at" | "event" | "asyncTaskId" | "kind" | "file" | "bytes" | "sha256" | "expiresAt"
> & {
  readonly folder?: string | undefined
}

/**
 * One row per downloaded file path (the latest download of it), oldest download first. A file
 * downloaded again after a deletion is kept again.
 *
 * @since 0.1.0
 */
export const files = (lines: ReadonlyArray<Line>): ReadonlyArray<File> => {
  const byPath = new Map<string, File>()
  for (const line of lines) {
    if (line.file === undefined) continue
    if (line.event === "deleted") {
      const known = byPath.get(line.file)
      if (known !== undefined) byPath.set(line.file, { ...known, deletedAt: line.at })
      continue
    }
    if (line.event !== undefined && line.event !== "downloaded") continue
    byPath.delete(line.file)
    byPath.set(line.file, {
      path: line.file,
      folder: line.folder,
      asyncTaskId: line.asyncTaskId,
      kind: line.kind,
      downloadedAt: line.at,
      expiresAt: line.expiresAt,
      bytes: line.bytes,
      sha256: line.sha256,
      deletedAt: undefined
    })
  }
  return [...byPath.values()]
}

/**
 * The state of a file on disk against its download: `kept` (same size and SHA-256, where it was
 * written), `missing` (moved or removed by hand), `changed` (size or SHA-256 differ, or no longer a
 * regular file), `redirected` (its path now leads elsewhere: a symbolic link, a `..`, or a folder that
 * is not the one written into), `unverified` (the download was recorded without its size and SHA-256:
 * it cannot be told apart from another file), or `deleted` (by retention).
 *
 * @since 0.1.0
 */
export type State = "kept" | "missing" | "changed" | "redirected" | "unverified" | "deleted"

/** The SHA-256 of the file at `path` if it is still the file `expected` described (never through a link). */
const sha256Of = async (path: string, expected: { readonly ino: number; readonly dev: number }) => {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  try {
    const info = await handle.stat()
    if (info.ino !== expected.ino || info.dev !== expected.dev) return undefined
    const hash = createHash("sha256")
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer)
    return hash.digest("hex")
  } finally {
    await handle.close()
  }
}

const check = async (file: File): Promise<State> => {
  // an absolute path as written, with no `.` or `..` in it
  if (resolve(file.path) !== file.path) return "redirected"
  const info = await lstat(file.path).catch(() => undefined)
  if (info === undefined) return "missing"
  if (info.isSymbolicLink()) return "redirected"
  if (!info.isFile()) return "changed"
  const folder = await realpath(dirname(file.path)).catch(() => undefined)
  if (folder === undefined) return "missing"
  if (folder !== (file.folder ?? dirname(file.path))) return "redirected"
  if (file.bytes !== undefined && info.size !== file.bytes) return "changed"
  if (file.bytes === undefined || file.sha256 === undefined) return "unverified"
  const sha256 = await sha256Of(file.path, info).catch(() => undefined)
  return sha256 === file.sha256 ? "kept" : "changed"
}

/**
 * Checks a file against its download: where it is (a regular file, no symbolic link, in the folder
 * it was written into), then its size, then its SHA-256.
 *
 * @since 0.1.0
 */
export const inspect = (file: File): Effect.Effect<State> =>
  file.deletedAt !== undefined ? Effect.succeed("deleted") : Effect.promise(() => check(file))

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
 * What {@link purge} did with one due file: `deleted` (and recorded); `changed`, `missing`,
 * `redirected` or `unverified` (left alone and reported, see {@link State}); or `failed` (it could
 * not be removed, `reason` the system's error code).
 *
 * @since 0.1.0
 */
export interface Outcome {
  readonly file: File
  readonly outcome: Exclude<State, "kept"> | "failed"
  readonly reason?: string
}

/**
 * Deletes the due files of this install's record of downloads (`own`) that are still as
 * downloaded, and records each deletion (`event: "deleted"` with path, size and SHA-256, by
 * `source`) in that record and in `journal`. Nothing else is deleted, whatever `journal` holds. With
 * `dryRun`, reports what it would do and deletes nothing.
 *
 * @since 0.1.0
 */
export const purge = (
  own: Downloads.Service,
  journal: Journal.Service,
  options: {
    readonly source: Journal.Source
    readonly now: number
    readonly olderThanMs?: number | undefined
    readonly dryRun?: boolean | undefined
  }
): Effect.Effect<ReadonlyArray<Outcome>, Journal.JournalError> =>
  Effect.gen(function* () {
    const due = files(yield* own.entries).filter(
      (file) => file.deletedAt === undefined && isDue(file, options.now, options.olderThanMs)
    )
    const outcomes: Array<Outcome> = []
    for (const file of due) {
      const state = yield* inspect(file)
      if (state !== "kept") {
        outcomes.push({ file, outcome: state })
        continue
      }
      if (options.dryRun) {
        outcomes.push({ file, outcome: "deleted" })
        continue
      }
      const removed = yield* Effect.tryPromise(() => unlink(file.path)).pipe(Effect.either)
      if (Either.isLeft(removed)) {
        const cause = removed.left.error as { code?: unknown }
        outcomes.push({
          file,
          outcome: "failed",
          reason: typeof cause?.code === "string" ? cause.code : "error"
        })
        continue
      }
      const deletion = {
        source: options.source,
        event: "deleted" as const,
        asyncTaskId: file.asyncTaskId,
        file: file.path,
        ...(file.bytes !== undefined ? { bytes: file.bytes } : {}),
        ...(file.sha256 !== undefined ? { sha256: file.sha256 } : {})
      }
      const recorded = yield* Effect.either(own.append(deletion))
      yield* journal.append(deletion)
      if (Either.isLeft(recorded)) return yield* recorded.left
      outcomes.push({ file, outcome: "deleted" })
    }
    return outcomes
  })
