/**
 * Running for a team: one journal in PostgreSQL shared by several machines (here: processes with
 * separate homes and so separate local state), the audit trail and retention, through the bundled
 * `booster`.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { Journal } from "@booster-export/journal"
import * as PgJournal from "@booster-export/journal-pg/PgJournal"
import { Sandbox } from "@booster-export/sandbox"
import { StateDirectory } from "@booster-export/transport"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
// the entries the journal tests read with a time bound, read here through `booster audit export`
import { AROUND } from "../../../packages/journal/test/since.js"
import { expectJournalShownClean, hostileEntries } from "./foreign.js"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

const clusterUrl = process.env.BOOSTER_TEST_PG_URL
const password = process.env.BOOSTER_TEST_PG_PASSWORD ?? "unset"
if (clusterUrl === undefined) {
  console.warn(`team tests skipped: ${process.env.BOOSTER_TEST_PG_SKIP ?? "BOOSTER_TEST_PG_URL is not set"}`)
}

const sql = <A>(url: string, body: (client: PgClient.PgClient) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(PgClient.make({ url: Redacted.make(url) }), body)).pipe(
      Effect.provide(Reactivity.layer)
    ) as Effect.Effect<A, unknown>
  )

const freshDatabase = async () => {
  const name = `cli_${randomUUID().replace(/-/g, "").slice(0, 16)}`
  await sql(clusterUrl!, (client) => client.unsafe(`CREATE DATABASE ${name}`))
  const url = new URL(clusterUrl!)
  url.pathname = `/${name}`
  return url.toString()
}

let sandbox: Sandbox.RunningSandbox

/** `audit export --since 2026-02-01` gives the rows of the whole export from that day on. */
const checkSince = async (env: Record<string, string>) => {
  const all = await booster(["audit", "export", "--json"], { env })
  const since = await booster(["audit", "export", "--json", "--since", "2026-02-01"], {
    env: { ...env, TZ: "UTC" }
  })
  expect(since.code).toBe(0)
  const rows = JSON.parse(since.stdout) as Array<Record<string, unknown>>
  expect(rows.map((row) => [row.asyncTaskId, row.event, row.at])).toEqual([
    ["a", "completed", "2026-02-01T00:00:00.000Z"],
    ["c", "started", "2026-02-02T09:00:00.000Z"],
    ["a", "downloaded", "2026-02-03T08:00:00.000Z"]
  ])
  // a row about a task started earlier still says what its start recorded
  expect(rows[2]).toMatchObject({ purpose: "ticket A", brand: "CAR", file: "/x/a.csv" })
  const everything = JSON.parse(all.stdout) as Array<Record<string, unknown>>
  expect(rows).toEqual(everything.filter((row) => String(row.at) >= "2026-02-01"))
  const csv = await booster(["audit", "export", "--csv", "--since", "2026-02-02T09:00:00Z"], { env })
  expect(csv.stdout.trim().split("\n")).toHaveLength(3)
  const unknown = await booster(["audit", "export", "--json", "--since", "last week"], { env })
  expect(unknown.code).toBe(2)
  expect(parseJson(unknown.stderr).message).toContain("-Nh or -Nmin")
}

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 500, taskDurationMs: 0 })
}, 120_000)
afterAll(() => sandbox?.close())

/** Four machines: separate homes, one shared fingerprint key file, one database. */
const machines = (count: number, journalUrl: string) => {
  const shared = freshHome()
  const keyFile = join(shared.root, "team.key")
  writeFileSync(keyFile, randomBytes(32), { mode: 0o600 })
  return Array.from({ length: count }, () => {
    const home = freshHome()
    return {
      home,
      env: {
        ...home.env,
        BOOSTER_BASE_URL: sandbox.baseUrl,
        BOOSTER_API_KEY: sandbox.apiKey,
        BOOSTER_JOURNAL_URL: journalUrl,
        BOOSTER_FINGERPRINT_KEY_FILE: keyFile
      }
    }
  })
}

