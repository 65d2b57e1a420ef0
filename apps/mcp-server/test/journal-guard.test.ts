import { mkdir, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Journal from "@booster-export/journal/Journal"
import type { Sandbox } from "@booster-export/sandbox"
import { Effect } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  type Connected,
  connectStdio,
  filter,
  sandboxEnv,
  serverEnv,
  startSandbox,
  startWithConsent,
  tempDirs,
  textOf
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
let server: Connected | undefined

beforeAll(async () => {
  sandbox = await startSandbox()
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  await server?.close()
  server = undefined
  await dirs?.remove()
  dirs = undefined
})

/** Export requests the sandbox received. */
const exportPosts = () =>
  sandbox.requests().filter((r) => r.method === "POST" && /^\/customer\/[^/]+\/export/.test(r.path)).length

describe("start_export where the local journal cannot be written", () => {
  it("answers a tool error naming the journal and ENOSPC, creates nothing, and force does not bypass it", async () => {
    dirs = await tempDirs()
    await mkdir(join(dirs.stateHome, "booster-export"), { recursive: true, mode: 0o700 })
    // every write to /dev/full fails with ENOSPC, for root too
    await symlink("/dev/full", dirs.journal)
    server = await connectStdio([], serverEnv(dirs, sandboxEnv(sandbox)))
    const before = exportPosts()
    const created = sandbox.tasksCreated()
    for (const args of [filter({ brand: "CNS" }), { ...filter({ brand: "CNS" }), force: true }]) {
      const result = await startWithConsent(server.client, args)
      expect(result.isError).toBe(true)
      expect(textOf(result)).toContain(dirs.journal)
      expect(textOf(result)).toContain("ENOSPC")
      expect(textOf(result)).toContain("Nothing was sent")
    }
    expect(exportPosts()).toBe(before)
    expect(sandbox.tasksCreated()).toBe(created)
  })

  it("answers a tool error naming the key file and ENOTDIR when the state folder cannot be created", async () => {
    dirs = await tempDirs()
    // the state home is a file: nothing can be created under it, for root too
    await writeFile(dirs.stateHome, "")
    server = await connectStdio([], serverEnv(dirs, sandboxEnv(sandbox)))
    const before = exportPosts()
    const result = await startWithConsent(server.client, filter({ brand: "VCA" }))
    expect(result.isError).toBe(true)
    expect(textOf(result)).toContain(join(dirs.stateHome, "booster-export", "fingerprint.key"))
    expect(textOf(result)).toContain("ENOTDIR")
    expect(textOf(result)).toContain("Nothing was sent")
    expect(exportPosts()).toBe(before)
  })
})

describe("start_export and a recent start whose task the API does not know", () => {
  it("returns that start instead of exporting the same filter again; force: true starts anew", async () => {
    dirs = await tempDirs()
    const args = filter({ brand: "JDC" })
    server = await connectStdio([], serverEnv(dirs, sandboxEnv(sandbox)))
    const preview = await server.client.callTool("preview_export", args)
    const { fingerprint } = preview.structuredContent as { fingerprint: string }
    // a start of this filter another program recorded, whose task this API does not know
    const unknown = "0123456789abcdef0123456789abcdef"
    await Effect.runPromise(
      Journal.make(join(dirs.stateHome, "booster-export")).append({
        source: "cli",
        event: "started",
        asyncTaskId: unknown,
        fingerprint,
        host: new URL(sandbox.baseUrl).host
      })
    )
    const before = exportPosts()
    const again = await startWithConsent(server.client, args)
    expect(again.structuredContent).toMatchObject({ asyncTaskId: unknown, reused: true })
    expect(exportPosts()).toBe(before)
    const forced = await startWithConsent(server.client, { ...args, force: true })
    expect(forced.structuredContent).toMatchObject({ reused: false })
    expect(exportPosts()).toBe(before + 1)
  })
})
