import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { afterEach, describe, expect, it } from "vitest"
import { BIN, filter, sandboxEnv, serverEnv, startSandbox, tempDirs } from "./harness.js"

let child: ChildProcessWithoutNullStreams | undefined
let dirs: Awaited<ReturnType<typeof tempDirs>>

afterEach(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill("SIGTERM")
    await new Promise((resolve) => child!.once("exit", resolve))
  }
  child = undefined
  await dirs?.remove()
})

/** Spawns the server and returns a reader of the JSON lines it writes to stdout. */
const spawnRaw = async (args: ReadonlyArray<string> = [], extra: Record<string, string> = {}) => {
  dirs = await tempDirs()
  const proc = spawn(process.execPath, [BIN, ...args], { env: serverEnv(dirs, extra) })
  child = proc
  const lines: Array<unknown> = []
  const waiters: Array<() => void> = []
  let buffer = ""
  proc.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8")
    let newline = buffer.indexOf("\n")
    while (newline !== -1) {
      lines.push(JSON.parse(buffer.slice(0, newline)))
      buffer = buffer.slice(newline + 1)
      newline = buffer.indexOf("\n")
    }
    for (const wake of waiters.splice(0)) wake()
  })
  const next = async (): Promise<Record<string, unknown>> => {
    while (lines.length === 0) await new Promise<void>((resolve) => waiters.push(resolve))
    return lines.shift() as Record<string, unknown>
  }
  const send = (text: string) => proc.stdin.write(`${text}\n`)
  return { proc, next, send }
}

const initialize = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } }
})

describe("raw JSON-RPC over stdio", () => {
  it("answers a line that is not JSON with a parse error and keeps serving", async () => {
    const { next, send } = await spawnRaw()
    send("this is {not json")
    expect(await next()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } })
    send(initialize)
    expect(await next()).toMatchObject({ id: 1, result: { serverInfo: { name: "booster-mcp" } } })
    send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }))
    send(JSON.stringify({ jsonrpc: "2.0", id: 7, method: 42 }))
    expect(await next()).toMatchObject({ id: 7, error: { code: -32600 } })
    send(JSON.stringify({ jsonrpc: "2.0", id: 8, method: "no/such/method" }))
    expect(await next()).toMatchObject({ id: 8, error: { code: -32601 } })
    send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 9,
        method: "tools/call",
        params: { name: "preview_export", arguments: "jane.doe@example.com" }
      })
    )
    const invalidParams = await next()
    expect(invalidParams).toMatchObject({ id: 9, error: { code: expect.any(Number) } })
    expect(JSON.stringify(invalidParams)).not.toContain("jane.doe")
    send(JSON.stringify({ jsonrpc: "2.0", id: 10, method: "tools/list" }))
    const listed = await next()
    expect(listed).toMatchObject({ id: 10 })
    expect((listed.result as { tools: Array<unknown> }).tools).toHaveLength(8)
  })

  it("writes nothing but JSON-RPC to stdout, even with debug logging while calling the API", async () => {
    const sandbox = await startSandbox({ taskDurationMs: 0 })
    try {
      const { proc, next, send } = await spawnRaw([], { ...sandboxEnv(sandbox), BOOSTER_LOG: "debug" })
      let stderr = ""
      proc.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8")
      })
      send(initialize)
      await next()
      send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }))
      send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 20,
          method: "tools/call",
          params: { name: "preview_export", arguments: filter() }
        })
      )
      const previewed = await next()
      const { confirmation } = (previewed.result as { structuredContent: { confirmation: string } })
        .structuredContent
      send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 2,
          method: "tools/call",
          params: { name: "start_export", arguments: { ...filter(), confirmation } }
        })
      )
      const started = await next()
      expect(started).toMatchObject({ id: 2, result: { structuredContent: { reused: false } } })
      const id = (started.result as { structuredContent: { asyncTaskId: string } }).structuredContent
        .asyncTaskId
      send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 3,
          method: "tools/call",
          params: { name: "download_export_file", arguments: { asyncTaskId: id } }
        })
      )
      expect(await next()).toMatchObject({ id: 3, result: { structuredContent: { alreadyPresent: false } } })
      expect(stderr).toContain("download_export_file succeeded")
      expect(stderr).not.toContain(sandbox.apiKey)
      expect(stderr).not.toMatch(/signature=[0-9a-f]{8}/)
    } finally {
      await sandbox.close()
    }
  })

  it("exits when stdin closes", async () => {
    const { proc, send, next } = await spawnRaw()
    send(initialize)
    await next()
    proc.stdin.end()
    const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve))
    expect(code).toBe(0)
  })

  it("answers the calls it received before stdin closed, then exits", async () => {
    const { proc, send, next } = await spawnRaw()
    send(initialize)
    send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "preview_export", arguments: filter() }
      })
    )
    proc.stdin.end()
    expect(await next()).toMatchObject({ id: 1 })
    expect(await next()).toMatchObject({ id: 2, result: { structuredContent: { valid: true } } })
    const code = await new Promise<number | null>((resolve) =>
      proc.exitCode === null ? proc.once("exit", resolve) : resolve(proc.exitCode)
    )
    expect(code).toBe(0)
  })

  it("prints usage with --help", async () => {
    dirs = await tempDirs()
    const proc = spawn(process.execPath, [BIN, "--help"], { env: serverEnv(dirs) })
    child = proc
    let stdout = ""
    proc.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve))
    expect(code).toBe(0)
    expect(stdout).toMatchSnapshot()
  })

  it("refuses an unknown flag with usage on stderr and exit code 2", async () => {
    dirs = await tempDirs()
    const proc = spawn(process.execPath, [BIN, "--frobnicate"], { env: serverEnv(dirs) })
    child = proc
    let stderr = ""
    let stdout = ""
    proc.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    proc.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve))
    expect(code).toBe(2)
    expect(stderr).toContain("--frobnicate")
    expect(stderr).toContain("Usage: booster-mcp")
    expect(stdout).toBe("")
  })
})
