import { createHash } from "node:crypto"
import { Task } from "@booster-export/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { afterAll, beforeAll } from "vitest"
import { Csv, Sandbox } from "../src/index.js"
import { auth, download, get, post, requestId, runExport, type TaskJson } from "./support.js"

const filter = { brand: "CAR", posCodes: ["IT100", "FR200"] }

describe("Sandbox routes", () => {
  let sb: Sandbox.RunningSandbox
  beforeAll(async () => {
    sb = await Sandbox.start({ taskDurationMs: 0, customers: 2000 })
  })
  afterAll(() => sb.close())

  it("listens on loopback ephemeral ports, API and storage on different origins", () => {
    expect(sb.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(sb.storageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(sb.storageUrl).not.toBe(sb.baseUrl)
    expect(sb.apiKey).toBe(Sandbox.DEFAULT_API_KEY)
  })

  it("creates an export task, shows it, and serves its CSV at the signed URL", async () => {
    const before = sb.tasksCreated()
    const created = await post(sb, { downloadRequestId: requestId(), ...filter })
    expect(created.status).toBe(200)
    expect(created.headers.get("content-type")).toMatch(/^application\/json/)
    const { asyncTaskId } = created.json as { asyncTaskId: string }
    expect(Task.isGuid(asyncTaskId)).toBe(true)
    expect(sb.tasksCreated()).toBe(before + 1)

    const shown = await get(sb, `/tasks/${asyncTaskId}`)
    expect(shown.status).toBe(200)
    const task = Schema.decodeUnknownSync(Task.Task)(shown.json)
    expect(task).toMatchObject({ asyncTaskId, type: "crm", status: "COM", percentage: 100, brand: "CAR" })
    expect(task.requestDateRaw).toMatch(/^\/Date\(\d+-0000\)\/$/)
    expect(task.requestDate).toBe(Task.parseApiDate(task.requestDateRaw)?.toISOString())
    expect(task.signedDownloadUrl?.startsWith(`${sb.storageUrl}/files/${asyncTaskId}.csv?expires=`)).toBe(
      true
    )
    expect(task.totalResults).toBeGreaterThan(0)
    expect(task.totalSucceeded).toBe(task.totalResults)
    expect(task.totalFailed).toBe(0)

    const file = await download(task.signedDownloadUrl!)
    expect(file.status).toBe(200)
    expect(file.headers.get("content-type")).toBe("text/csv; charset=utf-8")
    expect(Number(file.headers.get("content-length"))).toBe(Buffer.byteLength(file.text))
    const [header, ...rows] = Csv.parse(file.text)
    expect(header).toEqual(Csv.columns)
    expect(rows).toHaveLength(task.totalResults!)
    expect(rows.every((row) => row[2] === "CAR" && ["IT100", "FR200"].includes(row[3]!))).toBe(true)
  })

  it("accepts task ids with dashes and braces, and answers 404 for unknown ids", async () => {
    const { asyncTaskId } = (await post(sb, { downloadRequestId: requestId(), ...filter })).json as {
      asyncTaskId: string
    }
    const dashed = asyncTaskId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "{$1-$2-$3-$4-$5}").toUpperCase()
    expect((await get(sb, `/tasks/${encodeURIComponent(dashed)}`)).status).toBe(200)
    const missing = await get(sb, `/tasks/${"0".repeat(32)}`)
    expect(missing.status).toBe(404)
    expect(missing.json).toEqual({
      responseStatus: { errorCode: "NotFound", message: "No such task.", errors: [] }
    })
    expect((await get(sb, "/tasks/not-a-guid")).status).toBe(404)
  })

  it("lists the caller's tasks", async () => {
    const list = await get(sb, "/tasks")
    expect(list.status).toBe(200)
    const tasks = Schema.decodeUnknownSync(Task.TaskList)(list.json)
    expect(tasks.length).toBe(sb.tasksCreated())
    expect(tasks.map((t) => t.asyncTaskId).sort()).toEqual(
      sb
        .tasks()
        .map((t) => t.asyncTaskId)
        .sort()
    )
  })

  it("answers unknown routes and wrong methods in ServiceStack's error shape", async () => {
    const unknown = await get(sb, "/customers")
    expect(unknown.status).toBe(404)
    expect(unknown.json).toMatchObject({ responseStatus: { errorCode: "NotFound" } })
    const wrong = await get(sb, "/customer/CAR/export")
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get("allow")).toBe("POST")
  })

  it("reports every validation problem at once, field and rule, never the values", async () => {
    const secret = "Private.Person@Example.com,,"
    const reply = await post(sb, {
      brand: "CAR",
      posCodes: [],
      email: secret,
      clientSpendingFrom: 500,
      clientSpendingTo: 100,
      interests: [{ interest: "Watches" }],
      birthdateMonths: [13],
      poscode: ["IT100"]
    })
    expect(reply.status).toBe(400)
    const body = reply.json as {
      responseStatus: { errorCode: string; message: string; errors: Array<Record<string, string>> }
    }
    expect(body.responseStatus.errorCode).toBe("ValidationException")
    expect(body.responseStatus.errors).toEqual(
      expect.arrayContaining([
        { errorCode: "required", fieldName: "downloadRequestId", message: "is required" },
        { errorCode: "non-empty-list", fieldName: "posCodes", message: "must list at least one value" },
        { errorCode: "email", fieldName: "email", message: "must be a valid email address" },
        { errorCode: "required", fieldName: "interests[0].sapInterestId", message: "is required" },
        expect.objectContaining({ errorCode: "month", fieldName: "birthdateMonths[0]" }),
        expect.objectContaining({ errorCode: "range-order", fieldName: "clientSpendingTo" }),
        expect.objectContaining({ errorCode: "unknown-field", fieldName: "poscode" })
      ])
    )
    expect(body.responseStatus.errors).toHaveLength(7)
    expect(reply.text.toLowerCase()).not.toContain("private.person")
    expect(sb.requests().some((r) => JSON.stringify(r).toLowerCase().includes("private.person"))).toBe(false)
  })

  it("refuses invalid JSON and a body brand that differs from the route's", async () => {
    const broken = await post(sb, "{not json", { brand: "CAR" })
    expect(broken.status).toBe(400)
    expect(broken.json).toMatchObject({ responseStatus: { errorCode: "SerializationException" } })
    const mismatch = await post(sb, { downloadRequestId: requestId(), ...filter }, { brand: "IWC" })
    expect(mismatch.status).toBe(400)
    expect(mismatch.json).toMatchObject({
      responseStatus: { errors: [{ errorCode: "brand-mismatch", fieldName: "brand" }] }
    })
    const sameIgnoringCase = await post(sb, { downloadRequestId: requestId(), ...filter }, { brand: "car" })
    expect(sameIgnoringCase.status).toBe(200)
  })

  it("reads ServiceStack's /Date(ms)/ dates like ISO dates", async () => {
    const iso = await runExport(sb, {
      ...filter,
      creationDateFrom: "2019-01-01",
      creationDateTo: "2020-06-30"
    })
    const wcf = await runExport(sb, {
      ...filter,
      creationDateFrom: `/Date(${Date.UTC(2019, 0, 1)})/`,
      creationDateTo: `/Date(${Date.UTC(2020, 5, 30)}-0000)/`
    })
    expect(wcf.task.totalResults).toBe(iso.task.totalResults)
    expect(iso.task.totalResults).toBeGreaterThan(0)
  })

  it("records every request with secrets redacted, body hash and retry count", async () => {
    const body = JSON.stringify({ downloadRequestId: requestId(), ...filter })
    const start = sb.requests().length
    const created = await post(sb, body, {
      headers: { authorization: `Bearer ${sb.apiKey}`, "x-booster-retry-count": "2" }
    })
    const task = (
      await get(sb, `/tasks/${(created.json as { asyncTaskId: string }).asyncTaskId}`, {
        "x-api-key": sb.apiKey
      })
    ).json as TaskJson
    await download(task.signedDownloadUrl!)
    const [exported, shown, fetched] = sb.requests().slice(start)
    expect(exported).toMatchObject({
      origin: "api",
      method: "POST",
      path: "/customer/CAR/export",
      status: 200,
      carriedCredentials: true,
      retryCount: 2,
      bodySha256: createHash("sha256").update(body).digest("hex")
    })
    expect(exported!.headers.authorization).toBe("<redacted>")
    expect(shown).toMatchObject({ origin: "api", method: "GET", status: 200, carriedCredentials: true })
    expect(shown!.headers["x-api-key"]).toBe("<redacted>")
    expect(fetched).toMatchObject({
      origin: "storage",
      method: "GET",
      status: 200,
      carriedCredentials: false
    })
    expect(fetched!.path).toMatch(/signature=<redacted>$/)
    expect(JSON.stringify(sb.requests())).not.toContain(sb.apiKey)
    expect(JSON.stringify(sb.requests())).not.toContain(
      new URL(task.signedDownloadUrl!).searchParams.get("signature")
    )
  })
})

