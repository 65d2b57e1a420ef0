/**
 * The journal of a team, in PostgreSQL (`BOOSTER_JOURNAL_URL=postgres://…`): the same entries, audit
 * chain and start lock as the local file journal of `@booster-export/journal`, shared by every
 * machine using the database.
 *
 * - The store works on the `SqlClient` of the context, as `@effect/sql`'s own stores do, so the
 *   program builds the connection pool; {@link layerClient} builds one from a `Redacted` URL.
 * - Schema migrations (`@effect/sql` `Migrator`) are applied on first use, one process at a time.
 *   Through a read-only connection (a streaming replica for audit readers) nothing is migrated:
 *   the journal is read as the primary left it, and writing fails naming the database.
 * - Entries are rows of `booster_journal` (`seq`, the entry as `jsonb`); a trigger refuses `UPDATE`
 *   and `DELETE`, and the entries are hash-chained like the file's (`AuditTrail`).
 * - "Check the journal, start, record" runs in one transaction holding
 *   `pg_advisory_xact_lock` on the filter's fingerprint and the API host: N processes on N machines
 *   starting the same filter at the same instant create one export.
 * - The URL's password never appears in any message: the URL is `Redacted` and errors name the
 *   host and database only.
 * - Single-use tokens (`booster-mcp`'s consent confirmations, `ConsentTokens` of
 *   `@booster-export/journal`) can be shared by every process of the database ({@link open}): rows of
 *   `booster_consent_tokens` holding the token's SHA-256, never the token, used up by one atomic
 *   `UPDATE … RETURNING`, so that one of N processes redeeming the same token at the same instant
 *   succeeds.
 * - The privacy budget of summaries (`PrivacyBudget` of `@booster-export/journal`) is the team's:
 *   rows of `booster_privacy_budget` (when, ε in millionths, who, the task), append-only, charged in
 *   a transaction holding an advisory lock, on the database's clock, so that the summaries of every
 *   machine together stay within the day's budget.
 *
 * @since 0.1.0
 */

import { createHash } from "node:crypto"
import * as AuditTrail from "@booster-export/journal/AuditTrail"
import type * as ConsentTokens from "@booster-export/journal/ConsentTokens"
import * as Journal from "@booster-export/journal/Journal"
import * as PrivacyBudget from "@booster-export/journal/PrivacyBudget"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Duration, Effect, Layer, Option, Redacted, type Scope } from "effect"
import { SINCE_QUERY } from "./internal/journalSql.js"
import { LATEST, MIGRATIONS } from "./internal/migrations.js"

/**
 * Options of {@link layerClient}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** `postgres://user:password@host:port/database` (or `postgresql://`), kept `Redacted`. */
  readonly url: Redacted.Redacted<string>
  /** How long to wait for a connection, in milliseconds. Default 10 000. */
  readonly connectTimeoutMs?: number | undefined
}

/** Where a client connects, for messages, and the password messages must never show. */
interface Where {
  readonly location: string
  readonly password: string | undefined
}

const whereOf = (
  config: Pick<PgClient.PgClientConfig, "url" | "host" | "port" | "database" | "password">
): Where => {
  const url = config.url !== undefined ? Redacted.value(config.url) : undefined
  let password = config.password !== undefined ? Redacted.value(config.password) : undefined
  if (password === undefined && url !== undefined) {
    try {
      password = decodeURIComponent(new URL(url).password) || undefined
    } catch {
      // an unreadable URL: pg refuses it, and the message names no part of it
    }
  }
  const location =
    url !== undefined
      ? Journal.describeDatabaseUrl(url)
      : config.host !== undefined
        ? `postgres://${config.host}${config.port !== undefined ? `:${config.port}` : ""}/${config.database ?? ""}`
        : "the team database"
  return { location, password }
}

const TABLE = "booster_journal"
const MIGRATIONS_TABLE = "booster_journal_migrations"
const TOKENS_TABLE = "booster_consent_tokens"
const BUDGET_TABLE = "booster_privacy_budget"

const migrations = Migrator.fromRecord(MIGRATIONS)
const PURPOSES_TABLE = "booster_journal_purpose"

/**
 * The team database: its journal, its single-use tokens (`ConsentTokens`: only a token's SHA-256
 * is stored; times are the database's clock, so that processes whose clocks differ agree on expiry)
 * and the team's privacy budget of summaries (`PrivacyBudget`, on the database's clock too), on the
 * one connection pool of the context.
 *
 * @since 0.1.0
 */
export interface Database {
  readonly journal: Journal.Service
  readonly tokens: ConsentTokens.Service
  readonly budget: PrivacyBudget.Service
}

