/**
 * The PostgreSQL cluster started by `scripts/postgres-test-cluster.mjs` (a vitest globalSetup): its
 * URL, a fresh database per test file, statements against it, and why the tests are skipped when
 * there is none.
 */
import { randomUUID } from "node:crypto"
import type * as Journal from "@booster-export/journal/Journal"
import * as PgJournal from "@booster-export/journal-pg/PgJournal"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted } from "effect"

/** The cluster's URL (database `postgres`), when there is one. */
export const clusterUrl = process.env.BOOSTER_TEST_PG_URL

/** Why the PostgreSQL tests are skipped, when they are. */
export const skipReason = process.env.BOOSTER_TEST_PG_SKIP ?? "BOOSTER_TEST_PG_URL is not set"

/** Runs `statement` against the database at `url`. */
export const query = <A extends object>(
  url: string,
  statement: (client: PgClient.PgClient) => Effect.Effect<A, unknown>
) =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(PgClient.make({ url: Redacted.make(url) }), statement)).pipe(
      Effect.provide(Reactivity.layer)
    ) as Effect.Effect<A, unknown>
  )

/** Creates an empty database in the cluster and returns its URL. */
export const freshDatabase = async (): Promise<string> => {
  const name = `mcp_${randomUUID().replace(/-/g, "").slice(0, 16)}`
  await query(clusterUrl!, (client) => client.unsafe(`CREATE DATABASE ${name}`))
  const url = new URL(clusterUrl!)
  url.pathname = `/${name}`
  return url.toString()
}

/** What a colleague holding the team database's role writes: journal rows of their choosing. */
export const forge = (url: string, rows: ReadonlyArray<Journal.NewEntry>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(PgJournal.connect({ url: Redacted.make(url) }), ({ journal }) =>
        Effect.forEach(rows, (row) => journal.append(row), { discard: true })
      )
    )
  )
