/**
 * Following a task to its end and downloading its file, shared by `export --wait/--output` and
 * `tasks wait|download`. Progress goes to stderr; the journal records the outcome.
 */
import { randomBytes } from "node:crypto"
import { lstat, open, rm, stat } from "node:fs/promises"
import { dirname, isAbsolute, join, resolve, sep } from "node:path"
import type { Task } from "@booster-export/core"
import { Journal, RecordDownload } from "@booster-export/journal"
import * as Scrub from "@booster-export/transport/Scrub"
import { Effect, Stream } from "effect"
import type { Client } from "../client/runtime.js"
import type { Settings } from "../config/profiles.js"
import { StillRunningError, UsageError } from "../output/errors.js"
import * as Term from "../output/terminal.js"

/**
 * Records an event of this command line in the shared journal, with the export kind of the task's
 * start (given, else read from the journal's start of the task). The journal is a convenience: a
 * failure to write it never fails a command.
 */
export const record = (
  entry: Omit<Journal.NewEntry, "source">
): Effect.Effect<void, never, Journal.Journal> =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    const kind =
      entry.kind ??
      (entry.asyncTaskId !== ""
        ? RecordDownload.startOf(yield* journal.entries, entry.asyncTaskId)?.kind
        : undefined)
    yield* journal.append({ ...entry, ...(kind !== undefined ? { kind } : {}), source: "cli" })
  }).pipe(Effect.ignore)

/** Options of {@link follow}. */
export interface FollowOptions {
  readonly quiet: boolean
  readonly timeoutMs?: number | undefined
  readonly host: string | undefined
  /** Where the person asked the file to go, repeated in the command that resumes. */
  readonly output?: string | undefined
  readonly download?: boolean | undefined
  readonly overwrite?: boolean | undefined
  /** The export kind's name, when the caller knows it (else read from the journal's start). */
  readonly kind?: string | undefined
}

/** A word as a POSIX shell reads it back: bare when safe, else in single quotes. */
const shellWord = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`

/**
 * The exact command that picks a task up again where following it stopped, with the destination
 * the person gave: `booster tasks wait ID --output 'my file.csv'`.
 */
export const resumeCommand = (asyncTaskId: string, options: FollowOptions): string =>
  [
    "booster tasks wait",
    asyncTaskId,
    ...(options.output !== undefined ? ["--output", shellWord(Scrub.line(options.output))] : []),
    ...(options.output === undefined && options.download === true ? ["--download"] : []),
    ...(options.overwrite === true ? ["--overwrite"] : [])
  ].join(" ")

/** Follows a task until COM; fails `ExportFailedError` at ERR, `StillRunningError` when time runs out. */
export const follow = (client: Client, asyncTaskId: string, options: FollowOptions) =>
  Effect.gen(function* () {
    const display = Term.progressDisplay(options.quiet)
    let last: Task.Task | undefined
    yield* client
      .followTask(asyncTaskId, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {})
      .pipe(
        Stream.runForEach((progress) => {
          last = progress.task
          return display.update(progress)
        }),
        Effect.ensuring(display.done),
        // Ctrl-C stops the following, not the export: say how to pick it up again
        Effect.onInterrupt(() =>
          options.quiet
            ? Effect.void
            : Term.err(
                `\nTask ${asyncTaskId} keeps running on the server. Resume with \`${resumeCommand(asyncTaskId, options)}\`.`
              )
        ),
        Effect.tapError((error) =>
          error._tag === "ExportFailedError"
            ? record({
                event: "failed",
                asyncTaskId,
                status: error.taskStatus,
                host: options.host,
                kind: options.kind
              })
            : Effect.void
        ),
        Effect.catchIf(
          (error) => error._tag === "TransportError" && error.reason === "timeout",
          () =>
            Effect.fail(
              new StillRunningError({
                message: `Task ${asyncTaskId} has not finished yet (last status ${last?.status ?? "unknown"}); it keeps running on the server`,
                hint: `Resume with \`${resumeCommand(asyncTaskId, options)}\`.`,
                asyncTaskId,
                status: last?.status ?? "unknown"
              })
            )
        )
      )
    const task = last ?? (yield* client.getTask(asyncTaskId))
    yield* record({
      event: "completed",
      asyncTaskId,
      status: task.status,
      host: options.host,
      kind: options.kind
    })
    return task
  })

/** Where a download goes: `--output` (file or folder), else the export folder. */
export const destinationOf = (output: string | undefined, settings: Settings): string => {
  if (output === undefined) return withTrailingSeparator(settings.exportDir)
  const absolute = isAbsolute(output) ? output : resolve(process.cwd(), output)
  return /[\\/]$/.test(output) ? withTrailingSeparator(absolute) : absolute
}

