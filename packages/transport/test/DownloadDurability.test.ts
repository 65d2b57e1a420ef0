/**
 * A download is durable and whole over plain HTTP and over TLS: the data is synced while it arrives
 * (not all at the end), the file is synced before it takes its name and the folder after, and a cut,
 * an interruption or a refused address leaves nothing. The servers are real (TLS with a throw-away
 * certificate); the file system is Node's, observed through the download's file seam.
 */
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import type * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { fetchToFile } from "../src/internal/download.js"
import * as FileSink from "../src/internal/fileSink.js"
import { sendInPieces, server, tlsServer, waitFor } from "./support.js"

const MiB = 1024 * 1024
const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "booster-durable-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex")
const limits = { overwrite: false, idleTimeoutMs: 10_000, timeoutMs: 10_000 }

/**
 * Serves `/bytes/<n>`: the first n bytes of `content` in uneven pieces, with a `Content-Length`, or
 * chunked under `/chunked/<n>`; `/cut/<n>` announces n bytes, sends half and resets the connection.
 */
const files =
  (content: Buffer): http.RequestListener =>
  (req, res) => {
    const [, kind, n] = req.url?.split("/") ?? []
    const size = Number(n)
    if (kind === "cut") {
      res.writeHead(200, { "content-length": String(size) })
      res.write(content.subarray(0, size / 2), () => setTimeout(() => req.socket.destroy(), 50))
      return
    }
    res.writeHead(200, {
      "content-type": "text/csv",
      ...(kind === "chunked" ? {} : { "content-length": String(size) })
    })
    sendInPieces(res, content, size)
  }

/** Node's file system, with every write, sync and folder sync of a download recorded in order. */
const observed = () => {
  const events: Array<{ op: "write" | "datasync" | "sync" | "syncFolder"; written: number }> = []
  const state = { written: 0, synced: 0, widestUnsynced: 0, entriesAtFolderSync: [] as Array<string> }
  const files: FileSink.Files = {
    open: async (file) => {
      const handle = await FileSink.nodeFiles.open(file)
      return {
        writev: async (buffers, position) => {
          const result = await handle.writev(buffers, position)
          state.written += result.bytesWritten
          state.widestUnsynced = Math.max(state.widestUnsynced, state.written - state.synced)
          events.push({ op: "write", written: state.written })
          return result
        },
        datasync: async () => {
          const covered = state.written
          await handle.datasync()
          state.synced = Math.max(state.synced, covered)
          events.push({ op: "datasync", written: covered })
        },
        sync: async () => {
          const covered = state.written
          await handle.sync()
          state.synced = Math.max(state.synced, covered)
          events.push({ op: "sync", written: covered })
        },
        close: () => handle.close()
      }
    },
    syncFolder: async (folder) => {
      state.entriesAtFolderSync = fs.readdirSync(folder)
      events.push({ op: "syncFolder", written: state.written })
      await FileSink.nodeFiles.syncFolder(folder)
    }
  }
  return { files, events, state }
}

