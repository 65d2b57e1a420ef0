import { mkdir, realpath, stat, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { temporaryFolders } from "../../transport/test/files.js"
import { Downloads, Journal, RecordDownload, Retention } from "../src/index.js"

const tempDir = temporaryFolders("booster-record-download-")
/** Runs with `journal` and, as this install's record, the one of `own` (default: a fresh folder). */
const run = async <A, E>(
  journal: Journal.Service,
  effect: Effect.Effect<A, E, Journal.Journal | Downloads.Downloads>,
  own?: Downloads.Service
) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(
        Layer.merge(
          Layer.succeed(Journal.Journal, journal),
          Layer.succeed(Downloads.Downloads, own ?? Downloads.make(await tempDir()))
        )
      )
    )
  )

const file = { path: "/exports/a.csv", bytes: 1234, sha256: "ab".repeat(32), contentType: "text/csv" }

describe("RecordDownload.record", () => {
  it("records the file with its expiry and the start's fingerprint, request id and kind", async () => {
    const journal = Journal.make(await tempDir())
    await Effect.runPromise(
      journal.append({
        source: "cli",
        event: "started",
        kind: "customers",
        asyncTaskId: "0123456789abcdef0123456789abcdef",
        fingerprint: "hmac-sha256:f",
        downloadRequestId: "req-1",
        host: "booster.example.com"
      })
    )
    const before = Date.now()
    // the id as the API may write it: dashes, capitals
    const entry = await run(
      journal,
      RecordDownload.record({
        source: "mcp",
        asyncTaskId: "01234567-89AB-CDEF-0123-456789ABCDEF",
        host: "booster.example.com",
        brand: "CAR",
        file,
        retentionDays: 7
      })
    )
    const recorded = (await Effect.runPromise(journal.entries)).at(-1)!
    expect(recorded).toMatchObject({
      source: "mcp",
      event: "downloaded",
      asyncTaskId: "01234567-89AB-CDEF-0123-456789ABCDEF",
      kind: "customers",
      fingerprint: "hmac-sha256:f",
      downloadRequestId: "req-1",
      host: "booster.example.com",
      brand: "CAR",
      file: "/exports/a.csv",
      bytes: 1234,
      sha256: "ab".repeat(32),
      contentType: "text/csv"
    })
    expect(recorded.expiresAt).toBe(Retention.expiresAt(Date.parse(recorded.at), 7))
    expect(Date.parse(recorded.at)).toBeGreaterThanOrEqual(before)
    expect(entry.expiresAt).toBe(recorded.expiresAt)
    // retention knows the file
    expect(Retention.files(await Effect.runPromise(journal.entries))).toEqual([
      expect.objectContaining({ path: "/exports/a.csv", expiresAt: recorded.expiresAt })
    ])
  })

  it("records a download whose start the journal does not have, kept the default 30 days", async () => {
    const journal = Journal.make(await tempDir())
    await run(journal, RecordDownload.record({ source: "cli", asyncTaskId: "t", host: undefined, file }))
    const [recorded] = await Effect.runPromise(journal.entries)
    expect(recorded).toMatchObject({ event: "downloaded", asyncTaskId: "t", file: "/exports/a.csv" })
    expect(recorded!.fingerprint).toBeUndefined()
    expect(recorded!.downloadRequestId).toBeUndefined()
    expect(Date.parse(recorded!.expiresAt!) - Date.parse(recorded!.at)).toBe(30 * 86_400_000)
  })

  it("records the kind the caller knows when the journal has no start, in the journal and this install's own record", async () => {
    const root = await tempDir()
    const own = Downloads.make(join(root, "state"))
    const journal = Journal.make(join(root, "team"))
    await run(
      journal,
      RecordDownload.record({ source: "mcp", asyncTaskId: "t", host: undefined, kind: "stock", file }),
      own
    )
    expect((await Effect.runPromise(journal.entries)).at(-1)).toMatchObject({
      event: "downloaded",
      kind: "stock"
    })
    expect((await Effect.runPromise(own.entries)).at(-1)).toMatchObject({
      event: "downloaded",
      kind: "stock"
    })
    // the journal's start says which kind the task is, whatever the caller guessed
    await Effect.runPromise(
      journal.append({ source: "cli", event: "started", kind: "invoices", asyncTaskId: "u", host: undefined })
    )
    await run(
      journal,
      RecordDownload.record({ source: "mcp", asyncTaskId: "u", host: undefined, kind: "stock", file }),
      own
    )
    expect((await Effect.runPromise(own.entries)).at(-1)).toMatchObject({
      asyncTaskId: "u",
      kind: "invoices"
    })
  })

  it("keeps this install's own record of the file, 0600 in a 0700 folder, with the real folder it was written into", async () => {
    const root = await tempDir()
    const state = join(root, "state")
    const own = Downloads.make(state)
    // a team journal elsewhere
    const journal = Journal.make(join(root, "team"))
    await mkdir(join(root, "real-exports"))
    await symlink(join(root, "real-exports"), join(root, "exports"))
    const path = join(root, "exports", "a.csv")
    await writeFile(path, "a\n")
    await run(
      journal,
      RecordDownload.record({ source: "cli", asyncTaskId: "t", host: undefined, file: { ...file, path } }),
      own
    )
    const [line] = await Effect.runPromise(own.entries)
    expect(line).toMatchObject({
      event: "downloaded",
      source: "cli",
      asyncTaskId: "t",
      file: path,
      folder: await realpath(join(root, "real-exports")),
      bytes: 1234,
      sha256: "ab".repeat(32)
    })
    expect((await stat(own.location)).mode & 0o777).toBe(0o600)
    expect((await stat(state)).mode & 0o777).toBe(0o700)
    // the same download is in the journal, for the team's history
    expect((await Effect.runPromise(journal.entries)).at(-1)).toMatchObject({
      event: "downloaded",
      file: path
    })
  })

  it("keeps the export kind of the start in this install's record, so retention can name it", async () => {
    const root = await tempDir()
    const own = Downloads.make(join(root, "state"))
    const journal = Journal.make(join(root, "journal"))
    await Effect.runPromise(
      journal.append({ source: "cli", event: "started", kind: "stock", asyncTaskId: "s", host: undefined })
    )
    await run(journal, RecordDownload.record({ source: "cli", asyncTaskId: "s", host: undefined, file }), own)
    await run(
      journal,
      RecordDownload.record({
        source: "cli",
        asyncTaskId: "c",
        host: undefined,
        file: { ...file, path: "/exports/b.csv" }
      }),
      own
    )
    expect((await Effect.runPromise(own.entries)).map((line) => line.kind)).toEqual(["stock", undefined])
    expect(Retention.files(await Effect.runPromise(own.entries)).map((f) => [f.path, f.kind])).toEqual([
      ["/exports/a.csv", "stock"],
      ["/exports/b.csv", undefined]
    ])
  })
})

