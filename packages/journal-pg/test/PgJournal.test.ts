import { execFile } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import type { Journal } from "@booster-export/journal"
import { Effect, Exit, Redacted, Scope } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { checkAround, fillAround, SINCE } from "../../journal/test/since.js"
import { type Store, scenarios } from "../../journal/test/tamper.js"
import * as V0 from "../../journal/test/v0.js"
import { bundleFixture, raceAtGate } from "../../transport/test/files.js"
import { PgJournal } from "../src/index.js"
import { SINCE_QUERY } from "../src/internal/journalSql.js"
import { clusterUrl, freshDatabase, password, skipReason, sql } from "./pg.js"

let roots: Array<string> = []
let scopes: Array<Scope.CloseableScope> = []
afterEach(async () => {
  await Promise.all(scopes.map((scope) => Effect.runPromise(Scope.close(scope, Exit.void))))
  scopes = []
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
  roots = []
})
const tempDir = async () => {
  const root = await mkdtemp(join(tmpdir(), "booster-pg-journal-"))
  roots.push(root)
  return root
}

/** The team database at `url`, for the life of the scope. */
const openAt = (url: string, connectTimeoutMs?: number) =>
  PgJournal.connect({ url: Redacted.make(url), connectTimeoutMs })

/** Runs `body` with the journal of the database at `url`, closed afterwards. */
/** The team database at `url`, as a process of its own would open it, closed after the test. */
const openUntilAfter = (url: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      scopes.push(scope)
      return yield* Scope.extend(openAt(url), scope)
    })
  )

const withJournal = <A, E>(url: string, body: (journal: Journal.Service) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(openAt(url), (database) => body(database.journal))))

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

if (clusterUrl === undefined) console.warn(`PgJournal tests skipped: ${skipReason}`)