/** Why a folder cannot take a new file, if it cannot: it is missing, not a folder, or refuses a file. */
const folderProblem = async (folder: string): Promise<string | undefined> => {
  const info = await stat(folder).catch(() => undefined)
  if (info === undefined) return "does not exist"
  if (!info.isDirectory()) return "is not a folder"
  // a real file created and removed: permissions, a read-only disk and the root user are all judged
  const probe = join(folder, `.booster-probe-${randomBytes(6).toString("hex")}`)
  try {
    await (await open(probe, "wx", 0o600)).close()
    await rm(probe, { force: true })
    return undefined
  } catch (error) {
    return `cannot be written (${(error as NodeJS.ErrnoException).code ?? "refused"})`
  }
}

/** The nearest folder of `path` that exists (itself when it does), and whether `path` itself exists. */
const nearestExisting = async (path: string): Promise<string> => {
  let folder = path
  while ((await stat(folder).catch(() => undefined)) === undefined && dirname(folder) !== folder) {
    folder = dirname(folder)
  }
  return folder
}

/**
 * Checks, before anything is sent, that a download can land at `destination` (see
 * {@link destinationOf}): a file there only with `overwrite`, its folder present and writable; a
 * folder (trailing separator) present and writable, or creatable under a writable one. Fails with a
 * usage error (exit 2) naming `--overwrite` or the folder.
 */
export const checkDestination = (destination: string, overwrite: boolean): Effect.Effect<void, UsageError> =>
  Effect.flatMap(
    Effect.promise(async (): Promise<UsageError | undefined> => {
      const refuse = (message: string, hint: string) =>
        new UsageError({ message: `Nothing was sent: ${message}`, hint })
      const isFolder =
        /[\\/]$/.test(destination) || (await stat(destination).catch(() => undefined))?.isDirectory()
      if (isFolder) {
        const folder = destination.replace(/[\\/]+$/, "") || sep
        const existing = await nearestExisting(folder)
        const problem = await folderProblem(existing)
        return problem === undefined
          ? undefined
          : refuse(
              `the folder ${existing} ${problem}`,
              `Choose a folder you can write to with --output, or make ${existing} writable.`
            )
      }
      if ((await lstat(destination).catch(() => undefined)) !== undefined && !overwrite) {
        return refuse(
          `${destination} already exists`,
          "Pass --overwrite to replace it, or choose another --output."
        )
      }
      const folder = dirname(destination)
      const problem = await folderProblem(folder)
      return problem === undefined
        ? undefined
        : refuse(
            `the folder ${folder} ${problem}`,
            problem === "does not exist"
              ? `Create it first (mkdir -p ${folder}), or end --output with / to have a missing folder created.`
              : `Choose a folder you can write to with --output, or make ${folder} writable.`
          )
    }),
    (problem) => (problem === undefined ? Effect.void : Effect.fail(problem))
  )

/** A folder path with a trailing separator: the download then creates it (0700) when it is missing. */
const withTrailingSeparator = (folder: string): string => (/[\\/]$/.test(folder) ? folder : `${folder}${sep}`)

/**
 * Downloads a task's file and records it in the journal (with the start's fingerprint and request id
 * when the journal has the start); a record that cannot be written is said on stderr, the file kept.
 */
export const download = (
  client: Client,
  task: Task.Task | string,
  destination: string,
  options: {
    readonly overwrite: boolean
    readonly host: string | undefined
    /** Days the file is kept before `booster files purge` may delete it. */
    readonly retentionDays: number
  }
) =>
  client.download(task, destination, { overwrite: options.overwrite }).pipe(
    Effect.tap((file) =>
      RecordDownload.record({
        source: "cli",
        asyncTaskId: typeof task === "string" ? task : task.asyncTaskId,
        host: options.host,
        brand: typeof task === "string" ? undefined : task.brand,
        file,
        retentionDays: options.retentionDays
      }).pipe(
        Effect.catchAll((error) =>
          Term.err(
            Term.yellow(
              Term.line`Warning: the download was not recorded in the journal (${error.message}); \`booster files purge\` will not know this file.`
            )
          )
        )
      )
    )
  )

/** The summary line of a download. */
export const downloadSummary = (file: {
  readonly path: string
  readonly bytes: number
  readonly sha256: string
}): Term.Shown =>
  Term.line`Wrote ${Term.formatBytes(file.bytes)} to ${file.path} (sha256 ${file.sha256.slice(0, 12)}\u2026)`
