/**
 * The schedules' services for the commands, loaded only by `booster schedule …` and `booster worker`:
 * the store (the team's PostgreSQL database with `BOOSTER_JOURNAL_URL`, else the SQLite file
 * `schedules.sqlite` in the state folder, mode 0600 in a 0700 folder),
 * and for the commands that run schedules the engine over it, with the API client, the journal and
 * the destinations.
 */
import { chmodSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { Journal } from "@booster-export/journal"
import { Destination, Engine, RunDue, ScheduledRun, ScheduleStore } from "@booster-export/schedule"
import { FingerprintKey, StateDirectory } from "@booster-export/transport"
import { Effect, Layer } from "effect"
import * as Common from "../config/options.js"
import type * as Profiles from "../config/profiles.js"
import * as CliJournal from "../journal/journal.js"

export { RunDue, ScheduleStore }

/** The store's file: `schedules.sqlite` in the state folder. */
export const databasePath = (): string => join(StateDirectory.resolve(), ScheduleStore.SQLITE_FILE)

/** The embedded SQL store, its folder created (0700) and its file kept private (0600). */
const sqlite = Layer.unwrapEffect(
  Effect.sync(() => {
    const path = databasePath()
    mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 })
    return Engine.sqlite(path).pipe(
      Layer.tap(() =>
        Effect.sync(() => {
          for (const file of [path, `${path}-wal`, `${path}-shm`]) {
            try {
              chmodSync(file, 0o600)
            } catch {
              // the WAL files exist only while a connection is open
            }
          }
        })
      )
    )
  })
)

/**
 * The store of the settings: the team's PostgreSQL database when `BOOSTER_JOURNAL_URL` (or the
 * profile's `journalUrl`) names one, so that the workers of several machines share the schedules and
 * each run happens once; else the SQLite file in the state folder.
 */
const sqlOf = (settings: Pick<Profiles.Settings, "journalUrl">) =>
  settings.journalUrl !== undefined ? Layer.orDie(Engine.postgres(settings.journalUrl)) : sqlite

/** The schedule store alone (for list, show, pause, resume, remove, runs, add). */
export const storeLayer = (
  settings: Pick<Profiles.Settings, "journalUrl">
): Layer.Layer<ScheduleStore.ScheduleStore, ScheduleStore.ScheduleStoreError> =>
  ScheduleStore.layer.pipe(Layer.provide(sqlOf(settings)))

const numberFromEnv = (name: string): number | undefined => {
  const raw = process.env[name]?.trim()
  const value = raw ? Number(raw) : Number.NaN
  return Number.isFinite(value) && value >= 0 ? value : undefined
}

/**
 * The engine's options from the environment: `BOOSTER_SCHEDULE_ATTEMPTS` (attempts of a failing
 * step, default 4), `BOOSTER_SCHEDULE_RETRY_DELAY_MS` (the first wait, doubled at each retry,
 * default 30 000), `BOOSTER_SCHEDULE_TAKEOVER_MS` (how long a dead worker's runs wait before another
 * process takes them over, default 20 000).
 */
export const engineOptions = (): Engine.Options => {
  const attempts = numberFromEnv("BOOSTER_SCHEDULE_ATTEMPTS")
  const delay = numberFromEnv("BOOSTER_SCHEDULE_RETRY_DELAY_MS")
  const takeover = numberFromEnv("BOOSTER_SCHEDULE_TAKEOVER_MS")
  return {
    retry: {
      attempts: Math.max(1, Math.floor(attempts ?? Engine.defaultRetry.attempts)),
      initialDelay: delay !== undefined ? `${delay} millis` : Engine.defaultRetry.initialDelay
    },
    ...(takeover !== undefined ? { lockExpiration: `${Math.max(2000, takeover)} millis` } : {})
  }
}

/** What a run needs of the install: the client, the fingerprint key, the API host, the work folder. */
const runSettings = (settings: Profiles.Settings) =>
  Layer.scoped(
    ScheduledRun.RunSettings,
    Effect.gen(function* () {
      const { key } = yield* FingerprintKey.load()
      const client = yield* Common.client(settings, { fingerprintKey: key })
      return {
        client,
        fingerprintKey: key,
        host: Journal.hostOf(settings.baseUrl),
        workDir: join(StateDirectory.resolve(), "schedule-work")
      }
    })
  )

/** The engine and everything a run needs, for `run-due` and `worker`. */
export const engineLayer = (settings: Profiles.Settings) =>
  Engine.layer(engineOptions()).pipe(
    Layer.provideMerge(
      Layer.mergeAll(runSettings(settings), Destination.layer, CliJournal.layer(settings), sqlOf(settings))
    )
  )
