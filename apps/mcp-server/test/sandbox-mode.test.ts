import { readFile } from "node:fs/promises"
import { afterEach, describe, expect, it } from "vitest"
import {
  type Connected,
  connectStdio,
  filter,
  readJournal,
  serverEnv,
  startWithConsent,
  tempDirs,
  V2_PINNED
} from "./harness.js"

let dirs: Awaited<ReturnType<typeof tempDirs>>
let server: Connected | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
  await dirs?.remove()
})

describe("--sandbox", () => {
  it("runs a whole export against the embedded simulator without credentials", async () => {
    dirs = await tempDirs()
    server = await connectStdio(["--sandbox"], serverEnv(dirs), V2_PINNED)
    const { client } = server
    const started = await startWithConsent(client, { ...filter(), purpose: "try-out" })
    expect(started.isError).toBeFalsy()
    const id = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
    const followed = await client.callTool(
      "get_export_task",
      { asyncTaskId: id, waitSeconds: 60 },
      { timeout: 90_000 }
    )
    expect(followed.structuredContent).toMatchObject({ statusKind: "completed", downloadReady: true })
    const downloaded = await client.callTool("download_export_file", { asyncTaskId: id })
    expect(downloaded.isError).toBeFalsy()
    const { path, bytes } = downloaded.structuredContent as { path: string; bytes: number }
    expect((await readFile(path)).length).toBe(bytes)
    const listed = await client.callTool("list_export_tasks", { status: "completed" })
    expect(
      (listed.structuredContent as { tasks: Array<{ asyncTaskId: string }> }).tasks[0]?.asyncTaskId
    ).toBe(id)
    // the start written down before it was sent (no task yet), the start, the download
    expect((await readJournal(dirs.journal)).map((entry) => entry.asyncTaskId)).toEqual(["", id, id])
  })
})
