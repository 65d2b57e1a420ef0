/** The schedules' full environment for tests: sandbox client, file journal, SQLite engine, destinations. */
import { chmodSync, mkdirSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Fingerprint } from "@booster-export/core"
import { Downloads, Journal } from "@booster-export/journal"
import { Auth, BoosterClient } from "@booster-export/transport"
import type * as SqlClient from "@effect/sql/SqlClient"
import { Context, Effect, Layer } from "effect"
import {
  Destination,
  Engine,
  type ExportSchedule,
  RunDue,
  ScheduledRun,
  ScheduleStore
} from "../src/index.js"

/** A fixed fingerprint key, so that tests never create the per-install key of the real home. */
export const testKey = Fingerprint.key(new Uint8Array(32).fill(7))

/** Where the sandbox is. */
export interface Api {
  readonly baseUrl: string
  readonly apiKey: string
}

/** Every service a run needs, over the SQLite store in `stateDir`. */
export const environment = (
  stateDir: string,
  api: Api,
  options: Engine.Options = {
    retry: { attempts: 2, initialDelay: "10 millis" },
    lockExpiration: "4 seconds"
  },
  destinations: Destination.Options = Destination.optionsFromEnv(),
  /** The store: default the SQLite file `schedules.sqlite` of the state folder. */
  database?: Layer.Layer<SqlClient.SqlClient, unknown>
) => {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  const settings = Layer.effect(
    ScheduledRun.RunSettings,
    Effect.map(
      Layer.build(
        BoosterClient.BoosterClient.layer({
          baseUrl: api.baseUrl,
          auth: Auth.bearer(api.apiKey),
          retry: { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 5 },
          poll: { initialMs: 10, maxMs: 50 },
          fingerprintKey: testKey
        })
      ),
      (context) => ({
        client: Context.get(context, BoosterClient.BoosterClient),
        fingerprintKey: testKey,
        host: Journal.hostOf(api.baseUrl),
        workDir: join(stateDir, "schedule-work")
      })
    )
  )
  const file = join(stateDir, "schedules.sqlite")
  const sql = database ?? Engine.sqlite(file).pipe(Layer.tap(() => Effect.sync(() => chmodSync(file, 0o600))))
  return Engine.layer(options).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        settings,
        Destination.layerWith(destinations),
        Journal.layer(stateDir),
        Downloads.layer(stateDir),
        sql
      )
    )
  )
}

/**
 * Adds one daily schedule (07:00 UTC, created the day before) delivering to `destination` and runs
 * what is due on 2026-03-30 at 08:00 UTC, one attempt per step: the run of that morning.
 */
export const deliverOneRun = (
  api: Api,
  schedule: Pick<ExportSchedule.ExportSchedule, "id" | "name" | "kind" | "filter">,
  destination: string,
  destinations?: Destination.Options
) => {
  const state = mkdtempSync(join(tmpdir(), "sched-delivery-"))
  return Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* ScheduleStore.ScheduleStore
      yield* store.add({
        ...schedule,
        cron: "0 7 * * *",
        timeZone: "UTC",
        destination,
        catchUp: "latest",
        paused: false,
        createdAt: "2026-03-29T12:00:00.000Z"
      })
      return yield* RunDue.runDue({ asOf: new Date("2026-03-30T08:00:00Z") })
    }).pipe(
      Effect.provide(
        environment(state, api, { retry: { attempts: 1, initialDelay: "10 millis" } }, destinations)
      ),
      Effect.scoped
    )
  )
}
