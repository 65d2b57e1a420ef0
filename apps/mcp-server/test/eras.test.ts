import type { Sandbox } from "@booster-export/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  type Connected,
  connectHttp,
  connectStdio,
  filter,
  sandboxEnv,
  serverEnv,
  startSandbox,
  tempDirs,
  V2_AUTO
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>>
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
})

describe.each([
  ["stdio", connectStdio],
  ["Streamable HTTP", connectHttp]
] as const)("a client negotiating the era (auto) over %s", (_, connect) => {
  it("lands on 2026-07-28 and uses the tools", async () => {
    dirs = await tempDirs()
    server = await connect([], serverEnv(dirs, sandboxEnv(sandbox)), V2_AUTO)
    const { client } = server
    expect(client.revision).toBe("2026-07-28")
    expect((await client.listTools()).tools).toHaveLength(8)
    const preview = await client.callTool("preview_export", filter())
    expect(preview.isError).toBeFalsy()
    expect(preview.structuredContent).toMatchObject({ valid: true })
  })
})