/** What is stored of a token: its SHA-256, hex. */
const tokenHash = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex")

/** Serialises migrations and appends across every process, on every machine. */
const lockKey = (name: string) => `booster-export:${name}`

const lock = (sql: SqlClient.SqlClient, name: string) =>
  sql`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey(name)}, 0))`

const isSqlError = (error: unknown): error is SqlError => error instanceof SqlError

const reasonOf = (error: SqlError, password: string | undefined): string => {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  const detail = typeof cause?.message === "string" ? cause.message : error.message
  const code = typeof cause?.code === "string" ? ` (${cause.code})` : ""
  const text = `${detail}${code}`
  return password ? text.split(password).join("<redacted>") : text
}

/** A `JournalError` saying what could not be done with the team journal at `where`, and why. */
const failure =
  (where: Where, doing: string) =>
  (error: unknown): Journal.JournalError =>
    new Journal.JournalError({
      message: `could not ${doing} the team journal at ${where.location}: ${isSqlError(error) ? reasonOf(error, where.password) : error instanceof Error ? error.message : String(error)}`
    })

/**
 * The connection pool of the team database at `options.url`, as `PgClient.PgClient` and
 * `SqlClient.SqlClient`, for the life of the layer: at most 4 connections, application name
 * `booster-export`, `connectTimeoutMs` (default 10 s) to connect. Connects at once and fails with
 * `JournalError` naming the host and database (never the password) when it cannot.
 *
 * @since 0.1.0
 */
export const layerClient = (
  options: Options
): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, Journal.JournalError> =>
  PgClient.layer({
    url: options.url,
    connectTimeout: Duration.millis(options.connectTimeoutMs ?? 10_000),
    applicationName: "booster-export",
    maxConnections: 4
  }).pipe(Layer.mapError(failure(whereOf({ url: options.url }), "connect to")))

/** The number of the newest step applied, read with a plain SELECT (0 before the first). */
const schemaVersion = (sql: SqlClient.SqlClient) =>
  Effect.flatMap(
    sql<{ present: boolean }>`SELECT to_regclass(${MIGRATIONS_TABLE}) IS NOT NULL AS present`,
    (rows) =>
      rows[0]?.present
        ? Effect.map(
            sql<{
              latest: number | null
            }>`SELECT max(migration_id)::int AS latest FROM ${sql(MIGRATIONS_TABLE)}`,
            (latest) => latest[0]?.latest ?? 0
          )
        : Effect.succeed(0)
  )

const isPermissionDenied = (error: unknown): boolean =>
  isSqlError(error) && (error.cause as { code?: unknown } | undefined)?.code === "42501"

/** Applies the steps not applied yet, one process at a time; returns those it applied. */
const applyMigrations = (sql: SqlClient.SqlClient) =>
  sql
    .withTransaction(
      lock(sql, "migrations").pipe(
        // the Migrator's own table, created here so that its existence check cannot abort the transaction
        Effect.zipRight(sql`CREATE TABLE IF NOT EXISTS ${sql(MIGRATIONS_TABLE)} (
            migration_id integer primary key,
            created_at timestamp with time zone not null default now(),
            name text not null
          )`),
        Effect.zipRight(Migrator.make({})({ loader: migrations, table: MIGRATIONS_TABLE }))
      )
    )
    .pipe(
      Effect.provideService(SqlClient.SqlClient, sql),
      Effect.mapError((error) =>
        isSqlError(error) ? error : new SqlError({ cause: error, message: error.message })
      ),
      Effect.mapError((error) =>
        isPermissionDenied(error)
          ? new SqlError({
              cause: undefined,
              message: `this role may not create or update the journal's tables (${reasonOf(error, undefined)}): the owner role applies them, once, with \`booster audit migrate\` (see "Running for a team")`
            })
          : error
      ),
      Effect.map((applied) => applied.map(([id, name]) => ({ id, name })))
    )

/** Where the client connects, for messages, from the context's `PgClient` when there is one. */
const whereOfContext = Effect.map(Effect.serviceOption(PgClient.PgClient), (client) =>
  Option.match(client, {
    onNone: (): Where => ({ location: "the team database", password: undefined }),
    onSome: (pg) => whereOf(pg.config)
  })
)

/**
 * Applies the team database's migrations that are not applied yet (the owner role's job:
 * `booster audit migrate`), one process at a time, and returns those it applied (none when the
 * schema is current). Fails with `JournalError` naming the host and database, and saying so when the
 * role may not create the tables.
 *
 * @since 0.1.0
 */
