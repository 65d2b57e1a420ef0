import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { taskAt } from "./fixtures/task.js"
import { clientFor, filter, sandbox, server, waitFor } from "./support.js"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "booster-dl-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex")

describe("download", () => {
  it.scopedLive(
    "streams the file into place with its length, sha256 and content type, leaving nothing else",
    () =>
      Effect.gen(function* () {
        const sb = yield* sandbox({ customers: 5_000 })
        const dir = yield* tempDir
        const client = yield* clientFor(sb)
        const { asyncTaskId } = yield* client.startExport(filter)
        const target = path.join(dir, "out.csv")
        const result = yield* client.download(asyncTaskId, target)
        expect(result.path).toBe(target)
        expect(result.bytes).toBe(fs.statSync(target).size)
        expect(result.bytes).toBeGreaterThan(100)
        expect(result.sha256).toBe(sha256(target))
        expect(result.contentType).toMatch(/^text\/csv/)
        expect(fs.readdirSync(dir)).toEqual(["out.csv"])
        const storage = sb.requests().filter((r) => r.origin === "storage")
        expect(storage.map((r) => r.carriedCredentials)).toEqual([false])
      })
  )

  it.scopedLive("into a folder: names the file after the URL", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const dir = yield* tempDir
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      const result = yield* client.download(asyncTaskId, dir)
      expect(result.path).toBe(path.join(dir, `${asyncTaskId}.csv`))
      expect(fs.existsSync(result.path)).toBe(true)
    })
  )

  it.scopedLive(
    "into a missing folder given with a trailing /: creates it (and its parents) with mode 0700",
    () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        const dir = yield* tempDir
        const client = yield* clientFor(sb)
        const { asyncTaskId } = yield* client.startExport(filter)
        const result = yield* client.download(asyncTaskId, `${path.join(dir, "exports", "crm")}/`)
        expect(result.path).toBe(path.join(dir, "exports", "crm", `${asyncTaskId}.csv`))
        expect(result.sha256).toBe(sha256(result.path))
        expect(fs.statSync(path.join(dir, "exports")).mode & 0o777).toBe(0o700)
        expect(fs.statSync(path.join(dir, "exports", "crm")).mode & 0o777).toBe(0o700)
        const missing = yield* Effect.flip(client.download(asyncTaskId, path.join(dir, "absent", "x.csv")))
        expect(missing).toMatchObject({ _tag: "DownloadError", reason: "io" })
        expect(fs.existsSync(path.join(dir, "absent"))).toBe(false)
      })
  )

  it.scopedLive("never overwrites an existing file unless asked", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const dir = yield* tempDir
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      const target = path.join(dir, "keep.csv")
      fs.writeFileSync(target, "precious")
      const error = yield* Effect.flip(client.download(asyncTaskId, target))
      expect(error._tag).toBe("DownloadError")
      expect(error).toHaveProperty("reason", "exists")
      expect(fs.readFileSync(target, "utf8")).toBe("precious")
      expect(sb.requests().filter((r) => r.origin === "storage")).toHaveLength(0)
      const replaced = yield* client.download(asyncTaskId, target, { overwrite: true })
      expect(fs.readFileSync(target, "utf8")).not.toBe("precious")
      expect(replaced.bytes).toBe(fs.statSync(target).size)
      expect(fs.readdirSync(dir)).toEqual(["keep.csv"])
    })
  )

  it.scopedLive("an expired signed URL is refreshed once by re-reading the task", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const dir = yield* tempDir
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      const task = yield* client.getTask(asyncTaskId)
      sb.faults.script("download", [{ kind: "expire-url" }])
      const result = yield* client.download(task, path.join(dir, "x.csv"))
      expect(result.bytes).toBeGreaterThan(0)
      const tail = sb.requests().slice(-3)
      expect(tail.map((r) => `${r.origin} ${r.status}`)).toEqual(["storage 403", "api 200", "storage 200"])
      expect(tail[1]!.path).toContain(`/tasks/${asyncTaskId}`)
    })
  )

  it.scopedLive(
    "a URL refused again after the refresh fails with DownloadError expired-url and no file",
    () =>
      Effect.gen(function* () {
        const sb = yield* sandbox()
        const dir = yield* tempDir
        const client = yield* clientFor(sb)
        const { asyncTaskId } = yield* client.startExport(filter)
        sb.faults.add({ route: "download", fault: { kind: "expire-url" }, times: 5 })
        const error = yield* Effect.flip(client.download(asyncTaskId, path.join(dir, "x.csv")))
        expect(error._tag).toBe("DownloadError")
        expect(error).toHaveProperty("reason", "expired-url")
        expect(sb.requests().filter((r) => r.origin === "storage")).toHaveLength(2)
        expect(fs.readdirSync(dir)).toEqual([])
      })
  )

  it.scopedLive("a truncated body is retried; if it stays truncated: length-mismatch and no file", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox({ customers: 2_000 })
      const dir = yield* tempDir
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      sb.faults.script("download", [{ kind: "truncate", afterBytes: 100 }])
      const ok = yield* client.download(asyncTaskId, path.join(dir, "a.csv"))
      expect(ok.bytes).toBe(fs.statSync(ok.path).size)
      sb.faults.add({ route: "download", fault: { kind: "truncate", afterBytes: 100 }, times: 10 })
      const error = yield* Effect.flip(client.download(asyncTaskId, path.join(dir, "b.csv")))
      expect(error._tag).toBe("DownloadError")
      expect(error).toHaveProperty("reason", "length-mismatch")
      expect(fs.readdirSync(dir)).toEqual(["a.csv"])
    })
  )

  it.scopedLive("a task without a download URL yet: DownloadError not-ready", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox({ taskDurationMs: 60_000 })
      const dir = yield* tempDir
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      const error = yield* Effect.flip(client.download(asyncTaskId, path.join(dir, "x.csv")))
      expect(error).toHaveProperty("reason", "not-ready")
    })
  )

  const stalling = Effect.gen(function* () {
    let sent = 0
    const origin = yield* server((_req, res) => {
      res.writeHead(200, { "content-type": "text/csv", "content-length": String(1024 * 1024) })
      res.write(Buffer.alloc(64 * 1024, 97), () => {
        sent += 64 * 1024
      })
    })
    return { url: `${origin.url}/files/slow.csv`, sent: () => sent }
  })

  it.scopedLive("interrupted mid-stream: no file and no temporary file remain", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const dir = yield* tempDir
      const slow = yield* stalling
      const client = yield* clientFor(sb)
      const target = path.join(dir, "slow.csv")
      const fiber = yield* Effect.fork(client.download(taskAt(slow.url), target))
      yield* waitFor(() => slow.sent() > 0 && fs.readdirSync(dir).length > 0)
      expect(fs.readdirSync(dir)[0]).toMatch(/^\.slow\.csv\..*\.part$/)
      yield* Fiber.interrupt(fiber)
      expect(fs.readdirSync(dir)).toEqual([])
    })
  )

  it.scopedLive("interrupted while the storage has not answered yet: stops at once, leaving nothing", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const dir = yield* tempDir
      const client = yield* clientFor(sb)
      const { asyncTaskId } = yield* client.startExport(filter)
      // the storage holds its answer for 30 s; the interruption must not wait for it
      sb.faults.add({ route: "download", fault: { kind: "delay", ms: 30_000 } })
      const fiber = yield* Effect.fork(client.download(asyncTaskId, path.join(dir, "held.csv")))
      yield* waitFor(() => sb.requests().some((r) => r.origin === "storage"))
      const stopped = yield* Fiber.interrupt(fiber).pipe(Effect.timeout("10 seconds"), Effect.option)
      expect(stopped._tag).toBe("Some")
      expect(fs.readdirSync(dir)).toEqual([])
    })
  )

  it.scopedLive("a download that goes idle fails with TransportError timeout and leaves nothing", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const dir = yield* tempDir
      const slow = yield* stalling
      const client = yield* clientFor(sb, { downloadIdleTimeoutMs: 200, retry: { maxRetries: 0 } })
      const error = yield* Effect.flip(client.download(taskAt(slow.url), path.join(dir, "slow.csv")))
      expect(error._tag).toBe("TransportError")
      expect(error).toHaveProperty("reason", "timeout")
      expect(fs.readdirSync(dir)).toEqual([])
    })
  )
})
