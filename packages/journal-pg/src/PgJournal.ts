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
 *
 * @since 0.1.0
 */

import { createHash } from "node:crypto"
import * as AuditTrail from "@booster-export/journal/AuditTrail"
import type * as ConsentTokens from "@booster-export/journal/ConsentTokens"
import * as Journal from "@booster-export/journal/Journal"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Duration, Effect, Layer, Option, Redacted, type Scope } from "effect"
import { SINCE_QUERY } from "./internal/journalSql.js"

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

const MIGRATIONS = {
  "1_journal": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE booster_journal (
      seq bigint PRIMARY KEY,
      entry jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`
    yield* sql`CREATE INDEX booster_journal_start ON booster_journal ((entry->>'fingerprint'), (entry->>'host'), (entry->>'at'))`
    yield* sql`CREATE INDEX booster_journal_at ON booster_journal ((entry->>'at'))`
    yield* sql`CREATE INDEX booster_journal_task ON booster_journal ((entry->>'asyncTaskId'))`
    yield* sql.unsafe(`CREATE FUNCTION booster_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'booster_journal is append-only';
      END
    $$`)
    yield* sql`CREATE TRIGGER booster_journal_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON booster_journal
      FOR EACH STATEMENT EXECUTE FUNCTION booster_journal_append_only()`
  }),
  "2_consent_tokens": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE booster_consent_tokens (
      token_hash text PRIMARY KEY,
      kind text NOT NULL,
      fingerprint text NOT NULL,
      issued_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`
    yield* sql`CREATE INDEX booster_consent_tokens_expiry ON booster_consent_tokens (expires_at)`
  }),
  // the entry's time as a timestamp, indexed, for time-bounded reads (`audit export --since`); a
  // time that cannot be read is NULL rather than a refused insert
  "3_journal_time": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(`CREATE FUNCTION booster_journal_time(at text) RETURNS timestamptz
      LANGUAGE plpgsql IMMUTABLE STRICT SET timezone = 'UTC' AS $$
      BEGIN
        RETURN at::timestamptz;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END
    $$`)
    yield* sql`CREATE INDEX booster_journal_time ON booster_journal (booster_journal_time(entry->>'at'))`
  })
}

const migrations = Migrator.fromRecord(MIGRATIONS)

/** The number of the newest migration. */
const LATEST_MIGRATION = Math.max(...Object.keys(MIGRATIONS).map((name) => Number.parseInt(name, 10)))

/**
 * The team database: its journal and its single-use tokens (`ConsentTokens`: only a token's SHA-256
 * is stored; times are the database's clock, so that processes whose clocks differ agree on expiry),
 * on the one connection pool of the context.
 *
 * @since 0.1.0
 */
export interface Database {
  readonly journal: Journal.Service
  readonly tokens: ConsentTokens.Service
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

/**
 * The team database of the context's `SqlClient` (its journal and its single-use tokens). Applies the
 * migrations when needed (one process at a time; through a read-only connection, nothing: it needs
 * them applied already) and fails with `JournalError` naming the host and database (never the
 * password) when it cannot; so do its operations. Messages name the database from the context's
 * `PgClient` when there is one ({@link layerClient} provides both).
 *
 * @since 0.1.0
 */
export const open = (): Effect.Effect<Database, Journal.JournalError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const where = Option.match(yield* Effect.serviceOption(PgClient.PgClient), {
      onNone: (): Where => ({ location: "the team database", password: undefined }),
      onSome: (client) => whereOf(client.config)
    })
    const toJournalError = (doing: string) => failure(where, doing)
    const run = <A>(doing: string, effect: Effect.Effect<A, SqlError>) =>
      effect.pipe(Effect.mapError(toJournalError(doing)))

    // a read-only connection (a streaming replica, a read-only role) reads the journal as the
    // primary left it: it migrates nothing, and needs the primary to have migrated it
    const readOnly = yield* run(
      "connect to",
      sql<{ readOnly: string }>`SELECT current_setting('transaction_read_only') AS "readOnly"`
    )
    const prepared =
      readOnly[0]?.readOnly === "on"
        ? sql<{
            latest: number | null
          }>`SELECT max(migration_id)::int AS latest FROM ${sql(MIGRATIONS_TABLE)}`.pipe(
            Effect.catchAll(() => Effect.succeed([] as ReadonlyArray<{ latest: number | null }>)),
            Effect.flatMap((rows) =>
              (rows[0]?.latest ?? 0) >= LATEST_MIGRATION
                ? Effect.void
                : Effect.fail(
                    new SqlError({
                      cause: undefined,
                      message:
                        "the connection is read-only (a replica?) and the journal's tables are missing or older than this version: use it once through the primary, which creates or updates them"
                    })
                  )
            )
          )
        : sql
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
              )
            )
    yield* run("prepare", prepared)

    const decode = (value: unknown): Journal.Entry | undefined => {
      const parsed = Journal.parseLines(JSON.stringify(value))
      return parsed[0]
    }
    const entryRows = (rows: ReadonlyArray<{ readonly entry: unknown }>) =>
      rows.flatMap((row) => {
        const entry = decode(row.entry)
        return entry === undefined ? [] : [entry]
      })

    const service: Journal.Service = {
      location: where.location,
      append: (entry) =>
        Effect.flatMap(Journal.prepare(entry), (prepared) =>
          run(
            "write to",
            sql.withTransaction(
              Effect.gen(function* () {
                yield* lock(sql, "chain")
                // ordered by the column, a number (not by its text: "9" sorts after "10")
                const last = yield* sql<{
                  position: string
                  hash: string
                }>`SELECT seq::text AS position, entry->>'hash' AS hash FROM ${sql(TABLE)} ORDER BY seq DESC LIMIT 1`
                const previous =
                  last[0] !== undefined ? { seq: Number(last[0].position), hash: last[0].hash } : undefined
                const linked = AuditTrail.link(previous, prepared)
                yield* sql`INSERT INTO ${sql(TABLE)} (seq, entry) VALUES (${linked.seq}, ${JSON.stringify(linked)}::jsonb)`
              })
            )
          )
        ),
      entries: run(
        "read",
        sql<{ entry: unknown }>`SELECT entry FROM ${sql(TABLE)} ORDER BY entry->>'at', seq`.pipe(
          Effect.map(entryRows)
        )
      ),
      entriesSince: (since) =>
        run(
          "read",
          sql
            .unsafe<{ entry: unknown }>(SINCE_QUERY, [new Date(since).toISOString()])
            .pipe(Effect.map(entryRows))
        ),
      latestStart: (key) =>
        run(
          "read",
          sql<{ entry: unknown }>`SELECT entry FROM ${sql(TABLE)}
            WHERE entry->>'fingerprint' = ${key.fingerprint}
              AND (entry->>'host' IS NULL OR entry->>'host' = ${key.host ?? ""})
              AND entry->>'at' >= ${new Date(key.now - key.windowMs).toISOString()}
            ORDER BY entry->>'at', seq`.pipe(Effect.map((rows) => Journal.recentStart(entryRows(rows), key)))
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
      trail: run(
        "read",
        sql<{
          position: string
          entry: unknown
        }>`SELECT seq::text AS position, entry FROM ${sql(TABLE)} ORDER BY seq`.pipe(
          Effect.map((rows) =>
            rows.map((row) => ({
              position: Number(row.position),
              value:
                typeof row.entry === "object" && row.entry !== null
                  ? (row.entry as Record<string, unknown>)
                  : undefined
            }))
          )
        )
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
    return { journal: service, tokens }
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
