import { chmod, chown, mkdir, stat, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { temporaryFolders } from "../../transport/test/files.js"
import { GuardedStart, Journal, Starts } from "../src/index.js"

const tempDir = temporaryFolders("booster-starts-")
/** Only root can give a file to another user: without it, that case cannot be set up. */
const isRoot = process.getuid?.() === 0
/** A line of the record naming a start of `asyncTaskId` by this user's booster-mcp. */
const line = (asyncTaskId: string) =>
  `${JSON.stringify({ at: "2026-01-02T03:04:05.000Z", source: "mcp", asyncTaskId, host, actor: "me@here", kind: "customers" })}\n`
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const host = "booster.example.com"

/** A start as booster-mcp makes it, in `journal`, with `own` (this install's record) in the context or not. */
const start = (
  journal: Journal.Service,
  own: Starts.Service | undefined,
  asyncTaskId: string,
  reconciled = false
) => {
  const started = GuardedStart.run({
    source: "mcp",
    fingerprint: `hmac-sha256:${"c".repeat(64)}`,
    host,
    actor: "oauth:alice",
    duplicateWindowMs: 0,
    onDuplicate: "refuse",
    onUnwritableJournal: "refuse",
    start: () => Effect.succeed({ asyncTaskId, reconciled })
  }).pipe(Effect.provide(Layer.succeed(Journal.Journal, journal)))
  return run(own === undefined ? started : Effect.provideService(started, Starts.Starts, own))
}

describe("Starts", () => {
  it("is written by the guarded start, 0600 in a 0700 folder, with the task, host, source and actor", async () => {
    const directory = join(await tempDir(), "state")
    const own = Starts.make(directory)
    // the journal elsewhere (a team database): its rows are not this record
    const journal = Journal.make(await tempDir())
    const outcome = await start(journal, own, "a1")
    expect(outcome).toMatchObject({ _tag: "Started", unrecordedHere: undefined })
    const entries = await run(own.entries)
    expect(entries).toEqual([
      expect.objectContaining({
        source: "mcp",
        asyncTaskId: "a1",
        host,
        actor: "oauth:alice",
        kind: "customers"
      })
    ])
    expect((await stat(own.location)).mode & 0o777).toBe(0o600)
    expect((await stat(directory)).mode & 0o777).toBe(0o700)
    expect(Starts.includes(entries, { asyncTaskId: "A1", source: "mcp", host, actor: "oauth:alice" })).toBe(
      true
    )
    expect(Starts.includes(entries, { asyncTaskId: "a1", source: "mcp", host, actor: "bob@laptop" })).toBe(
      false
    )
    expect(Starts.includes(entries, { asyncTaskId: "a1", source: "cli", host, actor: "oauth:alice" })).toBe(
      false
    )
    expect(
      Starts.includes(entries, { asyncTaskId: "a1", source: "mcp", host: "other", actor: "oauth:alice" })
    ).toBe(false)
  })

  it("holds no task found afterwards for a start whose answer was lost, in its record or its local journal", async () => {
    const directory = await tempDir()
    const own = Starts.make(directory)
    const journal = Journal.make(directory)
    const outcome = await start(journal, own, "found", true)
    expect(outcome).toMatchObject({ _tag: "Started", unrecordedHere: undefined })
    // the journal knows it (a repeat is recognised), marked as found afterwards
    expect(await run(journal.entries)).toContainEqual(
      expect.objectContaining({ event: "started", asyncTaskId: "found", reconciled: true })
    )
    const entries = await run(own.entries)
    expect(
      Starts.includes(entries, { asyncTaskId: "found", source: "mcp", host, actor: "oauth:alice" })
    ).toBe(false)
    await start(journal, own, "made")
    expect(
      Starts.includes(await run(own.entries), {
        asyncTaskId: "made",
        source: "mcp",
        host,
        actor: "oauth:alice"
      })
    ).toBe(true)
  })

  it("holds nothing of a journal in another folder, and the starts of the local journal file of its own", async () => {
    const directory = await tempDir()
    const own = Starts.make(directory)
    // a start recorded in a team journal only (another folder here): not this install's
    await start(Journal.make(await tempDir()), undefined, "elsewhere")
    expect(await run(own.entries)).toEqual([])
    // the local journal file of the same folder: only this user writes it
    const local = Journal.make(directory)
    await run(local.append({ source: "mcp", event: "started", asyncTaskId: "older", host, actor: "me@here" }))
    await run(local.append({ source: "mcp", event: "downloaded", asyncTaskId: "older", file: "/x/a.csv" }))
    await start(local, own, "newer")
    const entries = await run(own.entries)
    expect(entries.map((entry) => entry.asyncTaskId)).toEqual(["older", "newer"])
    expect(Starts.includes(entries, { asyncTaskId: "older", source: "mcp", host, actor: "me@here" })).toBe(
      true
    )
  })

  it("reports a start it cannot write to the record, and still starts", async () => {
    const directory = await tempDir()
    const blocked = join(directory, "a-file")
    await writeFile(blocked, "")
    const outcome = await start(Journal.make(directory), Starts.make(blocked), "a1")
    expect(outcome).toMatchObject({
      _tag: "Started",
      unrecorded: undefined,
      unrecordedHere: { _tag: "JournalError", path: join(blocked, Starts.FILE) }
    })
  })

  it("holds nothing of a record or local journal that others may write, and appends nothing to it", async () => {
    const directory = await tempDir()
    const own = Starts.make(directory)
    await writeFile(own.location, line("planted"), { mode: 0o600 })
    await writeFile(join(directory, Journal.FILE), line("planted-in-journal"), { mode: 0o600 })
    expect((await run(own.entries)).map((entry) => entry.asyncTaskId).sort()).toEqual([
      "planted",
      "planted-in-journal"
    ])

    await chmod(own.location, 0o620)
    await chmod(join(directory, Journal.FILE), 0o602)
    expect(await run(own.entries)).toEqual([])
    const outcome = await start(Journal.make(await tempDir()), own, "a1")
    expect(outcome).toMatchObject({
      _tag: "Started",
      unrecordedHere: { _tag: "JournalError", path: own.location, code: "EPERM" }
    })
    expect((outcome as { unrecordedHere: Error }).unrecordedHere.message).toContain(
      "other users may write it"
    )
    expect(await run(own.entries)).toEqual([])
  })

  it("holds nothing of a link put in place of the record, and appends nothing through it", async () => {
    const directory = await tempDir()
    const elsewhere = join(await tempDir(), "mine.jsonl")
    await writeFile(elsewhere, line("linked"), { mode: 0o600 })
    const own = Starts.make(directory)
    await mkdir(directory, { recursive: true })
    await symlink(elsewhere, own.location)
    expect(await run(own.entries)).toEqual([])
    const outcome = await start(Journal.make(await tempDir()), own, "a1")
    expect(outcome).toMatchObject({
      _tag: "Started",
      unrecordedHere: { _tag: "JournalError", path: own.location }
    })
    expect(await run(Starts.make(join(elsewhere, "..")).entries)).toEqual([])
  })

  it.skipIf(!isRoot)("holds nothing of a record or local journal owned by another user", async () => {
    const directory = await tempDir()
    const own = Starts.make(directory)
    await writeFile(own.location, line("planted"), { mode: 0o600 })
    await writeFile(join(directory, Journal.FILE), line("planted-in-journal"), { mode: 0o600 })
    await chown(own.location, 65534, 65534)
    await chown(join(directory, Journal.FILE), 65534, 65534)
    expect(await run(own.entries)).toEqual([])
    const outcome = await start(Journal.make(await tempDir()), own, "a1")
    expect(outcome).toMatchObject({
      _tag: "Started",
      unrecordedHere: { _tag: "JournalError", path: own.location, code: "EPERM" }
    })
    expect((outcome as { unrecordedHere: Error }).unrecordedHere.message).toContain("owned by another user")
    expect(await run(own.entries)).toEqual([])
  })
})
