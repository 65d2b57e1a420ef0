/**
 * The common job in one call: start an export, follow its task to the end and download its file.
 *
 * @since 0.1.0
 */
import { Effect, Either, Stream } from "effect"
import type * as BoosterClientModule from "./BoosterClient.js"
import { BoosterClient } from "./BoosterClient.js"
import type * as BoosterError from "./BoosterError.js"
import * as Request from "./internal/request.js"

/**
 * Options of {@link exportToFile}: those of `startExport`, `followTask` and `download`, and a
 * callback told of every change of the task.
 *
 * @category options
 * @since 0.1.0
 */
export interface Options
  extends BoosterClientModule.StartOptions,
    BoosterClientModule.FollowOptions,
    BoosterClientModule.DownloadOptions {
  /** Called with each change of the task while it is followed (at least once, with its last state). */
  readonly onProgress?: ((progress: BoosterClientModule.Progress) => Effect.Effect<void>) | undefined
}

/**
 * What {@link exportToFile} answers.
 *
 * @category models
 * @since 0.1.0
 */
export interface Result {
  /** The task the export created (or the one found when the request's answer was lost). */
  readonly asyncTaskId: string
  /** The `downloadRequestId` sent. */
  readonly downloadRequestId: string
  /** Absolute path of the downloaded file. */
  readonly path: string
  /** Size of the file, in bytes. */
  readonly bytes: number
  /** SHA-256 of the file, lower-case hex. */
  readonly sha256: string
  /** The content type the download server gave. */
  readonly contentType: string
  /** Records exported, from the task's totals (`totalResults`, else `totalSucceeded`); absent when the task gives none. */
  readonly rows: number | undefined
  /** True when the start's answer was lost and the task was found by listing tasks. */
  readonly reconciled: boolean
  /** How the task was found when `reconciled` (by task type, or by time window only); absent otherwise. */
  readonly reconciliation?: BoosterClientModule.Reconciliation | undefined
}

/**
 * Starts an export of `filter` (of `kind`, customers when no kind is given), follows its task until
 * it completes and downloads its file to `destination` (a file path, an existing folder, or a folder
 * ending with `/` that is created with mode `0700` when missing). Fails like the operations it runs:
 * `ValidationError` before anything is sent, `ExportFailedError` when the task ends in error,
 * `DownloadError`, … Interrupting it stops the follow or the transfer at once and leaves no partial
 * file.
 *
 * ```ts
 * ExportToFile.exportToFile({ brand: "CAR", posCodes: ["IT100"] }, "./exports/")
 * ExportToFile.exportToFile("stock", { brand: "CAR" }, "./exports/")
 * ```
 *
 * @category operations
 * @since 0.1.0
 */
export function exportToFile<K extends BoosterClientModule.Kind>(
  kind: K,
  filter: BoosterClientModule.ExportInput<K>,
  destination: string,
  options?: Options
): Effect.Effect<Result, BoosterError.BoosterError, BoosterClient>
export function exportToFile(
  filter: BoosterClientModule.ExportInput,
  destination: string,
  options?: Options
): Effect.Effect<Result, BoosterError.BoosterError, BoosterClient>
export function exportToFile(
  ...args: ReadonlyArray<unknown>
): Effect.Effect<Result, BoosterError.BoosterError, BoosterClient> {
  return Effect.gen(function* () {
    const call = Request.readCall(args)
    if (Either.isLeft(call)) return yield* call.left
    const { kind, input, rest } = call.right
    const destination = rest[0] as string
    const options = (rest[1] ?? {}) as Options
    const client = yield* BoosterClient
    const started = yield* client.startExport(kind, input, {
      downloadRequestId: options.downloadRequestId,
      exclude: options.exclude
    })
    let last: BoosterClientModule.Progress | undefined
    yield* Stream.runForEach(
      client.followTask(started.asyncTaskId, {
        pollInitialMs: options.pollInitialMs,
        pollMaxMs: options.pollMaxMs,
        timeoutMs: options.timeoutMs
      }),
      (progress) => {
        last = progress
        return options.onProgress?.(progress) ?? Effect.void
      }
    )
    const downloaded = yield* client.download(last?.task ?? started.asyncTaskId, destination, {
      overwrite: options.overwrite
    })
    return {
      asyncTaskId: started.asyncTaskId,
      downloadRequestId: started.downloadRequestId,
      path: downloaded.path,
      bytes: downloaded.bytes,
      sha256: downloaded.sha256,
      contentType: downloaded.contentType,
      rows: last?.totalResults ?? last?.totalSucceeded,
      reconciled: started.reconciled,
      ...(started.reconciliation !== undefined ? { reconciliation: started.reconciliation } : {})
    }
  })
}
