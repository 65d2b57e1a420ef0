/**
 * Retention for the server: expired downloads (past the `expiresAt` each download recorded) are
 * deleted at start and then every day, each deletion recorded in the journal. A file changed or
 * moved since its download is reported on stderr and left in place.
 */
import * as Journal from "@booster-export/journal/Journal"
import * as Retention from "@booster-export/journal/Retention"
import { Effect, Fiber, Schedule } from "effect"
import type * as Log from "../logging/log.js"
import type { Options } from "../options/options.js"
import * as Catalog from "../tools/catalog.js"

/** One purge: deletes what is due and logs what it did (paths only, never file contents). */
export const purgeOnce = (options: Pick<Options, "stateDir" | "journalUrl">, log: Log.Log) =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    const outcomes = yield* Retention.purge(journal, { source: "mcp", now: Date.now() })
    for (const { file, outcome, reason } of outcomes) {
      if (outcome === "deleted") log.info(`retention: deleted ${file.path} (expired)`)
      else if (outcome === "changed")
        log.warn(`retention: ${file.path} changed since its download; left in place`)
      else if (outcome === "missing") log.warn(`retention: ${file.path} is no longer there; nothing deleted`)
      else log.warn(`retention: ${file.path} could not be deleted (${reason})`)
    }
  }).pipe(
    Effect.catchAll((error) => Effect.sync(() => log.warn(`retention: ${error.message}`))),
    Effect.provide(Catalog.journal(options.stateDir, options.journalUrl))
  )

/** Purges at once and then every 24 hours until the returned function is called. */
export const schedule = (
  options: Pick<Options, "stateDir" | "journalUrl">,
  log: Log.Log
): (() => Promise<void>) => {
  const fiber = Effect.runFork(purgeOnce(options, log).pipe(Effect.repeat(Schedule.spaced("24 hours"))))
  return () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined)
}