describe("RecordDownload.recordDelivery", () => {
  it("records a delivery to stdout in the journal with the start's request id, and nothing retention would list", async () => {
    const folder = await tempDir()
    const journal = Journal.make(folder)
    const own = Downloads.make(folder)
    await Effect.runPromise(
      journal.append({
        source: "cli",
        event: "started",
        kind: "stock",
        asyncTaskId: "0123456789abcdef0123456789abcdef",
        fingerprint: "hmac-sha256:f",
        downloadRequestId: "req-1",
        host: "booster.example.com"
      })
    )
    const delivery = {
      source: "cli",
      asyncTaskId: "0123456789abcdef0123456789abcdef",
      host: "booster.example.com",
      destination: "stdout",
      bytes: 1234,
      sha256: "ab".repeat(32),
      contentType: "text/csv"
    } as const
    await run(journal, RecordDownload.recordDelivery({ ...delivery, complete: true }), own)
    await run(journal, RecordDownload.recordDelivery({ ...delivery, bytes: 100, complete: false }), own)
    const [complete, cut] = (await Effect.runPromise(journal.entries)).slice(-2)
    expect(complete).toMatchObject({
      event: "delivered",
      destination: "stdout",
      kind: "stock",
      downloadRequestId: "req-1",
      fingerprint: "hmac-sha256:f",
      bytes: 1234,
      sha256: "ab".repeat(32)
    })
    expect(complete).not.toHaveProperty("file")
    expect(complete).not.toHaveProperty("status")
    expect(cut).toMatchObject({ event: "delivered", status: "incomplete", bytes: 100 })
    // the local journal's downloads are read into this install's record: a delivery is not one
    expect(Retention.files(await Effect.runPromise(own.entries))).toEqual([])
  })
})