describe("Sandbox auth", () => {
  let sb: Sandbox.RunningSandbox
  beforeAll(async () => {
    sb = await Sandbox.start({
      taskDurationMs: 0,
      customers: 500,
      apiKeyHeader: "X-Booster-Key",
      keys: [{ key: "key-all" }, { key: "key-iwc", brands: ["iwc"], posCodes: ["IT100", "IT200"] }]
    })
  })
  afterAll(() => sb.close())
  const body = (brand: string, posCodes: Array<string>) => ({
    downloadRequestId: requestId(),
    brand,
    posCodes
  })

  it("answers 401 without a key or with a wrong one, and creates nothing", async () => {
    const none = await post(sb, body("CAR", ["IT100"]), { headers: {} })
    expect(none.status).toBe(401)
    expect(none.json).toMatchObject({ responseStatus: { errorCode: "Unauthorized" } })
    expect(
      (await post(sb, body("CAR", ["IT100"]), { headers: { authorization: "Bearer nope" } })).status
    ).toBe(401)
    expect(
      (await post(sb, body("CAR", ["IT100"]), { headers: { authorization: "Basic a2V5LWFsbA==" } })).status
    ).toBe(401)
    expect((await get(sb, "/tasks", { "x-booster-key": "nope" })).status).toBe(401)
    expect((await get(sb, "/tasks", { "x-api-key": "key-all" })).status).toBe(401)
    expect(sb.tasksCreated()).toBe(0)
  })

  it("accepts a bearer token or the configured header", async () => {
    expect(sb.apiKey).toBe("key-all")
    expect(
      (await post(sb, body("CAR", ["IT100"]), { headers: { authorization: "Bearer key-all" } })).status
    ).toBe(200)
    expect((await post(sb, body("CAR", ["IT100"]), { headers: { "x-booster-key": "key-all" } })).status).toBe(
      200
    )
  })

  it("issues OAuth2 client-credentials tokens for its keys: the token is a key, a wrong secret is refused", async () => {
    expect(sb.tokenUrl).toBe(`${sb.baseUrl}/oauth/token`)
    const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(sb.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(form)
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }))
    const issued = await token({
      grant_type: "client_credentials",
      client_id: "crm",
      client_secret: "key-iwc"
    })
    expect(issued).toEqual({
      status: 200,
      json: { access_token: "key-iwc", token_type: "Bearer", expires_in: 3600 }
    })
    const viaBasic = await token(
      { grant_type: "client_credentials" },
      { authorization: `Basic ${Buffer.from("crm:key-all").toString("base64")}` }
    )
    expect(viaBasic.json.access_token).toBe("key-all")
    expect(
      await token({ grant_type: "client_credentials", client_id: "crm", client_secret: "nope" })
    ).toEqual({
      status: 401,
      json: { error: "invalid_client" }
    })
    expect((await token({ grant_type: "password", client_secret: "key-all" })).status).toBe(400)
    const recorded = sb.requests().filter((r) => r.path === "/oauth/token")
    expect(recorded.map((r) => r.status)).toEqual([200, 200, 401, 400])
    expect(JSON.stringify(recorded)).not.toContain("key-all")
  })

  it("answers 403 for a brand or a POS code the key may not use", async () => {
    const headers = { authorization: "Bearer key-iwc" }
    const brand = await post(sb, body("CAR", ["IT100"]), { headers })
    expect(brand.status).toBe(403)
    expect(brand.json).toMatchObject({
      responseStatus: {
        errorCode: "Forbidden",
        errors: [{ errorCode: "forbidden-brand", fieldName: "brand" }]
      }
    })
    const pos = await post(sb, body("IWC", ["it100", "FR100"]), { headers })
    expect(pos.status).toBe(403)
    expect(pos.json).toMatchObject({
      responseStatus: { errors: [{ errorCode: "forbidden-pos", fieldName: "posCodes[1]" }] }
    })
    expect((await post(sb, body("IWC", ["it100", "IT200"]), { headers })).status).toBe(200)
  })

  it("keeps tasks to the key that created them", async () => {
    const mine = await post(sb, body("IWC", ["IT100"]), { headers: { authorization: "Bearer key-iwc" } })
    const id = (mine.json as { asyncTaskId: string }).asyncTaskId
    expect((await get(sb, `/tasks/${id}`, { authorization: "Bearer key-iwc" })).status).toBe(200)
    expect((await get(sb, `/tasks/${id}`, { authorization: "Bearer key-all" })).status).toBe(404)
    const others = (await get(sb, "/tasks", { authorization: "Bearer key-all" })).json as Array<TaskJson>
    expect(others.map((t) => t.asyncTaskId)).not.toContain(id)
    const own = (await get(sb, "/tasks", { authorization: "Bearer key-iwc" })).json as Array<TaskJson>
    expect(own.map((t) => t.brand)).toEqual(own.map(() => "IWC"))
    expect(own.map((t) => t.asyncTaskId)).toContain(id)
  })
})