describe.skipIf(clusterUrl === undefined)("booster with a team journal in PostgreSQL", () => {
  it("keeps schedules in the team database: added on one machine, run once by the run-due of two others, shown everywhere", async () => {
    const url = await freshDatabase()
    const [first, second, third] = machines(3, url)
    const out = join(freshHome().root, "drop")
    const added = await booster(
      [
        "schedule",
        "add",
        "team-daily",
        "--brand",
        "IWC",
        "--pos-code",
        "IT100",
        "--cron",
        "0 7 * * *",
        "--tz",
        "UTC",
        "--to",
        `file://${out}/`,
        "--yes",
        "--json"
      ],
      { env: first!.env }
    )
    expect(added.code).toBe(0)
    const asOf = new Date(Date.now() + 2 * 86_400_000).toISOString()
    const before = sandbox.tasksCreated()
    const runs = await Promise.all(
      [second!, third!].map((machine) =>
        booster(["schedule", "run-due", "--as-of", asOf, "--json"], { env: machine.env })
      )
    )
    for (const result of runs) expect(result.code, result.stderr).toBe(0)
    expect(sandbox.tasksCreated()).toBe(before + 1)
    const shown = JSON.parse(
      (await booster(["schedule", "runs", "team-daily", "--json"], { env: first!.env })).stdout
    )
    expect(shown.filter((run: { status: string }) => run.status === "delivered")).toHaveLength(1)
    for (const machine of [first!, second!, third!]) {
      expect(existsSync(join(machine.home.root, "state", "booster-export", "schedules.sqlite"))).toBe(false)
    }
    const again = await booster(["schedule", "run-due", "--as-of", asOf], { env: first!.env })
    expect(again.stderr).toContain("Nothing is due")
    expect(`${added.stdout}${added.stderr}${runs.map((r) => r.stderr).join("")}`).not.toContain(password)
  })

  it("four machines starting the same filter at the same instant create one export; the others are told which", async () => {
    const url = await freshDatabase()
    const team = machines(4, url)
    const before = sandbox.tasksCreated()
    const args = [
      "export",
      "--brand",
      "IWC",
      "--pos-code",
      "IT100",
      "--purpose",
      "ticket OPS-7",
      "--json",
      "--yes"
    ]
    const results = await Promise.all(team.map((machine) => booster(args, { env: machine.env })))
    const started = results.filter((result) => result.code === 0)
    const refused = results.filter((result) => result.code === 2)
    expect(started).toHaveLength(1)
    expect(refused).toHaveLength(3)
    expect(sandbox.tasksCreated() - before).toBe(1)
    const { asyncTaskId } = parseJson(started[0]!.stdout) as { asyncTaskId: string }
    for (const result of refused) {
      const error = parseJson(result.stderr)
      expect(error._tag).toBe("DuplicateExportError")
      expect(error.asyncTaskId).toBe(asyncTaskId)
    }
    // nothing was kept on the machines themselves
    for (const machine of team) {
      expect(existsSync(join(machine.home.env.XDG_STATE_HOME, "booster-export", "journal.jsonl"))).toBe(false)
    }
    // another machine follows that export with --reuse instead
    const reuse = await booster([...args, "--reuse"], { env: team[1]!.env })
    expect(reuse.code).toBe(0)
    expect(parseJson(reuse.stdout).asyncTaskId).toBe(asyncTaskId)
    expect(sandbox.tasksCreated() - before).toBe(1)

    // the audit record says who, what and why, and the trail verifies
    const exported = await booster(["audit", "export", "--json"], { env: team[2]!.env })
    expect(exported.code).toBe(0)
    const rows = JSON.parse(exported.stdout) as Array<Record<string, unknown>>
    // the start was written down before it was sent, then recorded with its task
    expect(rows.map((row) => row.event)).toEqual(["requested", "started"])
    expect(rows[1]).toMatchObject({
      asyncTaskId,
      source: "cli",
      purpose: "ticket OPS-7",
      description: expect.stringContaining("IWC"),
      actor: expect.stringMatching(/.@./)
    })
    const verified = await booster(["audit", "verify"], { env: team[3]!.env })
    expect(verified.code).toBe(0)
    expect(verified.stdout).toContain("is intact: 2 chained entries")
    expect(verified.stdout).not.toContain(password)
  })

  it("audit export --since reads only the rows it needs from the database and gives the same rows", async () => {
    const url = await freshDatabase()
    await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(PgJournal.connect({ url: Redacted.make(url) }), ({ journal }) =>
          Effect.forEach(AROUND, (entry) => journal.append(entry), { discard: true })
        )
      )
    )
    const [machine] = machines(1, url)
    await checkSince(machine!.env)
    expect((await booster(["audit", "verify"], { env: machine!.env })).code).toBe(0)
  })

  it("a team member's rows carrying terminal escapes reach no terminal: history, files, tasks get, audit export", async () => {
    const url = await freshDatabase()
    const [machine] = machines(1, url)
    const started = await booster(["export", "--brand", "CAR", "--pos-code", "ES100", "--json", "--yes"], {
      env: machine!.env
    })
    expect(started.code).toBe(0)
    const { asyncTaskId } = parseJson(started.stdout) as { asyncTaskId: string }
    // rows another team member wrote calling the append function from their own SQL client (the
    // database checks only the purpose's length)
    const { entries } = hostileEntries(asyncTaskId, join(machine!.home.root, "exports"))
    for (const entry of entries) {
      const fields: Record<string, unknown> = { ...entry }
      await sql(url, (client) => client`SELECT * FROM booster_journal_append(${client.json(fields)})`)
    }
    await expectJournalShownClean(machine!.env, asyncTaskId, { ownDownload: false })
  })

  it("audit verify fails naming the altered entry, and no output shows the database password", async () => {
    const url = await freshDatabase()
    const [machine] = machines(1, url)
    for (const pos of ["IT100", "FR100", "ES100"]) {
      const result = await booster(["export", "--brand", "CAR", "--pos-code", pos, "--json", "--yes"], {
        env: machine!.env
      })
      expect(result.code).toBe(0)
    }
    expect((await booster(["audit", "verify"], { env: machine!.env })).code).toBe(0)
    await sql(url, (client) =>
      client.withTransaction(
        Effect.all([
          client`ALTER TABLE booster_journal DISABLE TRIGGER booster_journal_append_only`,
          client`UPDATE booster_journal SET entry = jsonb_set(entry, '{actor}', '"nobody@nowhere"') WHERE seq = 2`,
          client`ALTER TABLE booster_journal ENABLE TRIGGER booster_journal_append_only`
        ])
      )
    )
    const broken = await booster(["audit", "verify", "--json"], { env: machine!.env })
    expect(broken.code).toBe(1)
    const error = parseJson(broken.stderr)
    expect(error).toMatchObject({ _tag: "AuditTrailError", problem: "altered", seq: 2 })
    expect(String(error.message)).toContain("Entry 2")
    expect(String(error.message)).toContain(`postgres://${new URL(url).host}`)
    // an unreachable database: the host is named, the password never
    const wrong = new URL(url)
    wrong.port = "1"
    const unreachable = await booster(["export", "--brand", "CAR", "--pos-code", "IT200", "--yes"], {
      env: { ...machine!.env, BOOSTER_JOURNAL_URL: wrong.toString() }
    })
    expect(unreachable.code).not.toBe(0)
    for (const text of [broken.stdout, broken.stderr, unreachable.stdout, unreachable.stderr]) {
      expect(text).not.toContain(password)
    }
    expect(unreachable.stderr).toContain(`postgres://127.0.0.1:1/`)
  })
})