export const migrate = (): Effect.Effect<
  ReadonlyArray<{ readonly id: number; readonly name: string }>,
  Journal.JournalError,
  SqlClient.SqlClient
> =>
  Effect.gen(function* () {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const where = yield* whereOfContext
    return yield* applyMigrations(sql).pipe(Effect.mapError(failure(where, "migrate")))
  })

/** How a verification by the database function reads. */
interface KeyedResult {
  readonly problem: string | null
  readonly at_seq: string | null
  readonly detail: string | null
  readonly entries: string
  readonly head_seq: string
  readonly head_hash: string
}

/** The sentence of a break the database function found. */
const keyedMessage = (problem: string, seq: number, detail: string): string => {
  switch (detail) {
    case "not-positive":
      return `The entry at row ${seq} was inserted: no entry is numbered ${seq}`
    case "unkeyed":
      return `The entry at row ${seq} was inserted: it has no keyed link, which every entry written since the chain was keyed has`
    case "gap":
      return `Entry ${seq} was removed (the next row does not follow entry ${seq - 1})`
    case "prev":
      return `Entry ${seq - 1} was altered or replaced: entry ${seq} (row ${seq}) does not follow it`
    case "purpose":
      return `The purpose of entry ${seq} (row ${seq}) was altered: it no longer matches its keyed hash`
    case "seq":
      return `Entry ${seq} (row ${seq}) is out of its place: its stored number is another`
    default:
      return `Entry ${seq} was ${problem} (row ${seq}): its stored values no longer match its keyed link`
  }
}

/**
 * The team database of the context's `SqlClient` (its journal and its single-use tokens). Applies the
 * migrations only when the schema is behind (a plain `SELECT` of the migrations table tells; a role
 * that finds it current never tries), which needs the owner role; through a read-only connection it
 * never migrates and needs them applied already. Fails with `JournalError` naming the host and
 * database (never the password) when it cannot; so do its operations. Messages name the database from
 * the context's `PgClient` when there is one ({@link layerClient} provides both).
 *
 * Appends go through the database's `booster_journal_append` function, which assigns the link, keys
 * it with a secret only the owner can read, and records the connecting role (`session_user`) as the
 * entry's `writer`; `verify` asks the database's `booster_journal_verify` function, which recomputes
 * the keyed links (entries written before the chain was keyed are checked here, by their SHA-256).
 *
 * @since 0.1.0
 */