describe("durable downloads", () => {
  for (const scheme of ["http", "https"] as const) {
    /** A server of `scheme`, with the certificate to trust when it is TLS. */
    const serve = (handler: http.RequestListener) =>
      scheme === "https" ? tlsServer(handler) : Effect.map(server(handler), (s) => ({ ...s, ca: undefined }))
    const origin = (content: Buffer) => serve(files(content))

    it.scopedLive(`over ${scheme}: a long download is synced while it arrives, not only at the end`, () =>
      Effect.gen(function* () {
        const size = 32 * MiB + 5
        const content = randomBytes(size)
        const files = yield* origin(content)
        const dir = yield* tempDir
        const seen = observed()
        const target = path.join(dir, "big.csv")
        const result = yield* fetchToFile(new URL(`${files.url}/bytes/${size}`), target, {
          ...limits,
          ca: files.ca,
          files: seen.files,
          syncEveryBytes: MiB
        })
        expect(result.sha256).toBe(sha256(content))
        const syncedBeforeTheEnd = seen.events.filter((e) => e.op === "datasync" && e.written < size)
        expect(syncedBeforeTheEnd.length).toBeGreaterThanOrEqual(8)
        // never more than twice the interval unsynced, plus what was queued when the limit was reached
        expect(seen.state.widestUnsynced).toBeLessThanOrEqual(8 * MiB)
      })
    )

    it.scopedLive(
      `over ${scheme}: files of every size arrive whole with their SHA-256, synced before their rename, the folder after`,
      () =>
        Effect.gen(function* () {
          const content = randomBytes(9 * MiB + 7)
          const files = yield* origin(content)
          const dir = yield* tempDir
          const sizes = [0, 1, 64 * 1024 - 1, MiB - 1, MiB, MiB + 1, 4 * MiB + 1, 9 * MiB + 7]
          for (const kind of ["bytes", "chunked"]) {
            for (const size of sizes) {
              const seen = observed()
              const target = path.join(dir, `${kind}-${size}.csv`)
              const result = yield* fetchToFile(new URL(`${files.url}/${kind}/${size}`), target, {
                ...limits,
                ca: files.ca,
                files: seen.files
              })
              const expected = sha256(content.subarray(0, size))
              expect({ kind, size, bytes: result.bytes, sha256: result.sha256 }).toEqual({
                kind,
                size,
                bytes: size,
                sha256: expected
              })
              expect(sha256(fs.readFileSync(target))).toBe(expected)
              expect(fs.statSync(target).mode & 0o777).toBe(0o600)
              // the whole file is synced, then it takes its name, then the folder holding it is synced
              expect(seen.events.slice(-2)).toEqual([
                { op: "sync", written: size },
                { op: "syncFolder", written: size }
              ])
              expect(seen.state.entriesAtFolderSync).toContain(path.basename(target))
              expect(seen.state.entriesAtFolderSync.filter((name) => name.endsWith(".part"))).toEqual([])
            }
          }
          expect(fs.readdirSync(dir).filter((name) => name.endsWith(".part"))).toEqual([])
        })
    )

    it.scopedLive(`over ${scheme}: a connection cut mid-body fails as cut and leaves nothing`, () =>
      Effect.gen(function* () {
        const files = yield* origin(randomBytes(4 * MiB))
        const dir = yield* tempDir
        const error = yield* Effect.flip(
          fetchToFile(new URL(`${files.url}/cut/${4 * MiB}`), path.join(dir, "cut.csv"), {
            ...limits,
            ca: files.ca
          })
        )
        expect(error.error).toMatchObject({ _tag: "DownloadError", reason: "length-mismatch" })
        expect(error.error.message).toContain("was cut after")
        expect(fs.readdirSync(dir)).toEqual([])
      })
    )

    it.scopedLive(`over ${scheme}: interrupted mid-stream, no file and no temporary file remain`, () =>
      Effect.gen(function* () {
        let sent = 0
        // announces 64 MiB, sends 2 MiB, then stalls
        const stalling = yield* serve((_req, res) => {
          res.writeHead(200, { "content-length": String(64 * MiB) })
          res.write(Buffer.alloc(2 * MiB, 97), () => {
            sent += 2 * MiB
          })
        })
        const dir = yield* tempDir
        const fiber = yield* Effect.fork(
          fetchToFile(new URL(`${stalling.url}/slow.csv`), path.join(dir, "slow.csv"), {
            ...limits,
            ca: stalling.ca
          })
        )
        yield* waitFor(() => sent > 0 && fs.readdirSync(dir).length > 0)
        expect(fs.readdirSync(dir)[0]).toMatch(/^\.slow\.csv\..*\.part$/)
        yield* Fiber.interrupt(fiber)
        expect(fs.readdirSync(dir)).toEqual([])
      })
    )

    it.scopedLive(
      `over ${scheme}: a host name resolving to a refused address is refused at connect time, unreached`,
      () =>
        Effect.gen(function* () {
          let reached = 0
          const files = yield* origin(randomBytes(16))
          files.server.on("connection", () => {
            reached++
          })
          const dir = yield* tempDir
          const url = new URL(files.url)
          url.hostname = "localhost"
          url.pathname = "/bytes/16"
          const refused = yield* Effect.flip(
            fetchToFile(url, path.join(dir, "x.csv"), {
              ...limits,
              ca: files.ca,
              acceptAddress: (address) => address !== "127.0.0.1" && address !== "::1"
            })
          )
          expect(refused.error).toMatchObject({ _tag: "DownloadError", reason: "unsafe-url" })
          expect(reached).toBe(0)
          // the same name, its address accepted: connects, and over TLS checks the certificate's name
          const allowed = yield* fetchToFile(url, path.join(dir, "x.csv"), {
            ...limits,
            ca: files.ca,
            acceptAddress: () => true
          })
          expect(allowed.bytes).toBe(16)
          expect(reached).toBe(1)
        })
    )
  }
})
