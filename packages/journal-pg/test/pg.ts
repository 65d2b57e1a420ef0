/**
 * The PostgreSQL cluster started by `scripts/postgres-test-cluster.mjs` (a vitest globalSetup): its
 * URL, a fresh database per test, and the reason the tests are skipped when there is none.
 */
import { randomUUID } from "node:crypto"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted } from "effect"

/** The cluster's URL (database `postgres`), when there is one. */
export const clusterUrl = process.env.BOOSTER_TEST_PG_URL

/** Why the PostgreSQL tests are skipped, when they are. */
export const skipReason = process.env.BOOSTER_TEST_PG_SKIP ?? "BOOSTER_TEST_PG_URL is not set"

/** The password in the cluster's URL, to check that it never appears in output. */
export const password = process.env.BOOSTER_TEST_PG_PASSWORD ?? "unset"

/** Runs statements against one database of the cluster. */
export const sql = <A>(url: string, body: (sql: PgClient.PgClient) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(PgClient.make({ url: Redacted.make(url) }), body)).pipe(
      Effect.provide(Reactivity.layer)
    ) as Effect.Effect<A, unknown>
  )

/** Creates an empty database and returns its URL. */
export const freshDatabase = async (): Promise<string> => {
  const url = clusterUrl!
  const name = `t_${randomUUID().replace(/-/g, "").slice(0, 16)}`
  await sql(url, (client) => client.unsafe(`CREATE DATABASE ${name}`))
  const next = new URL(url)
  next.pathname = `/${name}`
  return next.toString()
}
