/**
 * A team journal is shared, and anyone holding its role can write rows: a `started` row is the
 * team's history, never proof that this server started an export with its user's consent. A
 * colleague forging such a row (naming this user, booster-mcp, this API host and a real task) does
 * not let the assistant download that export without asking; an export this server really started
 * with consent still downloads at once — unless its local record of starts is a file another user
 * owns or may write (then its starts count for nothing and the download asks). Tested with a real PostgreSQL database, the sandbox as the
 * API and the server driven by the official MCP SDK clients.
 */
import { chmod, chown, readdir } from "node:fs/promises"
import { join } from "node:path"
import * as Journal from "@booster-export/journal/Journal"
import type { Sandbox } from "@booster-export/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  type Connected,
  connectAsking,
  connectStdio,
  filter,
  SDK1,
  sandboxEnv,
  serverEnv,
  startedElsewhere,
  startSandbox,
  startWithConsent,
  tempDirs,
  textOf,
  V2_LEGACY
} from "./harness.js"
import { clusterUrl, forge, freshDatabase, skipReason } from "./pg.js"

if (clusterUrl === undefined) console.warn(`started-here tests skipped: ${skipReason}`)

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
let server: Connected | undefined
let url: string
let brands = 0
const brand = () => `H${String(brands++).padStart(2, "0")}`

/** An export a colleague started, and the row they forge: this user's booster-mcp started it. */
const forgedStart = async () => {
  const asyncTaskId = await startedElsewhere(sandbox, filter({ brand: brand() }))
  await forge(url, [
    {
      source: "mcp",
      event: "started",
      // the server over stdio records the OS user running it: the colleague writes that name
      actor: Journal.actor(),
      asyncTaskId,
      host: new URL(sandbox.baseUrl).host,
      fingerprint: `hmac-sha256:${"f".repeat(64)}`,
      downloadRequestId: crypto.randomUUID()
    }
  ])
  return asyncTaskId
}

/** Only root can give a file to another user: without it, that case cannot be set up. */
const isRoot = process.getuid?.() === 0
/** This install's record of starts, in the server's state folder. */
const startsFile = () => join(dirs!.stateHome, "booster-export", "starts.jsonl")

/** A server on the team database taking confirmations (`--consent token`), in fresh folders. */
const tokenServer = async () => {
  dirs = await tempDirs()
  server = await connectStdio(
    ["--consent", "token"],
    serverEnv(dirs, { ...sandboxEnv(sandbox), BOOSTER_JOURNAL_URL: url }),
    SDK1
  )
  return server
}

const exportFiles = () => readdir(dirs!.exportDir).catch(() => [] as Array<string>)

/**
 * An export a colleague started on `route` (a direct POST), and the team row they insert calling it
 * an export of `kind` started with `booster`. Returns its task id.
 */
const colleagueCalls = async (route: string, kind: string) => {
  const asyncTaskId = await startedElsewhere(sandbox, { brand: brand(), posCodes: ["ES100"] }, route)
  await forge(url, [
    {
      source: "cli",
      event: "started",
      kind,
      asyncTaskId,
      host: new URL(sandbox.baseUrl).host,
      fingerprint: `hmac-sha256:${"e".repeat(64)}`,
      downloadRequestId: crypto.randomUUID()
    }
  ])
  return asyncTaskId
}

/**
 * Reads the task, sees its download refused without a confirmation (nothing written), then
 * downloads it with get_export_task's: returns what both calls answered.
 */
const refusedThenConfirmed = async (client: Connected["client"], asyncTaskId: string) => {
  const task = await client.callTool("get_export_task", { asyncTaskId, waitSeconds: 0 })
  const refused = await client.callTool("download_export_file", { asyncTaskId })
  expect(refused.isError).toBe(true)
  expect(await exportFiles()).toEqual([])
  const confirmation = String(
    (task.structuredContent as { downloadConfirmation: string }).downloadConfirmation
  )
  const downloaded = await client.callTool("download_export_file", { asyncTaskId, confirmation })
  expect(downloaded.isError, textOf(downloaded)).toBeFalsy()
  return { task, downloaded }
}

