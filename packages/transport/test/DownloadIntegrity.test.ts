import { execFile } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { fetchToFile } from "../src/internal/download.js"
import { bundleFixture } from "./files.js"
import { taskAt } from "./fixtures/task.js"
import { clientFor, sandbox, sendInPieces, server } from "./support.js"

const MiB = 1024 * 1024
const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "booster-whole-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex")

/** Serves `/bytes/<n>`: the first n bytes of `content`, written in uneven pieces. */
const origin = (content: Buffer) =>
  server((req, res) => {
    const size = Number(req.url?.split("/").pop())
    res.writeHead(200, { "content-type": "text/csv", "content-length": String(size) })
    sendInPieces(res, content, size)
  })

describe("download integrity", () => {
  it.scopedLive("files of every size around the write batches arrive whole, with their own SHA-256", () =>
    Effect.gen(function* () {
      const content = randomBytes(9 * MiB + 7)
      const files = yield* origin(content)
      const dir = yield* tempDir
      // empty, one byte, around one write batch (1 MiB), around the 4 MiB held before pausing
      const sizes = [0, 1, MiB - 1, MiB, MiB + 1, 4 * MiB - 1, 4 * MiB + 1, 9 * MiB + 7]
      for (const size of sizes) {
        const target = path.join(dir, `${size}.csv`)
        const result = yield* fetchToFile(new URL(`${files.url}/bytes/${size}`), target, {
          overwrite: false,
          idleTimeoutMs: 10_000,
          timeoutMs: 10_000
        })
        const expected = sha256(content.subarray(0, size))
        expect({ size, bytes: result.bytes, sha256: result.sha256 }).toEqual({
          size,
          bytes: size,
          sha256: expected
        })
        expect(sha256(fs.readFileSync(target))).toBe(expected)
      }
      expect(fs.readdirSync(dir).filter((name) => name.endsWith(".part"))).toEqual([])
    })
  )

  it.scopedLive(
    "a file ten times what is held in memory, through the client: whole, in place, nothing else",
    () =>
      Effect.gen(function* () {
        const size = 40 * MiB + 3
        const content = randomBytes(size)
        const files = yield* origin(content)
        const dir = yield* tempDir
        const sb = yield* sandbox()
        const client = yield* clientFor(sb)
        const target = path.join(dir, "big.csv")
        const result = yield* client.download(taskAt(`${files.url}/bytes/${size}`), target)
        expect(result).toEqual({
          path: target,
          bytes: size,
          sha256: sha256(content),
          contentType: "text/csv"
        })
        expect(fs.readdirSync(dir)).toEqual(["big.csv"])
      })
  )

  it.scopedLive("an aborted download leaves no file, and the program then exits by itself", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const folder = yield* tempDir
      // announces 64 MiB, sends 1 MiB, then stalls
      const stalling = yield* server((_req, res) => {
        res.writeHead(200, { "content-length": String(64 * MiB) })
        res.write(Buffer.alloc(MiB, 97))
      })
      const script = yield* Effect.promise(() =>
        bundleFixture(new URL("./fixtures/abort-download.ts", import.meta.url), folder)
      )
      const run = yield* Effect.promise(() =>
        promisify(execFile)(process.execPath, [script, `${stalling.url}/big.csv`, dir], {
          timeout: 20_000,
          encoding: "utf8"
        }).then(
          (out) => ({ exited: true, stdout: out.stdout.trim() }),
          (error: { killed?: boolean; stdout?: string }) => ({
            exited: error.killed !== true,
            stdout: String(error.stdout ?? "").trim()
          })
        )
      )
      expect(run).toEqual({ exited: true, stdout: "AbortError" })
      expect(fs.readdirSync(dir)).toEqual([])
    })
  )
})
