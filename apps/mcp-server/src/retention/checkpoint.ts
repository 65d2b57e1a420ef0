/**
 * Signed checkpoints for the server: with a checkpoint folder (`--checkpoint-dir`), the journal is
 * verified and its head signed into that folder shortly after start and then every hour. A trail
 * that fails verification is not signed: the failure is logged (what is wrong, never an entry's
 * values).
 */
import * as Checkpoint from "@booster-export/journal/Checkpoint"
import * as Journal from "@booster-export/journal/Journal"
import { Effect, Fiber, Schedule } from "effect"
import type * as Log from "../logging/log.js"
import type { Options } from "../options/options.js"
import * as Catalog from "../tools/catalog.js"

/** One checkpoint: verifies, signs, logs where it went. */
export const checkpointOnce = (
  options: Pick<Options, "stateDir" | "journalUrl">,
  folder: string,
  log: Log.Log,
  env: NodeJS.ProcessEnv = process.env
) =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    const key = yield* Checkpoint.loadKey({ env, directory: options.stateDir })
    const written = yield* Checkpoint.take(journal, { folder, key })
    log.info(`checkpoint: entry ${written.checkpoint.seq} signed by ${key.keyId} into ${written.path}`)
  }).pipe(
    Effect.catchAll((error) => Effect.sync(() => log.warn(`checkpoint: ${error.message}`))),
    Effect.provide(Catalog.journal(options.stateDir, options.journalUrl))
  )

/** Writes a checkpoint at once and then every hour until the returned function is called. */
export const schedule = (
  options: Pick<Options, "stateDir" | "journalUrl">,
  folder: string,
  log: Log.Log
): (() => Promise<void>) => {
  const fiber = Effect.runFork(
    checkpointOnce(options, folder, log).pipe(Effect.repeat(Schedule.spaced("1 hour")))
  )
  return () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined)
}
