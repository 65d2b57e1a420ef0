/**
 * `--output -`: a task's file written to standard output, for a pipe or a redirection.
 *
 * The file is downloaded and verified first (its announced length and its SHA-256, as every
 * download) into a private temporary file (0600 in a 0700 folder under the state folder), and only
 * then copied to stdout: a reader of a pipe cannot "unread" bytes, so nothing reaches it until the
 * whole file is known good. The temporary folder is removed on every path (success, failure,
 * Ctrl-C); one left by a process that was killed outright is removed by the next `--output -`.
 * Nothing but the file goes to stdout; progress and messages stay on stderr. A file written to
 * stdout is not kept: the journal records it as delivered to stdout, and retention never lists it.
 */
import { createHash } from "node:crypto"
import { once } from "node:events"
import { createReadStream } from "node:fs"
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises"
import { join } from "node:path"
import type { Task } from "@booster-export/core"
import { RecordDownload } from "@booster-export/journal"
import * as StateDirectory from "@booster-export/transport/StateDirectory"
import { Effect } from "effect"
import type { Client } from "../client/runtime.js"
import { StdoutError, UsageError } from "../output/errors.js"
import * as Term from "../output/terminal.js"

/** True when `--output` names standard output (`-`). */
export const isStdout = (output: string | undefined): boolean => output?.trim() === "-"

/**
 * Checks, before anything is sent, that `--output -` can be honoured: never with `--json` (stdout
 * carries one JSON value, or the file, not both), and never onto a terminal (an export's file holds
 * personal data: it goes to a pipe or a redirection, not onto a screen; no flag overrides this, as
 * `| cat` would for anyone who really means it). Usage error (exit 2) otherwise.
 */
export const check = (output: string | undefined, json: boolean): Effect.Effect<void, UsageError> => {
  if (!isStdout(output)) return Effect.void
  if (json) {
    return Effect.fail(
      new UsageError({
        message:
          "Nothing was sent: --output - and --json cannot be used together (both would write to standard output)",
        hint: "Drop --json to have the CSV on standard output, or give a file with --output to keep --json."
      })
    )
  }
  if (process.stdout.isTTY === true) {
    return Effect.fail(
      new UsageError({
        message:
          "Nothing was sent: --output - writes the export's file to standard output, which is this terminal, and the file may hold personal data",
        hint: "Redirect standard output (… --output - > customers.csv) or pipe it (… --output - | your-tool), or give a file with --output."
      })
    )
  }
  return Effect.void
}

/** The folder holding the private copies of files on their way to stdout, in the state folder. */
const workFolder = (): string => join(StateDirectory.resolve(), "stdout")

/** Whether process `pid` is alive (a process of another user counts as alive). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Removes the copies left by processes that no longer run (killed before they could clean up). */
const sweep = async (folder: string): Promise<void> => {
  for (const name of await readdir(folder).catch((): Array<string> => [])) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1])
    if (Number.isSafeInteger(pid) && pid !== process.pid && !alive(pid)) {
      await rm(join(folder, name), { recursive: true, force: true }).catch(() => undefined)
    }
  }
}

/** A private temporary folder (0700), removed when the scope closes, whatever ends it. */
const privateFolder = Effect.acquireRelease(
  Effect.tryPromise({
    try: async () => {
      const folder = workFolder()
      await mkdir(folder, { recursive: true, mode: 0o700 })
      await sweep(folder)
      return mkdtemp(join(folder, `${process.pid}-`))
    },
    catch: (cause) =>
      new StdoutError({
        reason: "write",
        bytes: 0,
        message: `Cannot create a private temporary folder in ${workFolder()} (${(cause as NodeJS.ErrnoException).code ?? "failed"}); nothing was downloaded`,
        hint: "Make the state folder writable (or set XDG_STATE_HOME to a writable folder), or give a file with --output."
      })
  }),
  (folder) => Effect.promise(() => rm(folder, { recursive: true, force: true }).catch(() => undefined))
)

/** Stdout write failures seen since the first copy (a closed pipe reports EPIPE asynchronously). */
let stdoutFailure: NodeJS.ErrnoException | undefined
let watching = false
const watchStdout = () => {
  if (watching) return
  watching = true
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    stdoutFailure ??= error
  })
}

/** Why a copy to stdout stopped. */
class Stopped extends Error {
  constructor(
    readonly reason: "closed" | "write" | "changed",
    readonly bytes: number
  ) {
    super(reason)
  }
}

const reasonOf = (error: NodeJS.ErrnoException | undefined): "closed" | "write" =>
  error?.code === "EPIPE" || error?.code === "ERR_STREAM_DESTROYED" ? "closed" : "write"

