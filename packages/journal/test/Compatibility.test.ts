/**
 * A journal written by the first version (when the journal was part of `@booster-export/transport`):
 * `fixtures/journal-v0/journal.jsonl`, six entries of one export written by that code, is read,
 * verified, recognised as a repeat and continued by this one.
 */
import { cp } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { temporaryFolders } from "../../transport/test/files.js"
import { AuditTrail, Downloads, GuardedStart, Journal, RecordDownload, Retention } from "../src/index.js"
import * as V0 from "./v0.js"

const tempDir = temporaryFolders("booster-journal-v0-")
const fixture = fileURLToPath(new URL("./fixtures/journal-v0/", import.meta.url))
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

describe("a journal file written by the first version", () => {
  it("is read, verified, recognised as a repeat and continued", async () => {
    const directory = await tempDir()
    await cp(fixture, directory, { recursive: true })
    const journal = Journal.make(directory)
    const entries = await run(journal.entries)
    expect(entries.map((entry) => entry.event)).toEqual(V0.events)
    expect(entries[1]).toMatchObject({
      actor: "ada@workstation",
      asyncTaskId: V0.asyncTaskId,
      fingerprint: V0.fingerprint,
      purpose: "ticket OPS-142"
    })
    // no kind member then: a customer export
    expect(entries.map(Journal.kindOf)).toEqual(Array(6).fill("customers"))
    expect(AuditTrail.verify(await run(journal.trail))).toMatchObject({
      ok: true,
      entries: 6,
      head: { seq: 6 }
    })
    expect(Retention.files(entries)).toEqual([
      expect.objectContaining({
        asyncTaskId: V0.asyncTaskId,
        deletedAt: "2026-04-02T00:00:00.000Z",
        bytes: 48213
      })
    ])
    // its downloads are this install's own: only this user writes that file
    expect(Retention.files(await run(Downloads.make(directory).entries))).toEqual(Retention.files(entries))
    expect(Journal.rows(entries)[1]).toMatchObject({
      asyncTaskId: V0.asyncTaskId,
      status: "COM",
      source: "cli"
    })

    const inJournal = Effect.provide(Layer.succeed(Journal.Journal, journal))
    const outcome = await run(
      GuardedStart.run({
        source: "library",
        fingerprint: V0.fingerprint,
        host: "booster.example.com",
        // a window reaching back to that start
        duplicateWindowMs: Date.now() - Date.parse(V0.startedAt) + 60_000,
        onDuplicate: "refuse",
        onUnwritableJournal: "refuse",
        start: () => Effect.die("a repeat must not be sent")
      }).pipe(inJournal)
    )
    expect(outcome).toMatchObject({ _tag: "Refused", entry: { asyncTaskId: V0.asyncTaskId } })

    await run(
      RecordDownload.record({
        source: "library",
        asyncTaskId: V0.asyncTaskId.toUpperCase(),
        host: "booster.example.com",
        file: {
          path: join(directory, "again.csv"),
          bytes: 3,
          sha256: "ab".repeat(32),
          contentType: "text/csv"
        }
      }).pipe(inJournal, Effect.provide(Downloads.layer(directory)))
    )
    const after = await run(journal.entries)
    expect(after.at(-1)).toMatchObject({
      seq: 7,
      event: "downloaded",
      fingerprint: V0.fingerprint,
      downloadRequestId: V0.downloadRequestId
    })
    expect(AuditTrail.verify(await run(journal.trail))).toMatchObject({ ok: true, entries: 7 })
  })
})