/** What a colleague with the team database's role can write: `downloaded` rows naming any path. */
const forgeDownloads = (url: string, rows: ReadonlyArray<Journal.NewEntry>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(PgJournal.connect({ url: Redacted.make(url) }), ({ journal }) =>
        Effect.forEach(rows, (row) => journal.append(row), { discard: true })
      )
    )
  )

describe.skipIf(clusterUrl === undefined)("retention with a team journal", () => {
  it("files purge deletes only this install's own downloads: a colleague's forged rows change nothing", async () => {
    const url = await freshDatabase()
    const [victim] = machines(1, url)
    const home = victim!.home.root
    const exportDir = join(home, "exports")
    const own = await booster(
      ["export", "--brand", "VCA", "--pos-code", "IT100", "--output", `${exportDir}/`, "--json", "--yes"],
      { env: victim!.env }
    )
    expect(own.code).toBe(0)
    const ownFile = (parseJson(own.stdout).file as { path: string }).path
    expect(ownFile.startsWith(exportDir)).toBe(true)

    // the victim's own files: a document, a skeleton dotfile, a file put in the export folder by hand
    const thesis = join(home, "Documents", "thesis.txt")
    mkdirSync(dirname(thesis), { recursive: true })
    writeFileSync(thesis, "three years of work\n")
    const dotfile = join(home, ".bashrc")
    const skeleton = "# ~/.bashrc: executed by bash(1) for non-login shells.\n"
    writeFileSync(dotfile, skeleton)
    const byHand = join(exportDir, "customer-export-VCA-0123456789abcdef0123456789abcdef.csv")
    writeFileSync(byHand, "sapCrmId,email\n1,someone@example.com\n")
    const longAgo = new Date(Date.now() - 90 * 86_400_000).toISOString()
    const forged = (file: string, proof: boolean) => ({
      at: longAgo,
      actor: "colleague@elsewhere",
      source: "cli",
      event: "downloaded",
      asyncTaskId: randomUUID().replace(/-/g, ""),
      file,
      ...(proof
        ? {
            bytes: readFileSync(file).length,
            sha256: createHash("sha256").update(readFileSync(file)).digest("hex")
          }
        : {}),
      expiresAt: longAgo
    })
    await forgeDownloads(url, [forged(thesis, false), forged(dotfile, true), forged(byHand, true)])

    const listed = await booster(["files", "list", "--json"], { env: victim!.env })
    expect(listed.code).toBe(0)
    expect((JSON.parse(listed.stdout) as Array<{ path: string }>).map((row) => row.path)).toEqual([ownFile])

    const purged = await booster(["files", "purge", "--older-than", "0d", "--json", "--yes"], {
      env: victim!.env
    })
    expect(purged.code).toBe(0)
    expect(JSON.parse(purged.stdout)).toEqual([
      expect.objectContaining({ path: ownFile, outcome: "deleted" })
    ])
    expect(existsSync(ownFile)).toBe(false)
    expect(readFileSync(thesis, "utf8")).toBe("three years of work\n")
    expect(readFileSync(dotfile, "utf8")).toBe(skeleton)
    expect(readFileSync(byHand, "utf8")).toContain("sapCrmId")

    // the team's record says what this install deleted, and the trail still verifies
    const audit = JSON.parse(
      (await booster(["audit", "export", "--json"], { env: victim!.env })).stdout
    ) as Array<{
      event: string
      file?: string
    }>
    expect(audit.filter((row) => row.event === "deleted").map((row) => row.file)).toEqual([ownFile])
    expect((await booster(["audit", "verify"], { env: victim!.env })).code).toBe(0)
  })
})

