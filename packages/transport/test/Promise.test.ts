import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { afterEach, describe, expect, it } from "vitest"
import { Auth, BoosterError, Promise as BoosterPromise } from "../src/index.js"
import { filter } from "./support.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const setup = async (options: Sandbox.SandboxOptions = {}) => {
  const sb = await Sandbox.start({ customers: 200, taskDurationMs: 0, ...options })
  const client = BoosterPromise.createClient({
    baseUrl: sb.baseUrl,
    auth: Auth.bearer(sb.apiKey),
    poll: { initialMs: 10, maxMs: 50 },
    retry: { initialDelayMs: 1, maxDelayMs: 5 }
  })
  cleanups.push(
    () => sb.close(),
    () => client.close()
  )
  return { sb, client }
}

describe("Promise facade", () => {
  it("starts, follows and downloads an export", async () => {
    const { client, sb } = await setup({ taskDurationMs: 200 })
    const started = await client.startExport(filter, { downloadRequestId: "p-1" })
    expect(started.downloadRequestId).toBe("p-1")
    const statuses: Array<string> = []
    for await (const progress of client.followTask(started.asyncTaskId)) statuses.push(progress.statusKind)
    expect(statuses[statuses.length - 1]).toBe("completed")
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "booster-promise-"))
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
    const file = await client.download(started.asyncTaskId, path.join(dir, "x.csv"))
    expect(fs.statSync(file.path).size).toBe(file.bytes)
    expect((await client.listTasks()).map((t) => t.asyncTaskId)).toEqual([started.asyncTaskId])
    expect((await client.getTask(started.asyncTaskId)).status).toBe("COM")
    expect(sb.tasksCreated()).toBe(1)
  })

  it("rejects with Error subclasses carrying the Effect error's _tag", async () => {
    const { client } = await setup()
    const error = await client.getTask("0".repeat(32)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(error).toBeInstanceOf(BoosterError.NotFoundError)
    expect(error).toHaveProperty("_tag", "NotFoundError")
    expect(error).toHaveProperty("status", 404)
    const invalid = await client.startExport({ brand: "CAR" }).catch((e: unknown) => e)
    expect(invalid).toHaveProperty("_tag", "ValidationError")
    expect(invalid).toHaveProperty("issues", [
      expect.objectContaining({ path: "posCodes", rule: "required" })
    ])
  })

  it("throws InvalidConfigError at once for unusable options", () => {
    expect(() => BoosterPromise.createClient({ baseUrl: "http://booster.example.com" })).toThrow(
      expect.objectContaining({ _tag: "InvalidConfigError", field: "baseUrl" })
    )
  })

  it("an AbortSignal stops a call waiting in a retry sleep at once", async () => {
    const { client, sb } = await setup()
    sb.faults.script("tasks", [{ kind: "status", status: 503, retryAfterSeconds: 30 }])
    const controller = new AbortController()
    const pending = client.listTasks({ signal: controller.signal })
    while (sb.requests().length === 0) await new Promise((r) => setTimeout(r, 5))
    const abortedAt = Date.now()
    controller.abort()
    await expect(pending).rejects.toHaveProperty("name", "AbortError")
    expect(Date.now() - abortedAt).toBeLessThan(2_000)
    expect(sb.requests()).toHaveLength(1)
  })

  it("an AbortSignal ends a followTask iteration", async () => {
    const { client } = await setup({ taskDurationMs: 60_000 })
    const { asyncTaskId } = await client.startExport(filter)
    const controller = new AbortController()
    const seen: Array<number> = []
    const iterate = (async () => {
      for await (const progress of client.followTask(asyncTaskId, { signal: controller.signal })) {
        seen.push(progress.percentage)
        controller.abort()
      }
    })()
    await expect(iterate).rejects.toHaveProperty("name", "AbortError")
    expect(seen).toHaveLength(1)
  })

  it("dryRun shows the request with secrets redacted and sends nothing", async () => {
    const { client, sb } = await setup()
    const dry = await client.dryRun({ ...filter, email: "Ann@Example.com" }, { downloadRequestId: "d-1" })
    expect(dry.method).toBe("POST")
    expect(dry.url).toBe(`${sb.baseUrl}/customer/CAR/export`)
    expect(dry.headers.authorization).toBe("<redacted>")
    expect(dry.body).toEqual({
      downloadRequestId: "d-1",
      brand: "CAR",
      posCodes: ["P001"],
      email: "ann@example.com"
    })
    expect(JSON.stringify(dry)).not.toContain(sb.apiKey)
    expect(sb.requests()).toHaveLength(0)
  })
})
