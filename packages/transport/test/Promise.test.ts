import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ExportKind, Validation } from "@booster-export/core"
import { Sandbox } from "@booster-export/sandbox"
import { afterEach, describe, expect, it } from "vitest"
import { Auth, BoosterError, Promise as BoosterPromise } from "../src/index.js"
import { filter, testKey } from "./support.js"

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
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
    fingerprintKey: testKey
  })
  cleanups.push(
    () => sb.close(),
    () => client.close()
  )
  return { sb, client }
}

const everywhere = { brand: "CAR", posCodes: ["IT100", "FR100", "ES100", "DE100", "GB100", "US100"] }

const exportPaths = (sb: Sandbox.RunningSandbox) =>
  sb
    .requests()
    .filter((r) => r.origin === "api" && r.method === "POST")
    .map((r) => r.path)

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

  it("rejects with the Effect API's own error classes: one class per error, whichever API threw it", async () => {
    const { client } = await setup()
    const error = await client.getTask("0".repeat(32)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(BoosterPromise.NotFoundError).toBe(BoosterError.NotFoundError)
    expect(error).toBeInstanceOf(BoosterError.NotFoundError)
    expect(BoosterPromise.isClientError(error)).toBe(true)
    expect(BoosterError.isBoosterError(error)).toBe(true)
    expect(error).not.toBeInstanceOf(BoosterPromise.ValidationError)
    expect(error).toHaveProperty("_tag", "NotFoundError")
    expect(error).toHaveProperty("name", "NotFoundError")
    expect(error).toHaveProperty("status", 404)
    expect(error).toHaveProperty("hint", expect.any(String))
    // @ts-expect-error: posCodes is required; the filter is refused at run time as well
    const invalid = await client.startExport({ brand: "CAR" }).catch((e: unknown) => e)
    expect(BoosterPromise.ValidationError).toBe(Validation.ValidationError)
    expect(invalid).toBeInstanceOf(Validation.ValidationError)
    expect(invalid).toHaveProperty("_tag", "ValidationError")
    expect(invalid).toHaveProperty("hint", expect.any(String))
    expect(invalid).toHaveProperty("issues", [
      expect.objectContaining({ path: "posCodes", rule: "required" })
    ])
  })

  it("still answers instanceof for the deprecated BoosterError name, aborts and unexpected failures included", async () => {
    const { client } = await setup()
    const error = await client.getTask("0".repeat(32)).catch((e: unknown) => e)
    expect(error instanceof BoosterPromise.BoosterError).toBe(true)
    expect(
      new BoosterPromise.AbortError({ message: "stop", hint: "h" }) instanceof BoosterPromise.BoosterError
    ).toBe(true)
    expect(new Error("other") instanceof BoosterPromise.BoosterError).toBe(false)
    expect(BoosterPromise.fromEffectError(error as BoosterError.NotFoundError)).toBe(error)
  })

  it("starts an export of another kind, named or given as a value", async () => {
    const { client, sb } = await setup()
    const byName = await client.startExport("stock", { brand: "CAR" })
    const byValue = await client.startExport(ExportKind.Stock, { brand: "CAR" }, { downloadRequestId: "s-2" })
    expect(byValue.downloadRequestId).toBe("s-2")
    const types = sb.tasks().map((t) => [t.asyncTaskId, t.type])
    expect(types).toEqual([
      [byName.asyncTaskId, "stock"],
      [byValue.asyncTaskId, "stock"]
    ])
    // @ts-expect-error: "stocks" is no kind's name; refused at run time as well, nothing sent
    const unknown = await client.startExport("stocks", { brand: "CAR" }).catch((e: unknown) => e)
    expect(unknown).toHaveProperty("_tag", "ValidationError")
    expect(sb.tasksCreated()).toBe(2)
  })

  it("gives task dates in ISO-8601, the server's text kept as requestDateRaw", async () => {
    const { client } = await setup()
    const { asyncTaskId } = await client.startExport(filter)
    const task = await client.getTask(asyncTaskId)
    expect(task.requestDateRaw).toMatch(/^\/Date\(\d+-0000\)\/$/)
    expect(task.requestDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(Math.abs(Date.parse(task.requestDate ?? "") - Date.now())).toBeLessThan(60_000)
  })

  it("throws InvalidConfigError at once for unusable options", () => {
    expect(() => BoosterPromise.createClient({ baseUrl: "http://booster.example.com" })).toThrow(
      expect.objectContaining({ _tag: "InvalidConfigError", field: "baseUrl" })
    )
    expect(() => BoosterPromise.createClient({ baseUrl: "http://booster.example.com" })).toThrow(
      BoosterPromise.InvalidConfigError
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
    await expect(pending).rejects.toBeInstanceOf(BoosterPromise.AbortError)
    expect(BoosterPromise.isClientError(await pending.catch((e: unknown) => e))).toBe(true)
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

  it("exportToFile starts, follows and downloads into a folder it creates (0700), with rows and sha256", async () => {
    const { client, sb } = await setup({ taskDurationMs: 200, brands: ["CAR"] })
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "booster-promise-"))
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
    const seen: Array<string> = []
    const result = await client.exportToFile(everywhere, path.join(dir, "exports", "today") + path.sep, {
      onProgress: (progress) => seen.push(progress.statusKind)
    })
    expect(seen[seen.length - 1]).toBe("completed")
    expect(path.dirname(result.path)).toBe(path.join(dir, "exports", "today"))
    expect(fs.statSync(path.join(dir, "exports")).mode & 0o777).toBe(0o700)
    expect(fs.statSync(path.join(dir, "exports", "today")).mode & 0o777).toBe(0o700)
    const bytes = fs.readFileSync(result.path)
    expect(result.bytes).toBe(bytes.length)
    expect(result.sha256).toBe(createHash("sha256").update(bytes).digest("hex"))
    const records = bytes.toString("utf8").trimEnd().split("\r\n").length - 1
    expect(result.rows).toBe(records)
    expect(result.rows).toBeGreaterThan(0)
    expect(sb.tasksCreated()).toBe(1)
    expect(result.asyncTaskId).toBe(sb.tasks()[0]?.asyncTaskId)
  })

  // a kind known only at run time takes its filter unchecked by the compiler (validated at run time)
  for (const kind of [ExportKind.Stock, ExportKind.SellOut] as ReadonlyArray<ExportKind.Any>) {
    it(`exportToFile("${kind.name}", …) downloads that kind's file`, async () => {
      const { client, sb } = await setup({ records: { stock: 40, "sell-out": 40 } })
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "booster-promise-"))
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
      const result = await client.exportToFile(kind, everywhere, dir + path.sep)
      expect(result.rows).toBeGreaterThan(0)
      expect(fs.statSync(result.path).size).toBe(result.bytes)
      expect(sb.tasks().map((t) => t.type)).toEqual([Sandbox.TASK_TYPES[kind.name as ExportKind.Name]])
      expect(exportPaths(sb)).toEqual([kind.path.replace("{brand}", "CAR")])
    })
  }

  it("dryRun of each kind shows that kind's route and a fingerprint of its own", async () => {
    const { client, sb } = await setup()
    const prints = new Set<string>()
    for (const kind of ExportKind.all) {
      const dry = await client.dryRun(kind, filter, { downloadRequestId: "d-1" })
      expect(dry.url).toBe(`${sb.baseUrl}${kind.path.replace("{brand}", "CAR")}`)
      prints.add(dry.fingerprint)
    }
    expect(prints.size).toBe(ExportKind.all.length)
    expect(sb.requests()).toHaveLength(0)
  })

  it("exportToFile rejects with a ValidationError naming the field, and sends nothing", async () => {
    const { client, sb } = await setup()
    const error = await client
      .exportToFile({ brand: "CAR", posCodes: ["P001"], email: "not-an-email" }, os.tmpdir())
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BoosterPromise.ValidationError)
    expect(error).toHaveProperty("issues", [expect.objectContaining({ path: "email" })])
    expect(String((error as Error).message)).not.toContain("not-an-email")
    expect(sb.requests()).toHaveLength(0)
  })

  it("validate answers ok with the normalised filter, or the issues, without throwing", () => {
    const good = BoosterPromise.validate({
      brand: " CAR ",
      posCodes: ["P001", "P001"],
      email: "Ann@Example.com"
    })
    expect(good).toEqual({ ok: true, filter: { brand: "CAR", posCodes: ["P001"], email: "ann@example.com" } })
    const bad = BoosterPromise.validate({ brand: "CAR", posCode: ["P001"] })
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.issues.map((issue) => issue.path)).toEqual(["posCodes", "posCode"])
      expect(bad.issues[1]?.message).toContain("posCodes")
    }
    expect(BoosterPromise.validate("CAR")).toMatchObject({ ok: false })
  })

  it("takes credentials as plain strings: an API key (in a header) or OAuth2 client credentials", async () => {
    const sb = await Sandbox.start({ customers: 50, taskDurationMs: 0 })
    cleanups.push(() => sb.close())
    const byHeader = BoosterPromise.createClient({
      baseUrl: sb.baseUrl,
      apiKey: sb.apiKey,
      apiKeyHeader: "X-Api-Key"
    })
    const byOAuth2 = BoosterPromise.createClient({
      baseUrl: sb.baseUrl,
      oauth2: { tokenUrl: sb.tokenUrl, clientId: "reports", clientSecret: sb.apiKey }
    })
    const wrong = BoosterPromise.createClient({ baseUrl: sb.baseUrl, apiKey: "wrong-key" })
    cleanups.push(
      () => byHeader.close(),
      () => byOAuth2.close(),
      () => wrong.close()
    )
    expect(await byHeader.listTasks()).toEqual([])
    expect(await byOAuth2.listTasks()).toEqual([])
    await expect(wrong.listTasks()).rejects.toBeInstanceOf(BoosterPromise.AuthenticationError)
    const dry = await byHeader.dryRun(filter)
    expect(dry.headers["x-api-key"]).toBe("<redacted>")
    expect(JSON.stringify(dry)).not.toContain(sb.apiKey)
    expect(() =>
      BoosterPromise.createClient({
        baseUrl: sb.baseUrl,
        apiKey: "k",
        basic: { username: "u", password: "p" }
      })
    ).toThrow(expect.objectContaining({ _tag: "InvalidConfigError", field: "apiKey,basic" }))
  })

  it("a misspelt filter field or a wrong type is a compile error", async () => {
    const { client } = await setup()
    // @ts-expect-error: posCode is not a field (posCodes is)
    const misspelt = client.dryRun({ brand: "CAR", posCode: ["P001"] })
    await expect(misspelt).rejects.toBeInstanceOf(BoosterPromise.ValidationError)
    // @ts-expect-error: clientSpendingFrom is a number
    const wrongType = client.dryRun({ brand: "CAR", posCodes: ["P001"], clientSpendingFrom: "100" })
    await expect(wrongType).rejects.toBeInstanceOf(BoosterPromise.ValidationError)
    // @ts-expect-error: a customer field is not a stock field
    const otherKind = client.dryRun(ExportKind.Stock, { brand: "CAR", email: "a@b.c" })
    await expect(otherKind).rejects.toBeInstanceOf(BoosterPromise.ValidationError)
    // @ts-expect-error: movements need posCodes
    const missing = client.dryRun("movements", { brand: "CAR" })
    await expect(missing).rejects.toBeInstanceOf(BoosterPromise.ValidationError)
  })
})
