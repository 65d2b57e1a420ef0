/**
 * Retention for the server: this install's expired downloads (past the `expiresAt` each download
 * recorded in the install's own record, never a row of a team journal) are deleted at start and then
 * every day, each deletion recorded in the journal. A file changed, moved, reached through a symbolic
 * link or recorded without its size and SHA-256 is reported on stderr and left in place.
 */
import * as Downloads from "@booster-export/journal/Downloads"
import * as Journal from "@booster-export/journal/Journal"
import * as Retention from "@booster-export/journal/Retention"
import { Effect, Fiber, Layer, Schedule } from "effect"
import type * as Log from "../logging/log.js"
import type { Options } from "../options/options.js"
import * as Catalog from "../tools/catalog.js"

/** One purge: deletes what is due and logs what it did (paths only, never file contents). */
export const purgeOnce = (options: Pick<Options, "stateDir" | "journalUrl">, log: Log.Log) =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    const outcomes = yield* Retention.purge(yield* Downloads.Downloads, journal, {
      source: "mcp",
      now: Date.now()
    })
    for (const { file, outcome, reason } of outcomes) {
      if (outcome === "deleted") log.info(`retention: deleted ${file.path} (expired)`)
      else if (outcome === "changed")
        log.warn(`retention: ${file.path} changed since its download; left in place`)
      else if (outcome === "missing") log.warn(`retention: ${file.path} is no longer there; nothing deleted`)
      else if (outcome === "redirected")
        log.warn(`retention: ${file.path} no longer leads to the file downloaded there; left in place`)
      else if (outcome === "unverified")
        log.warn(`retention: ${file.path} was recorded without its size and SHA-256; left in place`)
      else log.warn(`retention: ${file.path} could not be deleted (${reason})`)
    }
  }).pipe(
    Effect.catchAll((error) => Effect.sync(() => log.warn(`retention: ${error.message}`))),
    Effect.provide(
      Layer.merge(Catalog.journal(options.stateDir, options.journalUrl), Catalog.downloads(options.stateDir))
    )
  )

/** Purges at once and then every 24 hours until the returned function is called. */
export const schedule = (
  options: Pick<Options, "stateDir" | "journalUrl">,
  log: Log.Log
): (() => Promise<void>) => {
  const fiber = Effect.runFork(purgeOnce(options, log).pipe(Effect.repeat(Schedule.spaced("24 hours"))))
  return () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined)
}
