/** The schedules' full environment for tests: sandbox client, file journal, SQLite engine, destinations. */
import { chmodSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { Fingerprint } from "@booster-export/core"
import { Downloads, Journal } from "@booster-export/journal"
import { Auth, BoosterClient } from "@booster-export/transport"
import type * as SqlClient from "@effect/sql/SqlClient"
import { Context, Effect, Layer } from "effect"
import { Destination, Engine, ScheduledRun } from "../src/index.js"

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