describe("booster audit and files with the local journal", () => {
  it("verify passes, then names a removed entry; export gives CSV rows with the actor", async () => {
    const home = freshHome()
    const env = { ...home.env, BOOSTER_BASE_URL: sandbox.baseUrl, BOOSTER_API_KEY: sandbox.apiKey }
    for (const pos of ["IT100", "FR100", "ES100"]) {
      expect(
        (await booster(["export", "--brand", "JLC", "--pos-code", pos, "--json", "--yes"], { env })).code
      ).toBe(0)
    }
    const ok = await booster(["audit", "verify"], { env })
    expect(ok.code).toBe(0)
    // each start: written down before it is sent (requested), then recorded with its task
    expect(ok.stdout).toContain("is intact: 6 chained entries")
    const csv = await booster(["audit", "export", "--csv", "--since", "2020-01-01"], { env })
    expect(csv.code).toBe(0)
    const lines = csv.stdout.trim().split("\n")
    expect(lines[0]!.split(",").slice(0, 5)).toEqual(["at", "event", "actor", "writer", "source"])
    expect(lines).toHaveLength(7)
    // no writer in a local journal: the database assigns it
    expect(lines[1]).toMatch(/^[^,]+,requested,[^,]+@[^,]+,,cli,/)
    expect(lines[2]).toMatch(/^[^,]+,started,[^,]+@[^,]+,,cli,/)
    const since = await booster(["audit", "export", "--json", "--since", "2999-01-01"], { env })
    expect(JSON.parse(since.stdout)).toEqual([])

    const path = join(home.env.XDG_STATE_HOME, "booster-export", "journal.jsonl")
    const journal = readFileSync(path, "utf8").trim().split("\n")
    writeFileSync(path, `${[journal[0], journal[2]].join("\n")}\n`)
    const broken = await booster(["audit", "verify"], { env })
    expect(broken.code).toBe(1)
    expect(broken.stderr).toContain("Entry 2 was removed")
  })

  it("audit export --since gives the rows from that time on, with what their starts recorded", async () => {
    const home = freshHome()
    const journal = Journal.make(StateDirectory.resolve(home.env))
    await Effect.runPromise(Effect.forEach(AROUND, (entry) => journal.append(entry), { discard: true }))
    await checkSince(home.env)
  })

  it("files purge deletes expired downloads, records it, and leaves a changed file in place with a warning", async () => {
    const home = freshHome()
    const env = { ...home.env, BOOSTER_BASE_URL: sandbox.baseUrl, BOOSTER_API_KEY: sandbox.apiKey }
    const files: Array<string> = []
    for (const pos of ["IT100", "FR100"]) {
      const out = join(home.root, `${pos}.csv`)
      const result = await booster(
        ["export", "--brand", "VCA", "--pos-code", pos, "--output", out, "--json", "--yes"],
        { env }
      )
      expect(result.code).toBe(0)
      files.push(out)
    }
    const listed = await booster(["files", "list", "--json"], { env })
    const rows = JSON.parse(listed.stdout) as Array<{ path: string; state: string; expiresAt: string }>
    expect(rows.map((row) => [row.path, row.state])).toEqual(files.map((file) => [file, "kept"]))
    // downloaded today, kept 30 days by default
    const days = (Date.parse(rows[0]!.expiresAt) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(29.9)
    expect(days).toBeLessThanOrEqual(30)
    // nothing has expired yet
    const early = await booster(["files", "purge"], { env })
    expect(early.code).toBe(0)
    expect(early.stderr).toContain("Nothing to delete.")
    expect(files.every((file) => existsSync(file))).toBe(true)

    writeFileSync(files[1]!, "changed by hand\r\n")
    // deleting needs a confirmation: without a terminal, --yes
    const unconfirmed = await booster(["files", "purge", "--older-than", "0min"], { env })
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toMatch(
      /Nothing was deleted: deleting 1 file \([\d.]+ K?B\) needs a confirmation/
    )
    expect(unconfirmed.stderr).toContain("--yes")
    expect(files.every((file) => existsSync(file))).toBe(true)
    // one grammar with export dates: a bare number is refused, m is months
    const bare = await booster(["files", "purge", "--older-than", "30", "--yes"], { env })
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain("90min (minutes)")
    const months = await booster(["files", "purge", "--older-than", "6m", "--yes"], { env })
    expect(months.code).toBe(0)
    expect(months.stderr).toContain("Nothing to delete.")
    const purged = await booster(["files", "purge", "--older-than", "0min", "--yes"], { env })
    expect(purged.code).toBe(0)
    expect(purged.stdout).toContain(`Deleted ${files[0]}`)
    expect(purged.stderr).toContain(`Warning: ${files[1]} (customers export) changed since it was downloaded`)
    expect(existsSync(files[0]!)).toBe(false)
    expect(readFileSync(files[1]!, "utf8")).toBe("changed by hand\r\n")
    const audit = JSON.parse((await booster(["audit", "export", "--json"], { env })).stdout) as Array<{
      event: string
      file?: string
    }>
    expect(audit.filter((row) => row.event === "deleted").map((row) => row.file)).toEqual([files[0]])
    expect((await booster(["audit", "verify"], { env })).code).toBe(0)
  })
})
