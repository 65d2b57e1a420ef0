/** The PostgreSQL cluster of `scripts/postgres-test-cluster.mjs`: its URL and a fresh database per test. */
import { randomUUID } from "node:crypto"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted } from "effect"

/** The cluster's URL (database `postgres`), when there is one. */
export const clusterUrl = process.env.BOOSTER_TEST_PG_URL

/** Creates an empty database and returns its URL. */
export const freshDatabase = async (): Promise<string> => {
  const url = clusterUrl!
  const name = `t_${randomUUID().replace(/-/g, "").slice(0, 16)}`
  await Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(PgClient.make({ url: Redacted.make(url) }), (client) =>
        client.unsafe(`CREATE DATABASE ${name}`)
      )
    ).pipe(Effect.provide(Reactivity.layer), Effect.orDie)
  )
  const next = new URL(url)
  next.pathname = `/${name}`
  return next.toString()
}
