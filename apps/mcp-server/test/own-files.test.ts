/**
 * A team journal is shared, and anyone holding its role can write rows: a `downloaded` row is never
 * an instruction to this machine. booster-mcp's retention (at start) and summarize_export_file act
 * only on the downloads this install made itself, inside the export folder it wrote them to, on a
 * size and SHA-256 match. Tested with a real PostgreSQL database, a colleague forging rows, and the
 * server driven by the official MCP SDK client.
 */
import { createHash, randomUUID } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type * as Journal from "@booster-export/journal/Journal"
import * as PgJournal from "@booster-export/journal-pg/PgJournal"
import type { Sandbox } from "@booster-export/sandbox"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  connectStdio,
  filter,
  sandboxEnv,
  serverEnv,
  startSandbox,
  startWithConsent,
  tempDirs,
  textOf
} from "./harness.js"
import { clusterUrl, forge, freshDatabase, skipReason } from "./pg.js"

if (clusterUrl === undefined) console.warn(`own-files tests skipped: ${skipReason}`)

const DAY = 86_400_000
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex")

/** The team journal's rows, as any member reads them. */
const teamEntries = (url: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(PgJournal.connect({ url: Redacted.make(url) }), ({ journal }) => journal.entries)
    )
  )

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>>
let url: string
const forgedTask = () => randomUUID().replace(/-/g, "")

describe.skipIf(clusterUrl === undefined)("booster-mcp acts only on its own downloads", () => {
  beforeAll(async () => {
    sandbox = await startSandbox({ customers: 600, taskDurationMs: 500 })
    dirs = await tempDirs()
    url = await freshDatabase()
  }, 120_000)

  afterAll(async () => {
    await sandbox?.close()
    await dirs?.remove()
  })

  it("keeps the victim's files through summaries and start-up purges, and still purges its own expired download", async () => {
    // the victim's own files: a customer list in Documents, a skeleton dotfile, a file in the export folder
    const documents = join(dirs.root, "Documents", "customers.csv")
    await mkdir(join(dirs.root, "Documents"), { recursive: true })
    await mkdir(dirs.exportDir, { recursive: true })
    const csv = `countryId,customerStatus\n${"it,Client\n".repeat(40)}`
    await writeFile(documents, csv)
    const dotfile = join(dirs.root, ".bashrc")
    await writeFile(dotfile, "# ~/.bashrc: executed by bash(1) for non-login shells.\n")
    const byHand = join(dirs.exportDir, `customer-export-CAR-${forgedTask()}.csv`)
    await writeFile(byHand, csv)

    const longAgo = new Date(Date.now() - 90 * DAY).toISOString()
    const tasks = { documents: forgedTask(), dotfile: forgedTask(), byHand: forgedTask() }
    const row = async (asyncTaskId: string, file: string, proof: boolean): Promise<Journal.NewEntry> => {
      const content = await readFile(file)
      return {
        at: longAgo,
        actor: "colleague@elsewhere",
        source: "mcp",
        event: "downloaded",
        asyncTaskId,
        file,
        ...(proof ? { bytes: content.length, sha256: sha256(content) } : {}),
        expiresAt: longAgo
      }
    }
    await forge(url, [
      await row(tasks.documents, documents, false),
      await row(tasks.dotfile, dotfile, true),
      await row(tasks.byHand, byHand, true)
    ])

    const env = serverEnv(dirs, { ...sandboxEnv(sandbox), BOOSTER_JOURNAL_URL: url })
    // kept no time at all: expired as soon as it is written
    const first = await connectStdio(["--retention-days", "0"], env)
    let own: string
    let ownTask: string
    try {
      const call = (name: string, args: Record<string, unknown>) =>
        first.client.callTool(name, args, { timeout: 90_000 })
      // the summary reads no file this install did not download
      for (const asyncTaskId of Object.values(tasks)) {
        const refused = await call("summarize_export_file", { asyncTaskId })
        expect(refused.isError).toBe(true)
        expect(textOf(refused)).toContain(
          `No file downloaded by this install is recorded for task ${asyncTaskId}`
        )
        expect(JSON.stringify(refused)).not.toContain('"rows"')
      }
      const started = await startWithConsent(first.client, filter({ locationCountryIds: undefined }))
      ownTask = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
      await call("get_export_task", { asyncTaskId: ownTask, waitSeconds: 60 })
      const downloaded = await call("download_export_file", { asyncTaskId: ownTask })
      own = (downloaded.structuredContent as { path: string }).path
      // its own download it does summarise
      const summary = await call("summarize_export_file", { asyncTaskId: ownTask })
      expect(summary.isError).toBeFalsy()
      // its counts are noisy (a small file may read as about 0 customers): the answer is its own task's
      expect(summary.structuredContent).toMatchObject({ asyncTaskId: ownTask, epsilon: 1 })
      expect(textOf(summary)).toMatch(/^Export \S+: about \d+ customers/)
    } finally {
      await first.close()
    }
    expect(existsSync(own)).toBe(true)

    // the next start purges what has expired: this install's download, nothing else
    const second = await connectStdio(["--retention-days", "0"], env)
    try {
      const deadline = Date.now() + 30_000
      while (existsSync(own) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(existsSync(own)).toBe(false)
      let deleted: ReadonlyArray<Journal.Entry> = []
      while (deleted.length === 0 && Date.now() < deadline) {
        deleted = (await teamEntries(url)).filter((entry) => entry.event === "deleted")
        if (deleted.length === 0) await new Promise((r) => setTimeout(r, 100))
      }
      expect(deleted).toEqual([expect.objectContaining({ source: "mcp", file: own, asyncTaskId: ownTask })])
    } finally {
      await second.close()
    }
    expect(await readFile(documents, "utf8")).toBe(csv)
    expect(await readFile(dotfile, "utf8")).toContain("~/.bashrc")
    expect(await readFile(byHand, "utf8")).toBe(csv)
  })
})