export const open = (): Effect.Effect<Database, Journal.JournalError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const where = yield* whereOfContext
    const toJournalError = (doing: string) => failure(where, doing)
    const run = <A>(doing: string, effect: Effect.Effect<A, SqlError>) =>
      effect.pipe(Effect.mapError(toJournalError(doing)))

    if ((yield* run("read", schemaVersion(sql))) < LATEST) {
      // a read-only connection (a streaming replica, a read-only role) reads the journal as the
      // primary left it: it migrates nothing, and needs the primary to have migrated it
      const readOnly = yield* run(
        "connect to",
        sql<{ readOnly: string }>`SELECT current_setting('transaction_read_only') AS "readOnly"`
      )
      yield* run(
        "prepare",
        readOnly[0]?.readOnly === "on"
          ? Effect.fail(
              new SqlError({
                cause: undefined,
                message:
                  "the connection is read-only (a replica?) and the journal's tables are missing or older than this version: the owner role updates them on the primary with `booster audit migrate`"
              })
            )
          : applyMigrations(sql)
      )
    }

    /** Entries as stored, with their keyed link as `hash` and their purpose from beside the chain. */
    const entryRows = (rows: ReadonlyArray<{ readonly entry: unknown; readonly mac: string | null }>) =>
      Effect.gen(function* () {
        const entries = rows.flatMap((row) => {
          const entry = Journal.parseLines(JSON.stringify(row.entry))[0]
          return entry === undefined ? [] : [row.mac !== null ? { ...entry, hash: row.mac } : entry]
        })
        const wanted = entries.flatMap((entry) =>
          entry.purposeHmac !== undefined && entry.seq !== undefined ? [entry.seq] : []
        )
        if (wanted.length === 0) return entries
        const kept = yield* sql<{
          seq: string
          key: string
          purpose: string
        }>`SELECT seq::text AS seq, encode(key, 'hex') AS key, purpose FROM ${sql(PURPOSES_TABLE)} WHERE seq IN ${sql.in(wanted)}`
        const bySeq = new Map(kept.map((row) => [Number(row.seq), row]))
        const byHash = new Map<string, Journal.KeptPurpose>()
        for (const entry of entries) {
          const row = entry.seq !== undefined ? bySeq.get(entry.seq) : undefined
          if (row !== undefined && entry.hash !== undefined)
            byHash.set(entry.hash, { key: row.key, purpose: row.purpose })
        }
        return Journal.withPurposes(entries, byHash)
      })

    const trail = run(
      "read",
      sql<{
        position: string
        entry: unknown
        mac: string | null
      }>`SELECT seq::text AS position, entry, mac FROM ${sql(TABLE)} ORDER BY seq`.pipe(
        Effect.map((rows) =>
          rows.map((row): AuditTrail.StoredRecord & { readonly keyed: boolean } => ({
            position: Number(row.position),
            keyed: row.mac !== null,
            value:
              typeof row.entry === "object" && row.entry !== null
                ? row.mac !== null
                  ? { ...(row.entry as Record<string, unknown>), hash: row.mac }
                  : (row.entry as Record<string, unknown>)
                : undefined
          }))
        )
      )
    )

    const service: Journal.Service = {
      location: where.location,
      append: (entry) =>
        Effect.flatMap(Journal.prepare(entry), (prepared) =>
          run(
            "write to",
            sql`SELECT appended_seq FROM booster_journal_append(${JSON.stringify(prepared)}::jsonb)`
          ).pipe(Effect.asVoid)
        ),
      entries: run(
        "read",
        sql<{
          entry: unknown
          mac: string | null
        }>`SELECT entry, mac FROM ${sql(TABLE)} ORDER BY entry->>'at', seq`.pipe(Effect.flatMap(entryRows))
      ),
      entriesSince: (since) =>
        run(
          "read",
          sql
            .unsafe<{ entry: unknown; mac: string | null }>(SINCE_QUERY, [new Date(since).toISOString()])
            .pipe(Effect.flatMap(entryRows))
        ),
      latestStart: (key) =>
        run(
          "read",
          sql<{ entry: unknown; mac: string | null }>`SELECT entry, mac FROM ${sql(TABLE)}
            WHERE entry->>'fingerprint' = ${key.fingerprint}
              AND (entry->>'host' IS NULL OR entry->>'host' = ${key.host ?? ""})
              AND entry->>'at' >= ${new Date(key.now - key.windowMs).toISOString()}
            ORDER BY entry->>'at', seq`.pipe(
            Effect.flatMap(entryRows),
            Effect.map((rows) => Journal.recentStart(rows, key))
          )
        ),
      withStartLock: (key) => (effect) =>
        sql
          .withTransaction(
            Effect.zipRight(
              lock(sql, `start:${Journal.startLockName(key)}`).pipe(
                Effect.mapError(toJournalError("lock a start in"))
              ),
              effect
            )
          )
          .pipe(
            Effect.catchIf(isSqlError, (error) => Effect.fail(toJournalError("lock a start in")(error)))
          ) as never,
      trail,
      verify: Effect.gen(function* () {
        const records = yield* trail
        // entries written before the chain was keyed: their own SHA-256 chain, checked here
        const firstKeyed = records.findIndex((record) => record.keyed)
        const older = firstKeyed === -1 ? records : records.slice(0, firstKeyed)
        const before = AuditTrail.verify(older, { where: "row", unlinked: "refused", positionIsSeq: true })
        if (!before.ok) return before
        const [keyed] = yield* run(
          "verify",
          sql<KeyedResult>`SELECT problem, at_seq::text AS at_seq, detail, entries::text AS entries,
            head_seq::text AS head_seq, head_hash FROM booster_journal_verify()`
        )
        if (keyed === undefined) return yield* Effect.die("booster_journal_verify returned no row")
        if (keyed.problem !== null) {
          const seq = Number(keyed.at_seq)
          return {
            ok: false,
            problem: keyed.problem as AuditTrail.Problem,
            seq: keyed.problem === "inserted" ? undefined : keyed.detail === "prev" ? seq - 1 : seq,
            position: seq,
            message: keyedMessage(keyed.problem, seq, keyed.detail ?? "")
          } satisfies AuditTrail.Verification
        }
        const headSeq = Number(keyed.head_seq)
        return {
          ok: true,
          entries: before.entries + Number(keyed.entries),
          unchained: 0,
          unreadable: before.unreadable,
          head: headSeq > 0 ? { seq: headSeq, hash: keyed.head_hash } : undefined
        } satisfies AuditTrail.Verification
      }),
      erasePurpose: (seq, by) =>
        Effect.flatMap(
          Journal.prepare({ source: by.source, event: "erased", asyncTaskId: "", actor: by.actor }),
          (erasedBy) =>
            run(
              "erase a purpose in",
              sql<{
                outcome: string
              }>`SELECT booster_journal_erase_purpose(${seq}, ${JSON.stringify(erasedBy)}::jsonb) AS outcome`
            ).pipe(Effect.map((rows) => (rows[0]?.outcome ?? "unknown") as Journal.Erasure))
        )
    }
    const tokens: ConsentTokens.Service = {
      issue: ({ token, kind, fingerprint, ttlMs }) =>
        run(
          "write to",
          Effect.gen(function* () {
            const ttl = `${Math.max(0, Math.round(ttlMs))} milliseconds`
            yield* sql`DELETE FROM ${sql(TOKENS_TABLE)} WHERE expires_at < now() - ${ttl}::interval`
            const rows = yield* sql<{ expires_ms: number }>`INSERT INTO ${sql(TOKENS_TABLE)}
                (token_hash, kind, fingerprint, expires_at)
              VALUES (${tokenHash(token)}, ${kind}, ${fingerprint}, now() + ${ttl}::interval)
              RETURNING (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms`
            return Number(rows[0]?.expires_ms)
          })
        ),
      redeem: ({ token, kind, fingerprint }) =>
        run(
          "write to",
          Effect.gen(function* () {
            const hash = tokenHash(token)
            const used = yield* sql`UPDATE ${sql(TOKENS_TABLE)} SET used_at = now()
              WHERE token_hash = ${hash} AND kind = ${kind} AND fingerprint = ${fingerprint}
                AND used_at IS NULL AND expires_at > now()
              RETURNING token_hash`
            if (used.length > 0) return undefined
            const rows = yield* sql<{
              kind: string
              fingerprint: string
              used: boolean
              expired: boolean
            }>`SELECT kind, fingerprint, used_at IS NOT NULL AS used, expires_at <= now() AS expired
              FROM ${sql(TOKENS_TABLE)} WHERE token_hash = ${hash}`
            const row = rows[0]
            if (row === undefined || row.kind !== kind) return "unknown" as const
            if (row.used) return "used" as const
            if (row.expired) return "expired" as const
            return "other-filter" as const
          })
        )
    }
    const budget: PrivacyBudget.Service = {
      location: where.location,
      spend: (charge) =>
        run(
          "record a summary's privacy budget in",
          sql.withTransaction(
            Effect.gen(function* () {
              yield* lock(sql, "privacy-budget")
              const now = yield* sql<{
                now_ms: number
              }>`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms`
              const nowMs = Number(now[0]?.now_ms)
              const rows = yield* sql<{ at_ms: number; micros: string }>`SELECT
                  (extract(epoch FROM at) * 1000)::float8 AS at_ms, epsilon_micros::text AS micros
                FROM ${sql(BUDGET_TABLE)}
                WHERE at > to_timestamp(${(nowMs - PrivacyBudget.WINDOW_MS) / 1000})`
              const outcome = PrivacyBudget.decide(
                rows.map((row) => ({ at: Number(row.at_ms), micros: Number(row.micros) })),
                charge,
                nowMs
              )
              if (outcome._tag === "Spent") {
                yield* sql`INSERT INTO ${sql(BUDGET_TABLE)} (at, epsilon_micros, actor, async_task_id)
                  VALUES (to_timestamp(${nowMs / 1000}), ${PrivacyBudget.toMicros(charge.epsilon)},
                    ${charge.actor ?? Journal.actor()}, ${charge.asyncTaskId ?? null})`
              }
              return outcome
            })
          )
        )
    }
    return { journal: service, tokens, budget }
  })

/**
 * The team database at `options.url` on a connection pool of its own ({@link layerClient}) for the
 * life of the scope: {@link open} on that pool. Fails with `JournalError` naming the host and
 * database (never the password) when it cannot connect or prepare the database.
 *
 * @since 0.1.0
 */
export const connect = (options: Options): Effect.Effect<Database, Journal.JournalError, Scope.Scope> =>
  Effect.flatMap(Layer.build(layerClient(options)), (client) => Effect.provide(open(), client))

/**
 * The journal of the team database of the context's `SqlClient` (see {@link open}).
 *
 * @since 0.1.0
 */
export const make = (): Effect.Effect<Journal.Service, Journal.JournalError, SqlClient.SqlClient> =>
  Effect.map(open(), (database) => database.journal)

/**
 * A layer providing the team database's journal as `Journal.Journal`, on the context's `SqlClient`;
 * e.g. `PgJournal.layer.pipe(Layer.provide(PgJournal.layerClient({ url })))`.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<Journal.Journal, Journal.JournalError, SqlClient.SqlClient> = Layer.effect(
  Journal.Journal,
  make()
)