/**
 * Copies the verified file at `path` to stdout, hashing it again on the way; answers the bytes
 * written. Rejects with {@link Stopped} when the reader closes the pipe, a write fails, or the copy
 * no longer matches `sha256` (the last check comes after the bytes went out: say so); its `bytes`
 * are those handed to stdout, of which the reader may have taken fewer.
 */
const pour = async (path: string, sha256: string, signal: AbortSignal): Promise<number> => {
  watchStdout()
  const out = process.stdout
  const hash = createHash("sha256")
  let written = 0
  try {
    for await (const chunk of createReadStream(path, { signal, highWaterMark: 1024 * 1024 })) {
      if (stdoutFailure !== undefined) throw new Stopped(reasonOf(stdoutFailure), written)
      const buffer = chunk as Buffer
      hash.update(buffer)
      written += buffer.length
      const more = out.write(buffer)
      if (!more) await once(out, "drain", { signal })
    }
    await new Promise<void>((resolve, reject) =>
      out.write("", (error) => (error ? reject(error) : resolve()))
    )
  } catch (error) {
    if (error instanceof Stopped || signal.aborted) throw error
    throw new Stopped(reasonOf(stdoutFailure ?? (error as NodeJS.ErrnoException)), written)
  }
  if (stdoutFailure !== undefined) throw new Stopped(reasonOf(stdoutFailure), written)
  if (hash.digest("hex") !== sha256) throw new Stopped("changed", written)
  return written
}

const stoppedError = (stopped: Stopped, total: number): StdoutError => {
  const handed = `up to ${Term.formatBytes(stopped.bytes)} of ${Term.formatBytes(total)}`
  switch (stopped.reason) {
    case "closed":
      return new StdoutError({
        reason: "closed",
        bytes: stopped.bytes,
        message: `The reader of standard output closed it after ${handed}: it did not take the whole file`,
        hint: "Run the command again with a reader that takes the whole file, or give a file with --output."
      })
    case "changed":
      return new StdoutError({
        reason: "changed",
        bytes: stopped.bytes,
        message: `The private copy changed after it was verified: the ${handed} written to standard output are not the verified file`,
        hint: "Discard what was written, then download again."
      })
    default:
      return new StdoutError({
        reason: "write",
        bytes: stopped.bytes,
        message: `Writing to standard output failed after ${handed}`,
        hint: "Discard what was written, then run the command again or give a file with --output."
      })
  }
}

/**
 * Downloads a task's file, verified, into a private temporary file, writes it to stdout, removes
 * the temporary file, and records the delivery in the journal (never in the record of downloads
 * retention keeps). A failed download writes nothing to stdout.
 */
export const deliver = (
  client: Client,
  task: Task.Task | string,
  options: {
    readonly host: string | undefined
    /** The export kind's name, when the caller knows it (else the journal's start of the task says). */
    readonly kind?: string | undefined
  }
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const folder = yield* privateFolder
      const file = yield* client.download(task, join(folder, "export"), { overwrite: false })
      const record = (bytes: number, complete: boolean) =>
        RecordDownload.recordDelivery({
          source: "cli",
          asyncTaskId: typeof task === "string" ? task : task.asyncTaskId,
          host: options.host,
          brand: typeof task === "string" ? undefined : task.brand,
          kind: options.kind,
          destination: "stdout",
          bytes,
          sha256: file.sha256,
          contentType: file.contentType,
          complete
        }).pipe(
          Effect.catchAll((error) =>
            Term.err(
              Term.yellow(
                Term.line`Warning: the delivery to standard output was not recorded in the journal (${error.message}).`
              )
            )
          )
        )
      const written = yield* Effect.tryPromise({
        try: (signal) => pour(file.path, file.sha256, signal),
        catch: (error) =>
          error instanceof Stopped ? error : new Stopped(reasonOf(error as NodeJS.ErrnoException), 0)
      }).pipe(
        Effect.catchAll((stopped) =>
          Effect.zipRight(
            stopped.bytes > 0 ? record(stopped.bytes, false) : Effect.void,
            Effect.fail(stoppedError(stopped, file.bytes))
          )
        )
      )
      yield* record(written, true)
      return { bytes: written, sha256: file.sha256, contentType: file.contentType }
    })
  )

/** The summary line of a delivery to stdout, for stderr. */
export const summary = (file: { readonly bytes: number; readonly sha256: string }): Term.Shown =>
  Term.line`Wrote ${Term.formatBytes(file.bytes)} to standard output (sha256 ${file.sha256.slice(0, 12)}\u2026)`
