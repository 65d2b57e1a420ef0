/**
 * The roles and grants of "Running for a team" (docs/team.md) with the real `booster` against a real
 * PostgreSQL: the owner migrates with `booster audit migrate`; a member with exactly the team's
 * grants exports, lists, verifies, checkpoints and purges as themselves; their forged INSERT,
 * UPDATE and trigger drop are refused; the owner's row at seq -1 and a trail the owner rewrote with
 * valid keyed links are detected by an auditor on a read-only connection with the checkpoint folder.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createTeam, forgedAfter, insertUnlinkedRow } from "../../../packages/journal-pg/test/roles.js"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

const clusterUrl = process.env.BOOSTER_TEST_PG_URL
if (clusterUrl === undefined) {
  console.warn(
    `team role tests skipped: ${process.env.BOOSTER_TEST_PG_SKIP ?? "BOOSTER_TEST_PG_URL is not set"}`
  )
}

const sql = <A>(url: string, body: (client: PgClient.PgClient) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(PgClient.make({ url: Redacted.make(url) }), body)).pipe(
      Effect.provide(Reactivity.layer)
    ) as Effect.Effect<A, unknown>
  )
const refusal = (url: string, body: (client: PgClient.PgClient) => Effect.Effect<unknown, unknown>) =>
  sql(url, body).then(
    () => "accepted",
    (error: unknown) => String((error as { cause?: { message?: string } }).cause?.message ?? error)
  )

let sandbox: Sandbox.RunningSandbox
beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 300, taskDurationMs: 0 })
}, 120_000)
afterAll(() => sandbox?.close())

describe.skipIf(clusterUrl === undefined)("booster with the team roles of docs/team.md", () => {
  it("works for a member with exactly the team's grants, refuses their forgeries, and shows the owner's", async () => {
    const team = await createTeam(clusterUrl!)
    const home = freshHome()
    const checkpoints = join(home.root, "checkpoints")
    const as = (journalUrl: string) => ({
      ...home.env,
      BOOSTER_BASE_URL: sandbox.baseUrl,
      BOOSTER_API_KEY: sandbox.apiKey,
      BOOSTER_JOURNAL_URL: journalUrl
    })
    const owner = as(team.ownerUrl)
    const member = as(team.memberUrl)
    const auditor = as(team.auditorUrl)

    // the owner migrates, once
    const migrated = await booster(["audit", "migrate"], { env: owner })
    expect(migrated.code, migrated.stderr).toBe(0)
    expect(migrated.stdout).toContain("4_keyed_chain")
    expect((await booster(["audit", "migrate"], { env: owner })).stdout).toContain("is current")
    await team.grant()
    expect((await booster(["audit", "migrate"], { env: member })).code).not.toBe(0)

    // the member works: export (and download), history, audit export/verify/checkpoint, files
    const before = sandbox.tasksCreated()
    const refused = await booster(
      ["export", "--brand", "CAR", "--pos-code", "IT100", "--purpose", "call Jane 06 12 34 56 78", "--json"],
      { env: member }
    )
    expect(refused.code).toBe(2)
    expect(parseJson(refused.stderr)).toMatchObject({
      _tag: "PurposeError",
      field: "purpose",
      rule: "phone-number"
    })
    expect(refused.stderr).not.toContain("56 78")
    expect(sandbox.tasksCreated()).toBe(before)
    const out = join(home.root, "IT100.csv")
    const exported = await booster(
      [
        "export",
        "--brand",
        "CAR",
        "--pos-code",
        "IT100",
        "--purpose",
        "ticket OPS-7",
        "--output",
        out,
        "--json",
        "--yes"
      ],
      { env: member }
    )
    expect(exported.code, exported.stderr).toBe(0)
    expect(existsSync(out)).toBe(true)
    expect((await booster(["history", "--json"], { env: member })).code).toBe(0)
    expect((await booster(["files", "list", "--json"], { env: member })).code).toBe(0)
    expect((await booster(["files", "purge", "--older-than", "0d", "--yes"], { env: member })).code).toBe(0)
    const rows = JSON.parse((await booster(["audit", "export", "--json"], { env: member })).stdout) as Array<
      Record<string, unknown>
    >
    expect(rows.map((row) => row.event)).toEqual([
      "requested",
      "started",
      "completed",
      "downloaded",
      "deleted"
    ])
    expect(rows.every((row) => row.writer === team.member)).toBe(true)
    expect(rows[1]).toMatchObject({ purpose: "ticket OPS-7", actor: expect.stringMatching(/@/) })
    expect((await booster(["audit", "checkpoint", "--checkpoints", checkpoints], { env: member })).code).toBe(
      0
    )
    const verified = await booster(["audit", "verify", "--checkpoints", checkpoints], { env: auditor })
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toContain("is intact: 5 chained entries")
    expect(verified.stdout).toContain("Checkpoints: 1")

    // the member's forgeries are refused by the database
    const [head] = await sql(
      team.memberUrl,
      (client) => client<{ mac: string }>`SELECT mac FROM booster_journal ORDER BY seq DESC LIMIT 1`
    )
    const forged = forgedAfter({ seq: 5, mac: head!.mac }, "deleted", "x")
    for (const attack of [
      (client: PgClient.PgClient) =>
        client`INSERT INTO booster_journal (seq, entry) VALUES (6, ${client.json(forged)})`,
      (client: PgClient.PgClient) =>
        client`UPDATE booster_journal SET entry = jsonb_set(entry, '{actor}', '"nobody"')`,
      (client: PgClient.PgClient) => client`DROP TRIGGER booster_journal_append_only ON booster_journal`
    ]) {
      expect(await refusal(team.memberUrl, attack)).toMatch(/permission denied|must be owner/)
    }
    // erasing a purpose is the owner's: the text goes, the chain still verifies
    expect((await booster(["audit", "redact", "2"], { env: member })).code).toBe(1)
    const redacted = await booster(["audit", "redact", "2"], { env: owner })
    expect(redacted.code, redacted.stderr).toBe(0)
    const after = JSON.parse(
      (await booster(["audit", "export", "--json"], { env: auditor })).stdout
    ) as Array<Record<string, unknown>>
    expect(after[1]!.purpose).toBe("<erased>")
    expect(after.at(-1)).toMatchObject({ event: "erased", writer: expect.stringMatching(/^owner_/) })
    expect((await booster(["audit", "verify", "--checkpoints", checkpoints], { env: auditor })).code).toBe(0)
    expect((await booster(["audit", "redact", "99"], { env: owner })).code).toBe(2)

    // the owner rewrites entry 3 and recomputes every keyed link after it: the chain verifies,
    // the checkpoint signed before does not
    await sql(team.superUrl, (client) =>
      client.unsafe(`DO $$
        DECLARE k bytea; r record; prev text;
        BEGIN
          SELECT key INTO k FROM booster_journal_secret;
          ALTER TABLE booster_journal DISABLE TRIGGER booster_journal_append_only;
          SELECT mac INTO prev FROM booster_journal WHERE seq = 2;
          FOR r IN SELECT seq, entry FROM booster_journal WHERE seq >= 3 ORDER BY seq LOOP
            UPDATE booster_journal SET
              entry = (CASE WHEN r.seq = 3 THEN jsonb_set(r.entry, '{writer}', '"someone-else"') ELSE r.entry END) || jsonb_build_object('prev', prev),
              mac = encode(hmac(convert_to(((CASE WHEN r.seq = 3 THEN jsonb_set(r.entry, '{writer}', '"someone-else"') ELSE r.entry END) || jsonb_build_object('prev', prev))::text, 'UTF8'), k, 'sha256'), 'hex')
              WHERE seq = r.seq RETURNING mac INTO prev;
          END LOOP;
          ALTER TABLE booster_journal ENABLE TRIGGER booster_journal_append_only;
        END $$`)
    )
    expect((await booster(["audit", "verify"], { env: auditor })).code).toBe(0)
    const rewritten = await booster(["audit", "verify", "--checkpoints", checkpoints, "--json"], {
      env: auditor
    })
    expect(rewritten.code).toBe(1)
    expect(parseJson(rewritten.stderr)).toMatchObject({
      _tag: "AuditTrailError",
      problem: "rewritten",
      seq: 5
    })

    // an unlinked row the owner slips in at seq -1 is refused, not taken for an older entry
    await insertUnlinkedRow(team.superUrl)
    const inserted = await booster(["audit", "verify", "--json"], { env: auditor })
    expect(inserted.code).toBe(1)
    expect(parseJson(inserted.stderr)).toMatchObject({ problem: "inserted", position: -1 })
    for (const text of [inserted.stderr, rewritten.stderr, verified.stdout])
      expect(text).not.toContain(team.password)
  }, 120_000)
})
