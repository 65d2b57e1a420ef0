import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { temporaryFolders } from "../../transport/test/files.js"
import { Journal, RecordDownload, Retention } from "../src/index.js"

const tempDir = temporaryFolders("booster-record-download-")
const run = <A, E>(journal: Journal.Service, effect: Effect.Effect<A, E, Journal.Journal>) =>
  Effect.runPromise(effect.pipe(Effect.provide(Layer.succeed(Journal.Journal, journal))))

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
})
