import { describe, expect, it } from "@effect/vitest"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { Faults, Sandbox } from "../src/index.js"
import { auth, download, get, post, rawGet, requestId, type TaskJson } from "./support.js"

const body = () => ({ downloadRequestId: requestId(), brand: "PIA", posCodes: ["IT100", "ES200", "US300"] })

describe("Fault injection over HTTP", () => {
  let sb: Sandbox.RunningSandbox
  beforeAll(async () => {
    sb = await Sandbox.start({ taskDurationMs: 0, customers: 3000 })
  })
  afterAll(() => sb.close())
  beforeEach(() => sb.faults.clear())

  const completed = async (): Promise<TaskJson> => {
    const created = await post(sb, body())
    return (await get(sb, `/tasks/${(created.json as { asyncTaskId: string }).asyncTaskId}`)).json as TaskJson
  }
  const last = () => sb.requests().at(-1)!

  it("answers a scripted status with Retry-After, creating nothing, then serves normally", async () => {
    sb.faults.add({ route: "export", fault: { kind: "status", status: 503, retryAfterSeconds: 2 }, times: 2 })
    const before = sb.tasksCreated()
    for (let i = 0; i < 2; i++) {
      const reply = await post(sb, body())
      expect(reply.status).toBe(503)
      expect(reply.headers.get("retry-after")).toBe("2")
      expect(reply.json).toMatchObject({ responseStatus: { errorCode: "ServiceUnavailable", errors: [] } })
      expect(last()).toMatchObject({ status: 503, fault: "status" })
    }
    expect(sb.tasksCreated()).toBe(before)
    expect((await post(sb, body())).status).toBe(200)
    expect(sb.tasksCreated()).toBe(before + 1)
  })

  it("sends retry-after-ms for a 429 given in milliseconds, on the route named only", async () => {
    sb.faults.add({ route: "tasks", fault: { kind: "status", status: 429, retryAfterMs: 250 } })
    const task = await completed()
    expect(task.status).toBe("COM")
    const limited = await get(sb, "/tasks")
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after-ms")).toBe("250")
    expect(limited.headers.get("retry-after")).toBeNull()
    expect((await get(sb, "/tasks")).status).toBe(200)
  })

  it("plays a script of faults in order on a route", async () => {
    const task = await completed()
    sb.faults.script("task", [
      { kind: "status", status: 500 },
      { kind: "status", status: 502 },
      { kind: "status", status: 504 },
      { kind: "status", status: 408 }
    ])
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await get(sb, `/tasks/${task.asyncTaskId}`)).status)
    expect(statuses).toEqual([500, 502, 504, 408, 200])
  })

  it("resets the connection before any response", async () => {
    sb.faults.add({ route: "tasks", fault: { kind: "reset" } })
    await expect(fetch(`${sb.baseUrl}/tasks`, { headers: auth(sb) })).rejects.toThrow()
    expect(last()).toMatchObject({ path: "/tasks", status: 0, fault: "reset" })
    expect((await get(sb, "/tasks")).status).toBe(200)
  })

  it("delays a response, then serves it", async () => {
    sb.faults.add({ route: "tasks", fault: { kind: "delay", ms: 300 } })
    const started = performance.now()
    const reply = await get(sb, "/tasks")
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    expect(reply.status).toBe(200)
    expect(last()).toMatchObject({ status: 200, fault: "delay" })
  })

  it("truncates a download: full Content-Length announced, fewer bytes sent, connection cut", async () => {
    const task = await completed()
    sb.faults.add({ route: "download", fault: { kind: "truncate", afterBytes: 1000 } })
    const cut = await rawGet(task.signedDownloadUrl!)
    expect(cut.status).toBe(200)
    expect(cut.received).toBe(1000)
    expect(cut.contentLength).toBeGreaterThan(1000)
    expect(cut.aborted).toBe(true)
    sb.faults.add({ route: "download", fault: { kind: "truncate" } })
    const half = await rawGet(task.signedDownloadUrl!)
    expect(half.received).toBe(Math.floor(half.contentLength / 2))
    expect(half.aborted).toBe(true)
    const whole = await rawGet(task.signedDownloadUrl!)
    expect(whole).toMatchObject({ status: 200, received: whole.contentLength, aborted: false })
  })

  it("hands out an already-expired signed URL once when the task route says so", async () => {
    const task = await completed()
    expect((await download(task.signedDownloadUrl!)).status).toBe(200)
    sb.faults.add({ route: "task", fault: { kind: "expire-url" } })
    const stale = (await get(sb, `/tasks/${task.asyncTaskId}`)).json as TaskJson
    const refused = await download(stale.signedDownloadUrl!)
    expect(refused.status).toBe(403)
    expect(refused.text).toContain("Request has expired")
    const fresh = (await get(sb, `/tasks/${task.asyncTaskId}`)).json as TaskJson
    expect((await download(fresh.signedDownloadUrl!)).status).toBe(200)
  })

  it("answers 403 expired at the storage for a download expire-url fault", async () => {
    const task = await completed()
    sb.faults.add({ route: "download", fault: { kind: "expire-url" } })
    const refused = await download(task.signedDownloadUrl!)
    expect(refused.status).toBe(403)
    expect(refused.text).toContain("Request has expired")
    expect((await download(task.signedDownloadUrl!)).status).toBe(200)
  })

  it("fails a download with a status fault from the storage origin", async () => {
    const task = await completed()
    sb.faults.add({ route: "download", fault: { kind: "status", status: 503, retryAfterSeconds: 1 } })
    const refused = await download(task.signedDownloadUrl!)
    expect(refused.status).toBe(503)
    expect(refused.headers.get("retry-after")).toBe("1")
    expect((await download(task.signedDownloadUrl!)).status).toBe(200)
  })

  it("ends the next created task in ERR, with no file", async () => {
    sb.faults.add({ route: "export", fault: { kind: "task-error" } })
    const failed = await completed()
    expect(failed).toMatchObject({ status: "ERR" })
    expect(failed.signedDownloadUrl).toBeUndefined()
    expect(failed.totalResults).toBeUndefined()
    expect((await completed()).status).toBe("COM")
  })

  it("creates the task and then fails the POST with a status, a reset or no answer at all", async () => {
    const before = sb.tasksCreated()
    const listed = async () => ((await get(sb, "/tasks")).json as Array<TaskJson>).length
    const count = await listed()
    sb.faults.script("export", [Faults.createThenFail(502)])
    const failed = await post(sb, body())
    expect(failed.status).toBe(502)
    expect(sb.tasksCreated()).toBe(before + 1)
    expect(await listed()).toBe(count + 1)

    sb.faults.script("export", [Faults.createThenFail("reset")])
    await expect(post(sb, body())).rejects.toThrow()
    expect(sb.tasksCreated()).toBe(before + 2)

    sb.faults.script("export", [Faults.createThenFail("timeout")])
    const hung = fetch(`${sb.baseUrl}/customer/PIA/export`, {
      method: "POST",
      headers: { ...auth(sb), "content-type": "application/json" },
      body: JSON.stringify(body()),
      signal: AbortSignal.timeout(500)
    })
    await expect(hung).rejects.toThrow()
    expect(sb.tasksCreated()).toBe(before + 3)
    expect(await listed()).toBe(count + 3)
    expect(
      sb
        .requests()
        .filter((r) => r.fault === "create-then-fail")
        .map((r) => r.status)
    ).toEqual([502, 0, 0])
  })

  it("applies a probability-0 rule never and an x* rule always", async () => {
    sb.faults.add({ route: "tasks", fault: { kind: "status", status: 500 }, probability: 0, times: 50 })
    for (let i = 0; i < 10; i++) expect((await get(sb, "/tasks")).status).toBe(200)
    sb.faults.clear()
    sb.faults.add({ route: "tasks", fault: { kind: "status", status: 500 }, times: Number.POSITIVE_INFINITY })
    for (let i = 0; i < 10; i++) expect((await get(sb, "/tasks")).status).toBe(500)
  })
})

describe("Faults given at start", () => {
  it("takes parsed rules and still closes promptly with a request left hanging", async () => {
    const sb = await Sandbox.start({
      taskDurationMs: 0,
      customers: 100,
      faults: [{ route: "export", fault: Faults.createThenFail("timeout") }]
    })
    const hung = post(sb, body()).then(
      () => "answered",
      () => "dropped"
    )
    await expect.poll(() => sb.tasksCreated(), { timeout: 10_000 }).toBe(1)
    await sb.close()
    expect(await hung).toBe("dropped")
  })
})
