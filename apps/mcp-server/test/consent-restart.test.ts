/**
 * Confirmations handed out over stdio outlive the server process that issued them (clients such as
 * the MCP Inspector's CLI mode start a new server for every call): they are kept beside the local
 * journal, hashed, and accepted once by whichever process gets them.
 */
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import type { Sandbox } from "@booster-export/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  connectStdio,
  filter,
  sandboxEnv,
  serverEnv,
  startedElsewhere,
  startSandbox,
  tempDirs,
  textOf
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined

beforeAll(async () => {
  sandbox = await startSandbox({ taskDurationMs: 0 })
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  await dirs?.remove()
  dirs = undefined
})

/** One call to a server process started for it, as the Inspector's CLI mode makes it. */
const once = async (name: string, args: Record<string, unknown>) => {
  const server = await connectStdio([], serverEnv(dirs!, sandboxEnv(sandbox)))
  try {
    return await server.client.callTool(name, args)
  } finally {
    await server.close()
  }
}

describe("confirmations across server processes (stdio)", () => {
  it("starts once with a preview's confirmation in a process started anew; redeeming it again is refused", async () => {
    dirs = await tempDirs()
    const created = sandbox.tasksCreated()
    const preview = await once("preview_export", filter({ brand: "RST" }))
    const confirmation = (preview.structuredContent as { confirmation: string }).confirmation
    expect(confirmation).toMatch(/^bxc_/)
    const started = await once("start_export", { ...filter({ brand: "RST" }), confirmation })
    expect(started.isError, textOf(started)).toBeFalsy()
    expect(started.structuredContent).toMatchObject({ reused: false })
    expect(sandbox.tasksCreated()).toBe(created + 1)
    // kept hashed beside the journal
    const stored = await readFile(join(dirs.stateHome, "booster-export", "consent-tokens.json"), "utf8")
    expect(stored).not.toContain(confirmation)

    const replayed = await once("start_export", {
      ...filter({ brand: "RST" }),
      force: true,
      confirmation
    })
    expect(replayed.isError).toBe(true)
    expect(textOf(replayed)).toContain("already been used")
    expect(sandbox.tasksCreated()).toBe(created + 1)
  })

  it("downloads once with get_export_task's confirmation in a process started anew", async () => {
    dirs = await tempDirs()
    const id = await startedElsewhere(sandbox, filter({ brand: "RSD" }))
    const read = await once("get_export_task", { asyncTaskId: id, waitSeconds: 0 })
    const confirmation = (read.structuredContent as { downloadConfirmation: string }).downloadConfirmation
    const downloaded = await once("download_export_file", { asyncTaskId: id, confirmation })
    expect(downloaded.isError, textOf(downloaded)).toBeFalsy()
    const replayed = await once("download_export_file", { asyncTaskId: id, overwrite: true, confirmation })
    expect(replayed.isError).toBe(true)
    expect(textOf(replayed)).toContain("already been used")
  })
})
