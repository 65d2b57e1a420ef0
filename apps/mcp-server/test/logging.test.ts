/**
 * What the server writes on stderr: quiet at the default level (`warn`), nothing but real problems;
 * a client giving up on a call is a cancellation, never an unexpected failure.
 */
import { spawn } from "node:child_process"
import { createServer } from "node:net"
import type { Sandbox } from "@booster-export/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  BIN,
  type Connected,
  connectStdio,
  filter,
  sandboxEnv,
  serverEnv,
  startHttp,
  startSandbox,
  startWithConsent,
  tempDirs
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
let server: Connected | undefined
const stops: Array<() => Promise<void>> = []

beforeAll(async () => {
  // tasks that run for ten minutes: a follow always outlasts the client's patience
  sandbox = await startSandbox({ taskDurationMs: 10 * 60_000 })
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  await server?.close()
  server = undefined
  for (const stop of stops.splice(0)) await stop()
  await dirs?.remove()
  dirs = undefined
})

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer()
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

describe("stderr", () => {
  it("logs a client that gives up on get_export_task mid-wait as a cancellation, not as a failure", async () => {
    dirs = await tempDirs()
    server = await connectStdio([], serverEnv(dirs, { ...sandboxEnv(sandbox), BOOSTER_LOG: "info" }))
    const started = await startWithConsent(server.client, filter({ brand: "LGC" }))
    const { asyncTaskId } = started.structuredContent as { asyncTaskId: string }
    await expect(
      server.client.callTool("get_export_task", { asyncTaskId, waitSeconds: 30 }, { timeout: 1_500 })
    ).rejects.toThrow()
    await expect
      .poll(() => server!.stderr(), { timeout: 10_000 })
      .toContain("get_export_task cancelled by the client")
    expect(server.stderr()).not.toContain("failed unexpectedly")
    expect(server.stderr()).not.toContain("FiberFailure")
    await expect(server.client.alive()).resolves.toBeUndefined()
  })

  it("says nothing when it starts at the default level, and where it listens at info", async () => {
    dirs = await tempDirs()
    const port = await freePort()
    const child = spawn(process.execPath, [BIN, "--http", "--port", String(port)], { env: serverEnv(dirs) })
    stops.push(async () => {
      if (child.exitCode !== null) return
      child.kill("SIGTERM")
      await new Promise((resolve) => child.once("exit", resolve))
    })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    // it is up once it answers
    await expect
      .poll(
        () =>
          fetch(`http://127.0.0.1:${port}/mcp`, { method: "GET" }).then(
            (response) => response.status,
            () => 0
          ),
        { timeout: 15_000, interval: 100 }
      )
      .toBeGreaterThan(0)
    expect(stderr).toBe("")

    const verbose = await startHttp([], serverEnv(dirs, { BOOSTER_LOG: "info" }))
    stops.push(verbose.stop)
    expect(verbose.stderr()).toMatch(/^booster-mcp info: listening on http:\/\/127\.0\.0\.1:\d+\/mcp\n$/)
  })
})
