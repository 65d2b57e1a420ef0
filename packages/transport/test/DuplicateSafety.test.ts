import { ExportKind } from "@booster-export/core"
import { Faults, Sandbox } from "@booster-export/sandbox"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { clientFor, createThenFail, exportPosts, filter, realSleep, sandbox } from "./support.js"

const started = (sb: { requests: () => ReadonlyArray<{ method: string; path: string }> }) =>
  sb.requests().map((r) => `${r.method} ${r.path.replace(/\/tasks\/\w+/, "/tasks/{id}")}`)

describe("duplicate safety of startExport (one row of the README table per test)", () => {
  const retriedWithoutReconciling: ReadonlyArray<[string, Faults.Fault]> = [
    ["429 Too Many Requests", { kind: "status", status: 429 }],
    ["503 Service Unavailable", { kind: "status", status: 503 }]
  ]
  for (const [name, fault] of retriedWithoutReconciling) {
    it.scopedLive(`${name}: retried at once with the same downloadRequestId, one task`, () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        sb.faults.script("export", [fault])
        const client = yield* clientFor(sb)
        const result = yield* client.startExport(filter, { downloadRequestId: "req-1" })
        expect(result.downloadRequestId).toBe("req-1")
        expect(result.reconciled).toBe(false)
        expect(sb.tasksCreated()).toBe(1)
        const posts = exportPosts(sb)
        expect(posts).toHaveLength(2)
        expect(posts[1]!.bodySha256).toBe(posts[0]!.bodySha256)
        expect(posts.map((p) => p.retryCount)).toEqual([undefined, 1])
        expect(started(sb)).toEqual(["POST /customer/CAR/export", "POST /customer/CAR/export"])
      })
    )
  }

  const createdThenFailed: ReadonlyArray<[string, Faults.Fault]> = [
    ["500 after creating", createThenFail(500)],
    ["502 after creating", createThenFail(502)],
    ["504 after creating", createThenFail(504)],
    ["connection reset after creating", createThenFail("reset")],
    ["no answer (timeout) after creating", createThenFail("timeout")]
  ]
  for (const [name, fault] of createdThenFailed) {
    it.scopedLive(`${name}: reconciled from the task list, never sent again`, () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        sb.faults.script("export", [fault])
        const client = yield* clientFor(sb, { timeoutMs: 1_000 })
        const result = yield* client.startExport(filter)
        expect(result.reconciled).toBe(true)
        expect(sb.tasksCreated()).toBe(1)
        expect(result.asyncTaskId).toBe(sb.tasks()[0]!.asyncTaskId)
        expect(started(sb)).toEqual(["POST /customer/CAR/export", "GET /tasks"])
      })
    )
  }

  const failedWithoutCreating: ReadonlyArray<[string, Faults.Fault]> = [
    ["500 without creating", { kind: "status", status: 500 }],
    ["502 without creating", { kind: "status", status: 502 }],
    ["408 Request Timeout", { kind: "status", status: 408 }],
    ["connection reset without creating", { kind: "reset" }]
  ]
  for (const [name, fault] of failedWithoutCreating) {
    it.scopedLive(`${name}: no matching task in the list, so sent again with the same id`, () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        sb.faults.script("export", [fault])
        const client = yield* clientFor(sb)
        const result = yield* client.startExport(filter, { downloadRequestId: "req-2" })
        expect(result.reconciled).toBe(false)
        expect(sb.tasksCreated()).toBe(1)
        expect(started(sb)).toEqual(["POST /customer/CAR/export", "GET /tasks", "POST /customer/CAR/export"])
        const posts = exportPosts(sb)
        expect(posts[1]!.bodySha256).toBe(posts[0]!.bodySha256)
        expect(posts[1]!.retryCount).toBe(1)
      })
    )
  }

  it.scopedLive(
    "504 without creating: the server may still be working, so OutcomeUnknownError, not a resend",
    () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        sb.faults.script("export", [{ kind: "status", status: 504 }])
        const client = yield* clientFor(sb)
        const error = yield* Effect.flip(client.startExport(filter, { downloadRequestId: "req-504" }))
        expect(error._tag).toBe("OutcomeUnknownError")
        if (error._tag !== "OutcomeUnknownError") return
        expect(error.downloadRequestId).toBe("req-504")
        expect(error.candidates).toEqual([])
        expect(error.status).toBe(504)
        expect(error.message).toContain("req-504")
        expect(exportPosts(sb)).toHaveLength(1)
      })
  )

  it.scopedLive(
    "timeout before the task exists: OutcomeUnknownError, and the late task is the only one",
    () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        sb.faults.script("export", [{ kind: "delay", ms: 1_500 }])
        const client = yield* clientFor(sb, { timeoutMs: 300 })
        const error = yield* Effect.flip(client.startExport(filter, { downloadRequestId: "req-slow" }))
        expect(error._tag).toBe("OutcomeUnknownError")
        if (error._tag !== "OutcomeUnknownError") return
        expect(error.downloadRequestId).toBe("req-slow")
        expect(error.hint).toMatch(/list your tasks/i)
        yield* realSleep(1_800)
        expect(exportPosts(sb)).toHaveLength(1)
        expect(sb.tasksCreated()).toBe(1)
      })
  )

  it.scopedLive("several matching tasks: OutcomeUnknownError naming every candidate, no resend", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const other = yield* clientFor(sb)
      const earlier = yield* other.startExport(filter)
      sb.faults.script("export", [createThenFail(500)])
      const client = yield* clientFor(sb)
      const error = yield* Effect.flip(client.startExport(filter, { downloadRequestId: "req-3" }))
      expect(error._tag).toBe("OutcomeUnknownError")
      if (error._tag !== "OutcomeUnknownError") return
      expect(sb.tasksCreated()).toBe(2)
      expect([...error.candidates].sort()).toEqual(
        sb
          .tasks()
          .map((t) => t.asyncTaskId)
          .sort()
      )
      expect(error.candidates).toContain(earlier.asyncTaskId)
      expect(error.hint).toContain(earlier.asyncTaskId)
      expect(exportPosts(sb)).toHaveLength(2)
    })
  )

  it.scopedLive("tasks of another brand or created by this client earlier are not candidates", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const client = yield* clientFor(sb)
      const mine = yield* client.startExport(filter)
      const other = yield* clientFor(sb)
      yield* other.startExport({ brand: "IWC", posCodes: ["P001"] })
      sb.faults.script("export", [createThenFail(502)])
      const result = yield* client.startExport(filter)
      expect(result.reconciled).toBe(true)
      expect(result.asyncTaskId).not.toBe(mine.asyncTaskId)
      expect(sb.tasksCreated()).toBe(3)
    })
  )

  it.scopedLive("a stock export (task type presumably stock) is reconciled like a customer export", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox({ importTasks: true })
      sb.faults.script("export-stock", [createThenFail(500)])
      const client = yield* clientFor(sb)
      const result = yield* client.startExport(ExportKind.Stock, { brand: "CAR" })
      expect(result.reconciled).toBe(true)
      expect(sb.tasksCreated()).toBe(1)
      expect(sb.tasks().find((t) => t.asyncTaskId === result.asyncTaskId)?.type).toBe("stock")
      expect(started(sb)).toEqual(["POST /stock/CAR/export", "GET /tasks"])
    })
  )

  for (const kind of ExportKind.all) {
    const by = kind.taskType !== undefined ? "task-type" : "time-window"
    it.scopedLive(
      `${kind.name}: a lost answer is reconciled by ${by}, beside import tasks and other kinds' tasks`,
      () =>
        Effect.gen(function* () {
          const sb = yield* sandbox({ importTasks: true })
          const other = yield* clientFor(sb)
          // tasks of known types created in the window that are not this kind's: never candidates
          for (const name of ["customers", "stock", "sell-out"] as const) {
            if (name !== kind.name) yield* other.startExport(ExportKind.byName(name), filter)
          }
          sb.faults.script(Faults.exportRoute(kind.name as ExportKind.Name), [createThenFail(500)])
          const client = yield* clientFor(sb)
          const result = yield* client.startExport(kind, filter)
          expect(result.reconciled).toBe(true)
          expect(result.reconciliation).toEqual({ by, candidates: 1 })
          const task = sb.tasks().find((t) => t.asyncTaskId === result.asyncTaskId)
          expect(task?.type).toBe(Sandbox.TASK_TYPES[kind.name as ExportKind.Name])
          // sent once: the task was found, not created again
          expect(exportPosts(sb).filter((p) => p.path === kind.path.replace("{brand}", "CAR"))).toHaveLength(
            1
          )
        })
    )
  }

  it.scopedLive(
    "an export whose task type is unknown (movements) with two tasks in the window refuses to guess: OutcomeUnknownError naming both, no resend",
    () =>
      Effect.gen(function* () {
        const sb = yield* sandbox({ importTasks: true })
        const other = yield* clientFor(sb)
        const invoices = yield* other.startExport(ExportKind.Invoice, filter)
        sb.faults.script("export-movements", [createThenFail(500)])
        const client = yield* clientFor(sb)
        const error = yield* Effect.flip(
          client.startExport(ExportKind.Movement, filter, { downloadRequestId: "req-m" })
        )
        expect(error._tag).toBe("OutcomeUnknownError")
        if (error._tag !== "OutcomeUnknownError") return
        const movement = sb.tasks().find((t) => t.type === Sandbox.TASK_TYPES.movements)!
        expect([...error.candidates].sort()).toEqual([invoices.asyncTaskId, movement.asyncTaskId].sort())
        expect(error.message).toContain("2 tasks of this brand")
        expect(error.message).toContain("none is picked by guess")
        expect(error.hint).toContain(invoices.asyncTaskId)
        expect(sb.tasksCreated()).toBe(2)
      })
  )

  it.scopedLive("startExport(kind, filter) types the filter per kind and sends to that kind's route", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const client = yield* clientFor(sb)
      // @ts-expect-error: email is a customer field, not a stock one
      const wrong = yield* Effect.flip(client.startExport(ExportKind.Stock, { brand: "CAR", email: "a@b.c" }))
      expect(wrong._tag).toBe("ValidationError")
      const dry = yield* client.dryRun(ExportKind.Invoice, { ...filter, downloadRequestId: "d-i" })
      expect(dry.url).toBe(`${sb.baseUrl}/invoice/CAR/export`)
      expect(dry.downloadRequestId).toBe("d-i")
      const result = yield* client.startExport(ExportKind.Stock, { brand: "CAR", type: "consigned" })
      expect(result.reconciled).toBe(false)
      expect(result.reconciliation).toBeUndefined()
      expect(exportPosts(sb).map((p) => p.path)).toEqual(["/stock/CAR/export"])
    })
  )

  it.scopedLive("a task the caller knows to be another export (exclude) is never adopted", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const other = yield* clientFor(sb)
      const invoices = yield* other.startExport(ExportKind.Invoice, filter)
      sb.faults.script("export-orders", [createThenFail(502)])
      const client = yield* clientFor(sb)
      const result = yield* client.startExport(ExportKind.Order, filter, {
        exclude: [invoices.asyncTaskId.toUpperCase()]
      })
      expect(result.reconciliation).toEqual({ by: "time-window", candidates: 1 })
      expect(result.asyncTaskId).not.toBe(invoices.asyncTaskId)
      expect(sb.tasks().find((t) => t.asyncTaskId === result.asyncTaskId)?.type).toBe(
        Sandbox.TASK_TYPES.orders
      )
    })
  )

  it.scopedLive("an export whose task type is unknown, with no recent task of its brand: sent again", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      sb.faults.script("export-orders", [{ kind: "status", status: 500 }])
      const client = yield* clientFor(sb)
      const result = yield* client.startExport(ExportKind.Order, filter, { downloadRequestId: "req-o" })
      expect(result.reconciled).toBe(false)
      expect(sb.tasksCreated()).toBe(1)
      expect(started(sb)).toEqual(["POST /purchase/CAR/export", "GET /tasks", "POST /purchase/CAR/export"])
    })
  )

  it.scopedLive("the task list cannot be read: OutcomeUnknownError, no resend", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      sb.faults.script("export", [createThenFail(500)])
      sb.faults.add({ route: "tasks", fault: { kind: "status", status: 500 }, times: 10 })
      const client = yield* clientFor(sb)
      const error = yield* Effect.flip(client.startExport(filter, { downloadRequestId: "req-4" }))
      expect(error._tag).toBe("OutcomeUnknownError")
      if (error._tag !== "OutcomeUnknownError") return
      expect(error.downloadRequestId).toBe("req-4")
      expect(error.message).toContain("task list could not be read")
      expect(exportPosts(sb)).toHaveLength(1)
      expect(sb.tasksCreated()).toBe(1)
    })
  )

  it.scopedLive("connection refused: retried (nothing can have been created), then TransportError", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const baseUrl = sb.baseUrl
      yield* Effect.promise(() => sb.close())
      const client = yield* clientFor({ baseUrl, apiKey: sb.apiKey })
      const error = yield* Effect.flip(client.startExport(filter))
      expect(error._tag).toBe("TransportError")
      if (error._tag !== "TransportError") return
      expect(error.reason).toBe("connection")
      expect(error.message).toContain("ECONNREFUSED")
    })
  )

  it.scopedLive("401 and 403 are final: no retry", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox({ keys: [{ key: "k1", brands: ["IWC"] }] })
      const wrong = yield* clientFor({ baseUrl: sb.baseUrl, apiKey: "nope" })
      expect((yield* Effect.flip(wrong.startExport(filter)))._tag).toBe("AuthenticationError")
      const scoped = yield* clientFor({ baseUrl: sb.baseUrl, apiKey: "k1" })
      const denied = yield* Effect.flip(scoped.startExport(filter))
      expect(denied._tag).toBe("PermissionError")
      expect(denied).toHaveProperty("status", 403)
      expect(exportPosts(sb)).toHaveLength(2)
      expect(sb.tasksCreated()).toBe(0)
    })
  )

  it.scopedLive("exhausted retries on 503: ServerError, never more than maxRetries + 1 posts, no task", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      sb.faults.add({ route: "export", fault: { kind: "status", status: 503 }, times: 20 })
      const client = yield* clientFor(sb)
      const error = yield* Effect.flip(client.startExport(filter))
      expect(error._tag).toBe("ServerError")
      expect(exportPosts(sb)).toHaveLength(4)
      expect(sb.tasksCreated()).toBe(0)
    })
  )
})