describe.skipIf(clusterUrl === undefined)("an export started here", () => {
  beforeAll(async () => {
    sandbox = await startSandbox({ taskDurationMs: 0 })
    url = await freshDatabase()
  }, 120_000)
  afterAll(async () => {
    await sandbox?.close()
  })
  afterEach(async () => {
    await server?.close()
    server = undefined
    await dirs?.remove()
    dirs = undefined
  })

  it("does not let a download skip the confirmation; the server's own start still downloads at once", async () => {
    const { client } = await tokenServer()
    const forged = await forgedStart()

    const refused = await client.callTool("download_export_file", { asyncTaskId: forged })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("nothing was downloaded")
    expect(textOf(refused)).toContain("downloadConfirmation")
    expect(await exportFiles()).toEqual([])
    const read = await client.callTool("get_export_task", { asyncTaskId: forged, waitSeconds: 0 })
    expect(read.structuredContent).toMatchObject({ startedHere: false, downloadReady: true })
    expect(read.structuredContent).toHaveProperty("downloadConfirmation")

    // started here, with the preview's confirmation: downloaded without another one
    const started = await startWithConsent(client, filter({ brand: brand() }))
    expect(started.isError, textOf(started)).toBeFalsy()
    const { asyncTaskId } = started.structuredContent as { asyncTaskId: string }
    const own = await client.callTool("get_export_task", { asyncTaskId, waitSeconds: 30 })
    expect(own.structuredContent).toMatchObject({ startedHere: true, downloadReady: true })
    expect(own.structuredContent).not.toHaveProperty("downloadConfirmation")
    const downloaded = await client.callTool("download_export_file", { asyncTaskId })
    expect(downloaded.isError, textOf(downloaded)).toBeFalsy()
    expect(await exportFiles()).toHaveLength(1)
  })

  it("never takes a colleague's row claiming stock for an export whose task type does not say so", async () => {
    const { client } = await tokenServer()
    // an invoices export (task type unknown to the model) that a colleague's row calls a stock export
    const asyncTaskId = await colleagueCalls("invoice", "stock")
    const listed = await client.callTool("list_export_tasks", {})
    expect(textOf(listed)).toContain(asyncTaskId)
    expect(textOf(listed)).not.toContain(`${asyncTaskId} (stock export`)
    const { task, downloaded } = await refusedThenConfirmed(client, asyncTaskId)
    expect(task.structuredContent).not.toHaveProperty("kind", "stock")
    expect(textOf(downloaded)).toContain("contains personal data")
    expect(textOf(downloaded)).not.toContain("stock export")
    expect(downloaded.structuredContent).not.toHaveProperty("kind", "stock")
    expect(await exportFiles()).toEqual([expect.not.stringMatching(/^stock-/)])
  })

  it("takes a colleague's row calling a stock-typed export a movements export: shown and asked as movements", async () => {
    const { client } = await tokenServer()
    // the API's task type does not tell stock from movements: a row saying movements adds caution
    const asyncTaskId = await colleagueCalls("stock", "movements")
    const listed = await client.callTool("list_export_tasks", {})
    expect(textOf(listed)).toContain(`${asyncTaskId} (movements export, stock,`)
    const { task, downloaded } = await refusedThenConfirmed(client, asyncTaskId)
    expect(task.structuredContent).toMatchObject({ kind: "movements", type: "stock", startedHere: false })
    expect(textOf(downloaded)).toContain("contains personal data")
    expect(await exportFiles()).toEqual([expect.stringMatching(/^movements-export-/)])
  })

  it("makes a server that can ask its user ask, and write nothing when the user says no", async () => {
    dirs = await tempDirs()
    let answers = 0
    const asking = await connectAsking(
      ["--consent", "auto"],
      serverEnv(dirs, { ...sandboxEnv(sandbox), BOOSTER_JOURNAL_URL: url }),
      V2_LEGACY,
      // yes to the start, no to every download
      (message) => {
        if (message.includes("Download it?")) return { action: "decline" }
        answers++
        return { action: "accept", content: { start: true } }
      }
    )
    server = asking
    const forged = await forgedStart()

    const refused = await asking.client.callTool("download_export_file", { asyncTaskId: forged })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("nothing was downloaded")
    expect(asking.asked).toHaveLength(1)
    expect(asking.asked[0]).toContain(forged)
    expect(asking.asked[0]).toContain("started elsewhere")
    expect(await exportFiles()).toEqual([])

    // the user agreed to this start: its download asks nothing more
    const started = await asking.client.callTool("start_export", filter({ brand: brand() }))
    expect(started.isError, textOf(started)).toBeFalsy()
    expect(answers).toBe(1)
    const { asyncTaskId } = started.structuredContent as { asyncTaskId: string }
    await asking.client.callTool("get_export_task", { asyncTaskId, waitSeconds: 30 })
    const downloaded = await asking.client.callTool("download_export_file", { asyncTaskId })
    expect(downloaded.isError, textOf(downloaded)).toBeFalsy()
    expect(asking.asked).toHaveLength(2)
    expect(await exportFiles()).toHaveLength(1)
  })

  /** Starts an export with consent, then spoils the record of starts with `spoil`: the download must ask. */
  const spoiled = async (spoil: (path: string) => Promise<void>) => {
    const { client } = await tokenServer()
    const started = await startWithConsent(client, filter({ brand: brand() }))
    expect(started.isError, textOf(started)).toBeFalsy()
    const { asyncTaskId } = started.structuredContent as { asyncTaskId: string }
    const before = await client.callTool("get_export_task", { asyncTaskId, waitSeconds: 30 })
    expect(before.structuredContent).toMatchObject({ startedHere: true, downloadReady: true })

    await spoil(startsFile())
    const read = await client.callTool("get_export_task", { asyncTaskId, waitSeconds: 0 })
    expect(read.structuredContent).toMatchObject({ startedHere: false, downloadReady: true })
    expect(read.structuredContent).toHaveProperty("downloadConfirmation")
    const refused = await client.callTool("download_export_file", { asyncTaskId })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("downloadConfirmation")
    expect(await exportFiles()).toEqual([])
  }

  it("counts no start in a local record of starts that other users may write", async () => {
    await spoiled((path) => chmod(path, 0o666))
  })

  it.skipIf(!isRoot)("counts no start in a local record of starts owned by another user", async () => {
    await spoiled((path) => chown(path, 65534, 65534))
  })
})
