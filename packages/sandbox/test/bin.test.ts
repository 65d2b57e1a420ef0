import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"

const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url))

const run = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, ["--import", "tsx", bin, ...args], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, exited, out: () => stdout, err: () => stderr }
}

describe("booster-sandbox", () => {
  it("prints its base URL and demo key, serves, and stops cleanly on SIGTERM", async () => {
    const proc = run(["--task-duration-ms", "0", "--customers", "200", "--faults", "tasks:503"])
    await expect.poll(() => proc.out(), { timeout: 20_000, interval: 100 }).toContain("demo key:")
    const baseUrl = /base URL:\s+(\S+)/.exec(proc.out())![1]!
    const key = /demo key:\s+(\S+)/.exec(proc.out())![1]!
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const headers = { authorization: `Bearer ${key}` }
    expect((await fetch(`${baseUrl}/tasks`, { headers })).status).toBe(503)
    expect((await fetch(`${baseUrl}/tasks`, { headers })).status).toBe(200)
    proc.child.kill("SIGTERM")
    expect(await proc.exited).toBe(0)
    await expect(fetch(`${baseUrl}/tasks`, { headers })).rejects.toThrow()
  })

  it("takes the size of the other exports' data and lists an import task when asked", async () => {
    const proc = run([
      "--task-duration-ms",
      "0",
      "--records",
      "50",
      "--import-tasks",
      "--faults",
      "export-stock:503"
    ])
    await expect.poll(() => proc.out(), { timeout: 20_000, interval: 100 }).toContain("demo key:")
    const baseUrl = /base URL:\s+(\S+)/.exec(proc.out())![1]!
    const headers = {
      authorization: `Bearer ${/demo key:\s+(\S+)/.exec(proc.out())![1]!}`,
      "content-type": "application/json"
    }
    const tasks = (await (await fetch(`${baseUrl}/tasks`, { headers })).json()) as Array<{ type: string }>
    expect(tasks.map((task) => task.type)).toEqual(["import"])
    const body = JSON.stringify({ downloadRequestId: "bin-1", brand: "CAR" })
    expect((await fetch(`${baseUrl}/stock/CAR/export`, { method: "POST", headers, body })).status).toBe(503)
    const created = await fetch(`${baseUrl}/stock/CAR/export`, { method: "POST", headers, body })
    const { asyncTaskId } = (await created.json()) as { asyncTaskId: string }
    const task = (await (await fetch(`${baseUrl}/tasks/${asyncTaskId}`, { headers })).json()) as {
      totalResults: number
    }
    expect(task.totalResults).toBeGreaterThan(0)
    expect(task.totalResults).toBeLessThan(50)
    proc.child.kill("SIGTERM")
    expect(await proc.exited).toBe(0)
  })

  it("refuses a bad fault rule with exit code 2, naming the token", async () => {
    const proc = run(["--faults", "export:503,upload:500"])
    expect(await proc.exited).toBe(2)
    expect(proc.err()).toContain('"upload:500"')
    expect(proc.out()).toBe("")
  })
})
