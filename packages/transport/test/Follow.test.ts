import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { clientFor, filter, sandbox } from "./support.js"

describe("followTask", () => {
  it.scopedLive("emits each change and ends after COM", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox({ taskDurationMs: 400 })
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      const seen = Chunk.toReadonlyArray(yield* Stream.runCollect(client.followTask(asyncTaskId)))
      expect(seen.length).toBeGreaterThanOrEqual(2)
      const last = seen[seen.length - 1]!
      expect(last.statusKind).toBe("completed")
      expect(last.percentage).toBe(100)
      expect(last.task.signedDownloadUrl).toBeDefined()
      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [seen[i - 1]!, seen[i]!]
        expect(`${a.status}${a.percentage}${a.totalResults}`).not.toBe(
          `${b.status}${b.percentage}${b.totalResults}`
        )
      }
      const polls = sb.requests().filter((r) => r.path.startsWith("/tasks/")).length
      expect(polls).toBeGreaterThanOrEqual(seen.length)
    })
  )

  it.scopedLive("resumes from a bare task id in another client", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox({ taskDurationMs: 200 })
      const first = yield* clientFor(sb)
      const { asyncTaskId } = yield* first.startExport(filter)
      const second = yield* clientFor(sb)
      const dashed = asyncTaskId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5")
      const last = yield* Stream.runLast(second.followTask(dashed))
      expect(last._tag === "Some" && last.value.statusKind).toBe("completed")
    })
  )

  it.scopedLive("fails with ExportFailedError at ERR, after emitting the ERR progress", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox({ taskDurationMs: 100 })
      sb.faults.script("export", [{ kind: "task-error" }])
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      const seen: Array<string> = []
      const error = yield* Effect.flip(
        Stream.runForEach(client.followTask(asyncTaskId), (p) => Effect.sync(() => seen.push(p.statusKind)))
      )
      expect(error._tag).toBe("ExportFailedError")
      expect(error).toHaveProperty("asyncTaskId", asyncTaskId)
      expect(seen[seen.length - 1]).toBe("error")
    })
  )

  it.scopedLive("fails with TransportError timeout when the follow time runs out", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox({ taskDurationMs: 60_000 })
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      const error = yield* Effect.flip(Stream.runDrain(client.followTask(asyncTaskId, { timeoutMs: 150 })))
      expect(error._tag).toBe("TransportError")
      expect(error).toHaveProperty("reason", "timeout")
      expect(error).toHaveProperty("hint", expect.stringMatching(/follow it again/i))
    })
  )

  it.scopedLive("polls less often while nothing changes (interval grows to the maximum)", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox({ taskDurationMs: 60_000 })
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      yield* Stream.runDrain(
        client.followTask(asyncTaskId, { pollInitialMs: 20, pollMaxMs: 200, timeoutMs: 1_500 })
      ).pipe(Effect.ignore)
      const polls = sb.requests().filter((r) => r.path.startsWith("/tasks/")).length
      expect(polls).toBeGreaterThan(4)
      expect(polls).toBeLessThan(1_500 / 20)
    })
  )

  it.scopedLive("an unknown task id: NotFoundError", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const client = yield* clientFor(sb)
      const error = yield* Effect.flip(Stream.runDrain(client.followTask("0".repeat(32))))
      expect(error._tag).toBe("NotFoundError")
      expect(error).toHaveProperty("status", 404)
      const notGuid = yield* Effect.flip(client.getTask("../etc"))
      expect(notGuid._tag).toBe("NotFoundError")
    })
  )
})