describe("Sandbox storage origin", () => {
  let clock = Date.UTC(2026, 0, 1)
  let sb: Sandbox.RunningSandbox
  beforeAll(async () => {
    sb = await Sandbox.start({ taskDurationMs: 0, customers: 300, signedUrlTtlMs: 10_000, now: () => clock })
  })
  afterAll(() => sb.close())

  const completed = async (): Promise<TaskJson> => {
    const created = await post(sb, { downloadRequestId: requestId(), brand: "JLC", posCodes: ["IT100"] })
    return (await get(sb, `/tasks/${(created.json as { asyncTaskId: string }).asyncTaskId}`)).json as TaskJson
  }

  it("refuses a missing, wrong or tampered signature with 403", async () => {
    const task = await completed()
    const signed = new URL(task.signedDownloadUrl!)
    expect((await download(task.downloadUrl!)).status).toBe(403)
    const tampered = new URL(signed)
    tampered.searchParams.set("signature", "0".repeat(64))
    const wrong = await download(tampered.toString())
    expect(wrong.status).toBe(403)
    expect(wrong.text).toContain("SignatureDoesNotMatch")
    const later = new URL(signed)
    later.searchParams.set("expires", String(Number(signed.searchParams.get("expires")) + 60_000))
    expect((await download(later.toString())).status).toBe(403)
    expect((await download(task.signedDownloadUrl!)).status).toBe(200)
  })

  it("expires signed URLs after their lifetime and hands out a fresh one", async () => {
    const task = await completed()
    const again = (await get(sb, `/tasks/${task.asyncTaskId}`)).json as TaskJson
    expect(again.signedDownloadUrl).toBe(task.signedDownloadUrl)
    clock += 6_000
    const fresh = (await get(sb, `/tasks/${task.asyncTaskId}`)).json as TaskJson
    expect(fresh.signedDownloadUrl).not.toBe(task.signedDownloadUrl)
    expect((await download(task.signedDownloadUrl!)).status).toBe(200)
    clock += 4_001
    const expired = await download(task.signedDownloadUrl!)
    expect(expired.status).toBe(403)
    expect(expired.text).toContain("Request has expired")
    expect((await download(fresh.signedDownloadUrl!)).status).toBe(200)
  })

  it("never needs credentials, refuses an Authorization header and records any credential", async () => {
    const task = await completed()
    const start = sb.requests().length
    const leaked = await download(task.signedDownloadUrl!, { authorization: `Bearer ${sb.apiKey}` })
    expect(leaked.status).toBe(400)
    expect(leaked.text).toContain("InvalidArgument")
    await download(task.signedDownloadUrl!, { "x-api-key": sb.apiKey })
    await download(task.signedDownloadUrl!)
    expect(
      sb
        .requests()
        .slice(start)
        .map((r) => [r.origin, r.carriedCredentials])
    ).toEqual([
      ["storage", true],
      ["storage", true],
      ["storage", false]
    ])
  })
})

