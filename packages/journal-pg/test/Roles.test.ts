/**
 * The roles of "Running for a team" against a real PostgreSQL: a team member with exactly the
 * grants of docs/team.md works (appends, reads, verifies, consent tokens) without migrating, and cannot
 * forge the trail; the owner's tampering shows; an auditor on a read-only connection verifies.
 */
import { readFile } from "node:fs/promises"
import type * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { PgJournal } from "../src/index.js"
import { clusterUrl, freshDatabase, skipReason, sql } from "./pg.js"
import { createTeam, forgedAfter, insertUnlinkedRow, type Team } from "./roles.js"

if (clusterUrl === undefined) console.warn(`role tests skipped: ${skipReason}`)

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const withDatabase = <A, E>(url: string, body: (database: PgJournal.Database) => Effect.Effect<A, E>) =>
  run(Effect.scoped(Effect.flatMap(PgJournal.connect({ url: Redacted.make(url) }), body)))
const migrateAs = (url: string) =>
  run(
    Effect.scoped(
      Effect.flatMap(PgJournal.layerClient({ url: Redacted.make(url) }).pipe(Effect.succeed), (layer) =>
        Effect.provide(PgJournal.migrate(), layer)
      )
    )
  )

/** The error of a statement run as the role of `url`, or `undefined` when it ran. */
const refusal = (url: string, statement: (client: PgClient.PgClient) => Effect.Effect<unknown, unknown>) =>
  sql(url, statement).then(
    () => undefined,
    (error: unknown) => String((error as { cause?: { message?: string } }).cause?.message ?? error)
  )

const ready = async (): Promise<Team> => {
  const team = await createTeam(clusterUrl!)
  expect(await migrateAs(team.ownerUrl)).toHaveLength(5)
  // current now: a second run applies nothing
  expect(await migrateAs(team.ownerUrl)).toEqual([])
  await team.grant()
  return team
}