describe.skipIf(clusterUrl === undefined)("PgJournal", () => {
  it("creates its tables on first use, once, and keeps entries, the duplicate window and the chain", async () => {
    const url = await freshDatabase()
    // several processes' first use at the same instant: the migrations run once
    await Promise.all(Array.from({ length: 4 }, () => withJournal(url, () => Effect.void)))
    const migrations = await sql(
      url,
      (client) => client`SELECT count(*)::int AS n FROM booster_journal_migrations`
    )
    expect(migrations).toEqual([{ n: 5 }])
    await withJournal(url, (journal) =>
      Effect.gen(function* () {
        expect(journal.location).toBe(`postgres://${new URL(url).host}${new URL(url).pathname}`)
        expect(journal.location).not.toContain(password)
        const now = Date.now()
        yield* journal.append({
          at: new Date(now - 2 * 60_000).toISOString(),
          source: "cli",
          event: "started",
          asyncTaskId: "old",
          fingerprint: "fp",
          host: "api.example.com",
          purpose: "mail jane@example.com"
        })
        yield* journal.append({
          source: "mcp",
          event: "started",
          asyncTaskId: "new",
          fingerprint: "fp",
          host: "api.example.com"
        })
        yield* journal.append({
          source: "cli",
          event: "downloaded",
          asyncTaskId: "new",
          file: "/x.csv",
          bytes: 3
        })
        yield* journal.append({
          source: "cli",
          event: "delivered",
          asyncTaskId: "new",
          destination: "stdout",
          bytes: 3
        })
        const entries = yield* journal.entries
        expect(entries.map((entry) => [entry.asyncTaskId, entry.event, entry.seq])).toEqual([
          ["old", "started", 1],
          ["new", "started", 2],
          ["new", "downloaded", 3],
          ["new", "delivered", 4]
        ])
        expect(entries[3]!.destination).toBe("stdout")
        expect(entries[0]!.purpose).toBeUndefined()
        expect(entries[0]!.actor).toMatch(/@/)
        const key = { fingerprint: "fp", host: "api.example.com", now }
        expect((yield* journal.latestStart({ ...key, windowMs: 60 * 60_000 }))?.asyncTaskId).toBe("new")
        expect(
          yield* journal.latestStart({ ...key, host: "other.example.com", windowMs: 60 * 60_000 })
        ).toBeUndefined()
        expect(
          yield* journal.latestStart({ ...key, fingerprint: "other", windowMs: 60 * 60_000 })
        ).toBeUndefined()
        expect(yield* journal.verify).toMatchObject({ ok: true, entries: 4 })
      })
    )
  })

  it("shares single-use tokens: stored hashed, used once across processes, refusals told apart, expired pruned", async () => {
    const url = await freshDatabase()
    const [a, b] = await Promise.all([openUntilAfter(url), openUntilAfter(url)])
    const token = "bxc_the-token-itself"
    const issue = (db: PgJournal.Database, t: string, ttlMs = 60_000) =>
      run(db.tokens.issue({ token: t, kind: "confirmation", fingerprint: "fp-1", ttlMs }))
    const redeem = (db: PgJournal.Database, t: string, fingerprint = "fp-1", kind = "confirmation") =>
      run(db.tokens.redeem({ token: t, kind, fingerprint }))

    const expiresAt = await issue(a!, token)
    expect(Math.abs(expiresAt - (Date.now() + 60_000))).toBeLessThan(10_000)
    const stored = await sql(url, (client) => client`SELECT * FROM booster_consent_tokens`)
    expect(JSON.stringify(stored)).not.toContain("the-token-itself")

    // another filter or another kind: refused, and the token stays usable for its own
    expect(await redeem(b!, token, "fp-2")).toBe("other-filter")
    expect(await redeem(b!, token, "fp-1", "question")).toBe("unknown")
    expect(await redeem(b!, "bxc_never-issued")).toBe("unknown")
    // two processes at the same instant: one succeeds, the other is told it is used
    const raced = await Promise.all([redeem(a!, token), redeem(b!, token)])
    expect(raced.sort()).toEqual([undefined, "used"].sort())
    expect(await redeem(a!, token)).toBe("used")

    // many tokens raced by both processes: each used exactly once
    const many = Array.from({ length: 20 }, (_, i) => `bxc_race-${i}`)
    await Promise.all(many.map((t) => issue(a!, t)))
    const outcomes = await Promise.all(many.flatMap((t) => [redeem(a!, t), redeem(b!, t)]))
    expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(many.length)
    expect(outcomes.filter((outcome) => outcome === "used")).toHaveLength(many.length)

    // expired: refused; pruned once expired for longer than its validity
    await issue(a!, "bxc_short", 1)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await redeem(b!, "bxc_short")).toBe("expired")
    await issue(a!, "bxc_next", 1)
    expect(await redeem(b!, "bxc_short")).toBe("unknown")
  })

  it("reads the entries since a time from the database, through its time index, in a large trail", async () => {
    const url = await freshDatabase()
    await withJournal(url, () => Effect.void)
    // 20,000 entries of older history (one with a time that cannot be read): none is since SINCE
    await sql(
      url,
      (client) => client`INSERT INTO booster_journal (seq, entry)
        SELECT i, jsonb_build_object(
          'at', CASE WHEN i = 7 THEN 'not a time' ELSE to_char(timestamptz '2025-01-01 00:00:00+00' + i * interval '25 minutes', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
          'source', 'cli', 'event', CASE WHEN i % 2 = 0 THEN 'started' ELSE 'completed' END,
          'asyncTaskId', 'old-' || (i / 2), 'seq', i, 'prev', repeat('0', 64), 'hash', repeat('0', 64))
        FROM generate_series(1, 20000) AS i`
    )
    // appends go on after entry 20,000 (the newest by number, not by text)
    await withJournal(url, (journal) => Effect.promise(() => fillAround(journal)))
    const newest = await sql(
      url,
      (client) => client<{ n: number }>`SELECT max(seq)::int AS n FROM booster_journal`
    )
    expect(newest).toEqual([{ n: 20_007 }])
    await withJournal(url, (journal) => Effect.promise(() => checkAround(journal)))
    // the database filters: the plan reads the time index, and scans no table whole
    const plan = await sql(url, (client) =>
      Effect.zipRight(
        client`ANALYZE booster_journal`,
        client.unsafe(`EXPLAIN (FORMAT JSON) ${SINCE_QUERY}`, [new Date(SINCE).toISOString()])
      )
    )
    const text = JSON.stringify(plan)
    expect(text).toContain('"Index Name":"booster_journal_time"')
    expect(text).not.toContain('"Node Type":"Seq Scan"')
  })

  it("reads through a read-only connection (a replica) without migrating, and refuses to write there", async () => {
    const url = await freshDatabase()
    await withJournal(url, (journal) => Effect.promise(() => fillAround(journal)))
    const readOnly = (database: string) =>
      sql(clusterUrl!, (client) =>
        client.unsafe(
          `ALTER DATABASE ${new URL(database).pathname.slice(1)} SET default_transaction_read_only = on`
        )
      )
    await readOnly(url)
    await withJournal(url, (journal) =>
      Effect.gen(function* () {
        expect(yield* journal.entries).toHaveLength(7)
        expect(yield* journal.verify).toMatchObject({ ok: true, entries: 7 })
        yield* Effect.promise(() => checkAround(journal))
        const refused = yield* Effect.flip(
          journal.append({ source: "cli", event: "started", asyncTaskId: "x" })
        )
        expect(refused.message).toContain(
          `could not write to the team journal at postgres://${new URL(url).host}`
        )
        expect(refused.message).toContain("read-only")
      })
    )
    // a database never prepared by a writable connection: says what to do
    const empty = await freshDatabase()
    await readOnly(empty)
    const error = await run(Effect.flip(Effect.scoped(openAt(empty))))
    expect(error.message).toContain("booster audit migrate")
    expect(error.message).not.toContain(password)
  })

  it("reads a database the first version wrote: keeps its migrations, adds the keyed chain and the privacy budget, verifies and continues the chain, redeems its token", async () => {
    const url = await freshDatabase()
    const dump = await readFile(new URL("./fixtures/database-v0.sql", import.meta.url), "utf8")
    await sql(url, (client) => client.unsafe(dump))
    const { fingerprint } = V0
    const database = await run(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        scopes.push(scope)
        return yield* Scope.extend(openAt(url), scope)
      })
    )
    const entries = await run(database.journal.entries)
    expect(entries.map((entry) => entry.event)).toEqual(V0.events)
    expect(await run(database.journal.verify)).toMatchObject({
      ok: true,
      entries: 6
    })
    const started = await run(
      database.journal.latestStart({
        fingerprint,
        host: "booster.example.com",
        now: Date.parse("2026-03-02T10:00:00.000Z"),
        windowMs: 3_600_000
      })
    )
    expect(started).toMatchObject({
      asyncTaskId: "6f1d2c3b4a5948e7a6b5c4d3e2f1a0b9",
      actor: "ada@workstation"
    })
    await run(database.journal.append({ source: "cli", event: "started", asyncTaskId: "next", fingerprint }))
    expect(await run(database.journal.verify)).toMatchObject({
      ok: true,
      entries: 7,
      head: { seq: 7 }
    })
    const redeem = () =>
      run(database.tokens.redeem({ token: "bxc_issued-before-the-move", kind: "confirmation", fingerprint }))
    expect(await redeem()).toBeUndefined()
    expect(await redeem()).toBe("used")
    const migrations = await sql(
      url,
      (client) => client`SELECT count(*)::int AS n FROM booster_journal_migrations`
    )
    expect(migrations).toEqual([{ n: 5 }])
  })

  it("verifies a trail of more than nine entries (rows in number order)", async () => {
    const url = await freshDatabase()
    await withJournal(url, (journal) =>
      Effect.gen(function* () {
        for (let i = 0; i < 12; i++) {
          yield* journal.append({ source: "cli", event: "started", asyncTaskId: `t${i}` })
        }
        expect(yield* journal.verify).toMatchObject({
          ok: true,
          entries: 12,
          head: { seq: 12 }
        })
      })
    )
  })

  it("keeps the team's privacy budget: charges from every process up to the day's budget, refuses the rest saying when it returns", async () => {
    const url = await freshDatabase()
    const [a, b] = await Promise.all([openUntilAfter(url), openUntilAfter(url)])
    expect(a!.budget.location).not.toContain(password)
    // a charge of two days ago has returned; one of 23 hours ago has not
    await sql(
      url,
      (client) => client`INSERT INTO booster_privacy_budget (at, epsilon_micros, actor)
        VALUES (now() - interval '48 hours', 3000000, 'ada@workstation'),
               (now() - interval '23 hours', 1000000, 'ada@workstation')`
    )
    const charge = (db: PgJournal.Database, i: number) =>
      run(db.budget.spend({ epsilon: 1, perDay: 4, asyncTaskId: `task-${i}`, actor: "bob@laptop" }))
    // two machines charging at the same instant: three fit beside the one of 23 hours ago
    const outcomes = await Promise.all(Array.from({ length: 24 }, (_, i) => charge(i % 2 === 0 ? a! : b!, i)))
    expect(outcomes.filter((o) => o._tag === "Spent")).toHaveLength(3)
    const refused = outcomes.find((o) => o._tag === "Refused")!
    expect(refused).toMatchObject({ spent: 4, remaining: 0, perDay: 4 })
    // enough returns when the charge of 23 hours ago is a day old
    const availableAt = refused._tag === "Refused" ? refused.availableAt! : 0
    expect(Math.abs(availableAt - (Date.now() + 60 * 60 * 1000))).toBeLessThan(60_000)
    const rows = await sql(
      url,
      (
        client
      ) => client`SELECT epsilon_micros::int AS micros, actor, async_task_id FROM booster_privacy_budget
        WHERE actor = 'bob@laptop' ORDER BY id`
    )
    expect(rows).toHaveLength(3)
    expect(rows[0]).toMatchObject({ micros: 1_000_000, actor: "bob@laptop" })
    // a charge cannot be taken back
    await expect(sql(url, (client) => client`DELETE FROM booster_privacy_budget`)).rejects.toThrow()
    await expect(
      sql(url, (client) => client`UPDATE booster_privacy_budget SET epsilon_micros = 1`)
    ).rejects.toThrow()
  })

  it("refuses UPDATE and DELETE of entries", async () => {
    const url = await freshDatabase()
    await withJournal(url, (journal) => journal.append({ source: "cli", event: "started", asyncTaskId: "a" }))
    await expect(
      sql(url, (client) => client`UPDATE booster_journal SET entry = '{}'::jsonb`)
    ).rejects.toThrow()
    await expect(sql(url, (client) => client`DELETE FROM booster_journal`)).rejects.toThrow()
  })

  it("names the host and database, never the password, when it cannot connect", async () => {
    const wrong = new URL(clusterUrl!)
    wrong.password = "not-the-password"
    const refused = new URL(clusterUrl!)
    refused.port = "1"
    for (const url of [wrong.toString(), refused.toString()]) {
      const error = await run(Effect.flip(Effect.scoped(openAt(url, 3000))))
      expect(error._tag).toBe("JournalError")
      expect(error.message).toContain(`postgres://${new URL(url).host}/postgres`)
      expect(error.message).not.toContain("not-the-password")
      expect(error.message).not.toContain(password)
    }
  })

  const tableStore = async (): Promise<Store> => {
    const url = await freshDatabase()
    const scope = await run(Scope.make())
    scopes.push(scope)
    const { journal } = await run(Scope.extend(openAt(url), scope))
    // tampering needs the owner to switch the append-only trigger off first
    const tamper = (
      statement: (client: Parameters<Parameters<typeof sql>[1]>[0]) => Effect.Effect<unknown, unknown>
    ) =>
      sql(url, (client) =>
        client.withTransaction(
          Effect.zipRight(
            client`ALTER TABLE booster_journal DISABLE TRIGGER booster_journal_append_only`,
            Effect.zipLeft(
              statement(client),
              client`ALTER TABLE booster_journal ENABLE TRIGGER booster_journal_append_only`
            )
          )
        )
      )
    return {
      journal,
      alter: async (seq, change) => {
        const [row] = await sql(
          url,
          (client) =>
            client<{ entry: Record<string, unknown> }>`SELECT entry FROM booster_journal WHERE seq = ${seq}`
        )
        await tamper(
          (client) =>
            client`UPDATE booster_journal SET entry = ${client.json(change(row!.entry))} WHERE seq = ${seq}`
        )
      },
      remove: (seq) =>
        tamper((client) => client`DELETE FROM booster_journal WHERE seq = ${seq}`).then(() => undefined),
      swap: (a, b) =>
        tamper((client) =>
          Effect.all([
            client`UPDATE booster_journal SET seq = 1000000 WHERE seq = ${a}`,
            client`UPDATE booster_journal SET seq = ${a} WHERE seq = ${b}`,
            client`UPDATE booster_journal SET seq = ${b} WHERE seq = 1000000`
          ])
        ).then(() => undefined)
    }
  }

  describe("the audit chain in PostgreSQL", () => {
    const scenario = scenarios(tableStore, "row")
    it("verifies an intact trail", scenario.intact)
    it("names an entry whose stored value was altered", scenario.alteredValue)
    it("names an altered entry even when its own hash was recomputed", scenario.alteredAndRehashed)
    it("names a removed entry", scenario.removed)
    it("fails on reordered entries, naming one of them", scenario.reordered)
  })

  it("lets one of several processes on one database start the same filter at once; the others see it", async () => {
    const url = await freshDatabase()
    const count = 6
    const race = async (env: Record<string, string>) => {
      const script = await bundleFixture(
        new URL("./fixtures/start-race.ts", import.meta.url),
        await tempDir()
      )
      const gate = await tempDir()
      const outcomes = await raceAtGate(gate, count, async () => {
        // a state folder each: separate machines that share nothing but the database
        const directory = await tempDir()
        return promisify(execFile)(process.execPath, [script, directory, "fp-race", gate], {
          env: { ...process.env, JOURNAL_URL: url, ...env },
          encoding: "utf8"
        }).then((out) => out.stdout.trim())
      })
      return outcomes.sort()
    }
    expect(await race({})).toEqual(["reused", "reused", "reused", "reused", "reused", "started"])
    // the race is real: without the lock, more than one process starts the same filter
    const unguarded = await race({ NO_LOCK: "1", FINGERPRINT_SUFFIX: "-unguarded" })
    expect(unguarded.filter((outcome) => outcome === "started").length).toBeGreaterThan(1)
    await withJournal(url, (journal) =>
      Effect.map(journal.verify, (trail) => expect(trail).toMatchObject({ ok: true }))
    )
  }, 90_000)
})