describe("Sandbox task lifecycle", () => {
  it("goes REQ → INP with a rising percentage → COM over the configured duration", async () => {
    let clock = 1_000_000
    const sb = await Sandbox.start({ taskDurationMs: 10_000, customers: 300, now: () => clock })
    try {
      const created = await post(sb, { downloadRequestId: requestId(), ...filter })
      const id = (created.json as { asyncTaskId: string }).asyncTaskId
      const seen: Array<[string, number]> = []
      for (const step of [0, 500, 1000, 3000, 5000, 9999, 10_000, 20_000]) {
        clock = 1_000_000 + step
        const task = (await get(sb, `/tasks/${id}`)).json as TaskJson
        seen.push([task.status, task.percentage])
        if (task.status !== "COM") {
          expect(task.signedDownloadUrl).toBeUndefined()
          expect(task.totalResults).toBeUndefined()
        } else expect(task.totalResults).toBeGreaterThan(0)
      }
      expect(seen).toEqual([
        ["REQ", 0],
        ["REQ", 0],
        ["INP", 10],
        ["INP", 30],
        ["INP", 50],
        ["INP", 99],
        ["COM", 100],
        ["COM", 100]
      ])
    } finally {
      await sb.close()
    }
  })

  it("completes a million-scale scan in the background while staying responsive", async () => {
    const sb = await Sandbox.start({ taskDurationMs: 0, customers: 120_000, seed: 9 })
    try {
      const created = await post(sb, {
        downloadRequestId: requestId(),
        brand: "VCA",
        posCodes: ["JP100", "CH300"]
      })
      const id = (created.json as { asyncTaskId: string }).asyncTaskId
      const statuses = new Set<string>()
      let task = (await get(sb, `/tasks/${id}`)).json as TaskJson
      while (task.status !== "COM") {
        statuses.add(task.status)
        expect(["REQ", "INP"]).toContain(task.status)
        await new Promise((resolve) => setTimeout(resolve, 20))
        task = (await get(sb, `/tasks/${id}`)).json as TaskJson
      }
      expect(statuses.size).toBeGreaterThan(0)
      const file = await download(task.signedDownloadUrl!)
      expect(Csv.parse(file.text)).toHaveLength(task.totalResults! + 1)
      expect(task.totalResults).toBeGreaterThan(1000)
    } finally {
      await sb.close()
    }
  })
})

describe("Sandbox.layer", () => {
  it.effect("provides a running sandbox for the scope and closes it afterwards", () =>
    Effect.gen(function* () {
      const baseUrl = yield* Effect.scoped(
        Effect.gen(function* () {
          const sb = yield* Sandbox.SandboxServer
          const reply = yield* Effect.promise(() => get(sb, "/tasks", auth(sb)))
          expect(reply.status).toBe(200)
          expect(reply.json).toEqual([])
          return sb.baseUrl
        }).pipe(Effect.provide(Layer.fresh(Sandbox.layer({ taskDurationMs: 0 }))))
      )
      const after = yield* Effect.promise(() =>
        fetch(`${baseUrl}/tasks`).then(
          () => "answered",
          () => "refused"
        )
      )
      expect(after).toBe("refused")
    })
  )
})