describe.skipIf(clusterUrl === undefined)("the roles and grants of docs/team.md", () => {
  it("lets a member with exactly those grants append, read, verify and use consent tokens, as themselves, without migrating", async () => {
    const team = await ready()
    await withDatabase(team.memberUrl, ({ journal, tokens }) =>
      Effect.gen(function* () {
        yield* journal.append({ source: "cli", event: "started", asyncTaskId: "a", purpose: "ticket OPS-7" })
        // the client claims another actor and a link of its own: the database assigns both
        yield* journal.append({
          source: "cli",
          event: "deleted",
          asyncTaskId: "a",
          actor: "bob@elsewhere",
          ...({ seq: 40, prev: "0".repeat(64), writer: "bob" } as object)
        })
        const entries = yield* journal.entries
        expect(entries.map((entry) => [entry.seq, entry.writer, entry.actor])).toEqual([
          [1, team.member, expect.stringMatching(/@/)],
          [2, team.member, "bob@elsewhere"]
        ])
        expect(entries[0]!.purpose).toBe("ticket OPS-7")
        expect(entries[0]!.purposeHmac).toMatch(/^hmac-sha256:[0-9a-f]{64}$/)
        expect(entries[0]!.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/)
        expect(yield* journal.verify).toMatchObject({ ok: true, entries: 2, head: { seq: 2 } })
        yield* tokens.issue({ token: "bxc_member", kind: "confirmation", fingerprint: "fp", ttlMs: 60_000 })
        expect(
          yield* tokens.redeem({ token: "bxc_member", kind: "confirmation", fingerprint: "fp" })
        ).toBeUndefined()
        // erasing is the owner's
        const erase = yield* Effect.flip(journal.erasePurpose(1, { source: "cli" }))
        expect(erase.message).toContain("permission denied")
      })
    )
    // the owner erases: the text and its key are gone, the chain still verifies
    await withDatabase(team.ownerUrl, ({ journal }) =>
      Effect.gen(function* () {
        expect(yield* journal.erasePurpose(1, { source: "cli", actor: "dpo@office" })).toBe("erased")
        expect(yield* journal.erasePurpose(1, { source: "cli" })).toBe("none")
        expect(yield* journal.erasePurpose(99, { source: "cli" })).toBe("unknown")
      })
    )
    await withDatabase(team.memberUrl, ({ journal }) =>
      Effect.gen(function* () {
        const entries = yield* journal.entries
        expect(entries[0]!.purpose).toBe("<erased>")
        expect(entries.at(-1)).toMatchObject({
          event: "erased",
          erasedSeq: 1,
          asyncTaskId: "a",
          writer: expect.stringMatching(/^owner_/)
        })
        expect(yield* journal.verify).toMatchObject({ ok: true, entries: 3 })
      })
    )
    const stored = await sql(team.superUrl, (client) => client`SELECT * FROM booster_journal_purpose`)
    expect(stored).toEqual([])
  })

  it("refuses a member's forged INSERT, UPDATE, DELETE, TRUNCATE, trigger drop, key read and look-alike function", async () => {
    const team = await ready()
    await withDatabase(team.memberUrl, ({ journal }) =>
      journal.append({ source: "cli", event: "started", asyncTaskId: "a" })
    )
    // a start attributed to a colleague, linked as a client would link it
    const [head] = await sql(
      team.memberUrl,
      (client) =>
        client<{
          entry: Record<string, unknown>
          mac: string
        }>`SELECT entry, mac FROM booster_journal ORDER BY seq DESC LIMIT 1`
    )
    const forged = forgedAfter({ seq: 1, mac: head!.mac }, "started", "forged")
    const attacks: ReadonlyArray<(client: PgClient.PgClient) => Effect.Effect<unknown, unknown>> = [
      (client) => client`INSERT INTO booster_journal (seq, entry) VALUES (2, ${client.json(forged)})`,
      (client) =>
        client`INSERT INTO booster_journal (seq, entry) VALUES (-1, '{"at":"2020-01-01T00:00:00Z","asyncTaskId":"x"}')`,
      (client) => client`UPDATE booster_journal SET entry = jsonb_set(entry, '{actor}', '"nobody"')`,
      (client) => client`DELETE FROM booster_journal`,
      (client) => client`TRUNCATE booster_journal`,
      (client) => client`DROP TRIGGER booster_journal_append_only ON booster_journal`,
      (client) => client`ALTER TABLE booster_journal DISABLE TRIGGER booster_journal_append_only`,
      (client) => client`SELECT key FROM booster_journal_secret`,
      (client) => client`DELETE FROM booster_journal_purpose`,
      (client) => client`SELECT booster_journal_erase_purpose(1, '{}'::jsonb)`,
      (client) =>
        client.unsafe(
          "CREATE FUNCTION public.hmac(bytea, bytea, text) RETURNS bytea LANGUAGE sql AS $$ SELECT $1 $$"
        )
    ]
    for (const attack of attacks) {
      expect(await refusal(team.memberUrl, attack)).toMatch(/permission denied|must be owner/)
    }
    await withDatabase(team.auditorUrl, ({ journal }) =>
      Effect.map(journal.verify, (result) => expect(result).toMatchObject({ ok: true, entries: 1 }))
    )
  })

  it("shows the owner's tampering: an unlinked row numbered -1, an entry changed behind the trigger", async () => {
    const team = await ready()
    await withDatabase(team.memberUrl, ({ journal }) =>
      Effect.forEach(
        ["a", "b", "c"],
        (id) => journal.append({ source: "cli", event: "started", asyncTaskId: id }),
        {
          discard: true
        }
      )
    )
    const verifyAs = (url: string) => withDatabase(url, ({ journal }) => journal.verify)
    await insertUnlinkedRow(team.superUrl)
    expect(await verifyAs(team.auditorUrl)).toMatchObject({ ok: false, problem: "inserted", position: -1 })
    await sql(team.superUrl, (client) =>
      client.withTransaction(
        Effect.all([
          client`ALTER TABLE booster_journal DISABLE TRIGGER booster_journal_append_only`,
          client`DELETE FROM booster_journal WHERE seq = -1`,
          client`UPDATE booster_journal SET entry = jsonb_set(entry, '{writer}', '"someone-else"') WHERE seq = 2`,
          client`ALTER TABLE booster_journal ENABLE TRIGGER booster_journal_append_only`
        ])
      )
    )
    const result = await verifyAs(team.memberUrl)
    expect(result).toMatchObject({ ok: false, problem: "altered", seq: 2 })
  })

  it("upgrading a database whose team role was granted SELECT, INSERT takes the INSERT back", async () => {
    const url = await freshDatabase()
    const dump = await readFile(new URL("./fixtures/database-v0.sql", import.meta.url), "utf8")
    const role = `old_${Date.now().toString(36)}`
    await sql(url, (client) => client.unsafe(dump))
    await sql(url, (client) =>
      Effect.all([
        client.unsafe(`CREATE ROLE ${role} LOGIN PASSWORD 'old-pw'`),
        client.unsafe(`GRANT SELECT, INSERT ON booster_journal TO ${role}`)
      ])
    )
    await withDatabase(url, ({ journal }) =>
      journal.append({ source: "cli", event: "started", asyncTaskId: "after" })
    )
    const roleUrl = new URL(url)
    roleUrl.username = role
    roleUrl.password = "old-pw"
    expect(
      await refusal(
        roleUrl.toString(),
        (client) => client`INSERT INTO booster_journal (seq, entry) VALUES (8, '{}')`
      )
    ).toMatch(/permission denied/)
  })
})
