import { randomUUID } from "node:crypto"
import { symlink } from "node:fs/promises"
import { join } from "node:path"
import type { Task } from "@booster-export/core"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { temporaryFolders } from "../../transport/test/files.js"
import { GuardedStart, Journal } from "../src/index.js"

const tempDir = temporaryFolders("booster-guarded-")

const fingerprint = `hmac-sha256:${"c".repeat(64)}`
const host = "booster.example.com"

/** A fake API: counts the starts it receives, each answered with a new task. */
const api = () => {
  const sent: Array<string> = []
  return {
    sent,
    start: (downloadRequestId: string) =>
      Effect.sync(() => {
        sent.push(downloadRequestId)
        return { asyncTaskId: randomUUID().replace(/-/g, ""), reconciled: false }
      })
  }
}

const taskIn = (status: string, asyncTaskId: string): Task.Task => ({
  asyncTaskId,
  type: "crm",
  requestDate: "2026-01-01T00:00:00.000Z",
  requestDateRaw: "2026-01-01T00:00:00Z",
  status,
  percentage: status === "COM" ? 100 : 0,
  brand: "CAR"
})

const options = <S extends GuardedStart.Created, E>(
  start: (downloadRequestId: string) => Effect.Effect<S, E>
) => ({
  source: "library",
  fingerprint,
  host,
  brand: "CAR",
  description: "Clients of CAR at 1 point of sale (ES100)",
  purpose: "ticket OPS-142",
  duplicateWindowMs: 60 * 60_000,
  onDuplicate: "refuse" as const,
  onUnwritableJournal: "refuse" as const,
  start
})

const inJournal = (journal: Journal.Service) => Effect.provide(Layer.succeed(Journal.Journal, journal))

const run = <A, E>(journal: Journal.Service, effect: Effect.Effect<A, E, Journal.Journal>) =>
  Effect.runPromise(effect.pipe(inJournal(journal)))

describe("GuardedStart.run", () => {
  it("records the request before sending and the start after, with the kind, the description and the purpose", async () => {
    const journal = Journal.make(await tempDir())
    const { sent } = api()
    const seenBeforeSending: Array<ReadonlyArray<Journal.Entry>> = []
    const outcome = await run(
      journal,
      GuardedStart.run({
        ...options((id) =>
          Effect.flatMap(journal.entries, (entries) => {
            seenBeforeSending.push(entries)
            sent.push(id)
            return Effect.succeed({ asyncTaskId: "a1", reconciled: false })
          })
        ),
        downloadRequestId: "req-1"
      })
    )
    expect(outcome).toMatchObject({
      _tag: "Started",
      started: { asyncTaskId: "a1" },
      downloadRequestId: "req-1",
      unguarded: undefined,
      unrecorded: undefined
    })
    expect(sent).toEqual(["req-1"])
    expect(seenBeforeSending[0]!.map((entry) => entry.event)).toEqual(["requested"])
    const entries = await Effect.runPromise(journal.entries)
    const recorded = {
      source: "library",
      kind: "customers",
      fingerprint,
      host,
      downloadRequestId: "req-1",
      brand: "CAR",
      description: "Clients of CAR at 1 point of sale (ES100)",
      purpose: "ticket OPS-142"
    }
    expect(entries).toEqual([
      expect.objectContaining({ ...recorded, event: "requested", asyncTaskId: "" }),
      expect.objectContaining({
        ...recorded,
        event: "started",
        asyncTaskId: "a1",
        at: outcome._tag === "Started" ? outcome.at : ""
      })
    ])
  })

  it("refuses or reuses a recent start of the same filter, sending nothing; asks the callback; force and a window of 0 start anew", async () => {
    const journal = Journal.make(await tempDir())
    const { sent, start } = api()
    const first = await run(journal, GuardedStart.run(options(start)))
    expect(first._tag).toBe("Started")
    const firstTask = first._tag === "Started" ? first.started.asyncTaskId : ""

    const refused = await run(journal, GuardedStart.run(options(start)))
    expect(refused).toMatchObject({ _tag: "Refused", meanwhile: false, entry: { asyncTaskId: firstTask } })
    const reused = await run(journal, GuardedStart.run({ ...options(start), onDuplicate: "reuse" }))
    expect(reused).toMatchObject({ _tag: "Reused", meanwhile: false, entry: { asyncTaskId: firstTask } })
    expect(sent).toHaveLength(1)

    const asked: Array<string> = []
    const ask = (answer: "refuse" | "reuse" | "start") => (earlier: GuardedStart.Earlier) =>
      Effect.sync(() => {
        asked.push(earlier.entry.asyncTaskId)
        return answer
      })
    expect(
      (await run(journal, GuardedStart.run({ ...options(start), onDuplicate: ask("reuse") })))._tag
    ).toBe("Reused")
    expect(
      (await run(journal, GuardedStart.run({ ...options(start), onDuplicate: ask("refuse") })))._tag
    ).toBe("Refused")
    expect(sent).toHaveLength(1)
    const anyway = await run(journal, GuardedStart.run({ ...options(start), onDuplicate: ask("start") }))
    expect(anyway._tag).toBe("Started")
    expect(asked).toEqual([firstTask, firstTask, firstTask])
    expect(sent).toHaveLength(2)

    expect((await run(journal, GuardedStart.run({ ...options(start), force: true })))._tag).toBe("Started")
    expect((await run(journal, GuardedStart.run({ ...options(start), duplicateWindowMs: 0 })))._tag).toBe(
      "Started"
    )
    expect(sent).toHaveLength(4)
    // another export kind, or another API host, is another export
    expect((await run(journal, GuardedStart.run({ ...options(start), kind: "stock" })))._tag).toBe("Started")
    expect(
      (await run(journal, GuardedStart.run({ ...options(start), host: "other.example.com" })))._tag
    ).toBe("Started")
    expect(sent).toHaveLength(6)
  })

  it("lets a retry through when the earlier start's task ended in error, unless told to block it", async () => {
    const journal = Journal.make(await tempDir())
    const { sent, start } = api()
    await run(journal, GuardedStart.run(options(start)))
    const statusOf = (status: string | undefined) => {
      const asked: Array<string> = []
      return {
        asked,
        taskStatus: (id: string) =>
          Effect.sync(() => {
            asked.push(id)
            return status === undefined ? undefined : taskIn(status, id)
          })
      }
    }
    const failed = statusOf("ERR")
    const retried = await run(journal, GuardedStart.run({ ...options(start), taskStatus: failed.taskStatus }))
    expect(retried._tag).toBe("Started")
    expect(failed.asked).toHaveLength(1)
    expect(sent).toHaveLength(2)

    // the retry is now the recent start; it is running, so it blocks
    const running = statusOf("INP")
    const blocked = await run(
      journal,
      GuardedStart.run({ ...options(start), taskStatus: running.taskStatus })
    )
    expect(blocked).toMatchObject({ _tag: "Refused", task: { status: "INP" } })
    // a task the API does not know still blocks: it may have exported the same people
    const unknown = statusOf(undefined)
    expect(
      (await run(journal, GuardedStart.run({ ...options(start), taskStatus: unknown.taskStatus })))._tag
    ).toBe("Refused")
    // told to block: an earlier failed task is a repeat like any other
    const strict = await run(
      journal,
      GuardedStart.run({ ...options(start), taskStatus: statusOf("ERR").taskStatus, earlierFailed: "block" })
    )
    expect(strict).toMatchObject({ _tag: "Refused", task: { status: "ERR" } })
    expect(sent).toHaveLength(2)
  })

  it("sees a start made by another process while this one was getting ready, and never asks under the lock", async () => {
    const journal = Journal.make(await tempDir())
    const { sent, start } = api()
    const elsewhere = (asyncTaskId: string) =>
      journal.append({ source: "mcp", event: "started", asyncTaskId, fingerprint, host })
    const raced = (onDuplicate: GuardedStart.OnDuplicate<never, never>, asyncTaskId: string) =>
      run(journal, GuardedStart.run({ ...options(start), onDuplicate, confirm: elsewhere(asyncTaskId) }))
    expect(await raced("reuse", "t1")).toMatchObject({
      _tag: "Reused",
      meanwhile: true,
      entry: { asyncTaskId: "t1" }
    })
    // the callback is not asked again under the lock: refused
    let asked = 0
    const ask = () =>
      Effect.sync(() => {
        asked++
        return "start" as const
      })
    expect(await raced(ask, "t2")).toMatchObject({
      _tag: "Refused",
      meanwhile: true,
      entry: { asyncTaskId: "t2" }
    })
    expect(asked).toBe(1)
    expect(sent).toEqual([])
  })

  it("starts one export when many fibers start the same filter at once; the others reuse it", async () => {
    const journal = Journal.make(await tempDir())
    const { sent, start } = api()
    const outcomes = await run(
      journal,
      Effect.all(
        Array.from({ length: 8 }, () => GuardedStart.run({ ...options(start), onDuplicate: "reuse" })),
        { concurrency: "unbounded" }
      )
    )
    expect(outcomes.map((outcome) => outcome._tag).sort()).toEqual([
      "Reused",
      "Reused",
      "Reused",
      "Reused",
      "Reused",
      "Reused",
      "Reused",
      "Started"
    ])
    expect(sent).toHaveLength(1)
  })

  it("stops without sending or recording when the confirmation fails", async () => {
    const journal = Journal.make(await tempDir())
    const { sent, start } = api()
    const error = await run(
      journal,
      Effect.flip(GuardedStart.run({ ...options(start), confirm: Effect.fail("declined" as const) }))
    )
    expect(error).toBe("declined")
    expect(sent).toEqual([])
    expect(await Effect.runPromise(journal.entries)).toEqual([])
  })

  it("refuses where the journal cannot be written, or sends unguarded when told, saying why", async () => {
    const directory = await tempDir()
    // every write to /dev/full fails with ENOSPC, for root too
    await symlink("/dev/full", join(directory, "journal.jsonl"))
    const journal = Journal.make(directory)
    const { sent, start } = api()
    const refused = await run(journal, Effect.flip(GuardedStart.run(options(start))))
    expect(refused).toMatchObject({
      _tag: "JournalError",
      code: "ENOSPC",
      path: join(directory, "journal.jsonl")
    })
    expect(sent).toEqual([])
    const unguarded = await run(
      journal,
      GuardedStart.run({ ...options(start), onUnwritableJournal: "send-unguarded" })
    )
    expect(unguarded).toMatchObject({ _tag: "Started", unguarded: expect.stringContaining("ENOSPC") })
    // and the start itself could not be recorded
    expect(unguarded._tag === "Started" && unguarded.unrecorded?.code).toBe("ENOSPC")
    expect(sent).toHaveLength(1)
  })

  it("never sends unguarded past a team database that fails (no path: it fails closed)", async () => {
    const journal = Journal.make(await tempDir())
    const unreachable: Journal.Service = {
      ...journal,
      location: "postgres://db.example.com/booster",
      withStartLock: () => () =>
        Effect.fail(new Journal.JournalError({ message: "could not lock a start in the team journal" }))
    }
    const { sent, start } = api()
    const error = await run(
      unreachable,
      Effect.flip(GuardedStart.run({ ...options(start), onUnwritableJournal: "send-unguarded" }))
    )
    expect(error.message).toContain("could not lock a start")
    expect(sent).toEqual([])
  })

  it("reports a start it could not record instead of failing it", async () => {
    const journal = Journal.make(await tempDir())
    const forgetful: Journal.Service = {
      ...journal,
      append: (entry) =>
        entry.event === "started"
          ? Effect.fail(new Journal.JournalError({ message: "could not write to the team journal" }))
          : journal.append(entry)
    }
    const { sent, start } = api()
    const outcome = await run(forgetful, GuardedStart.run(options(start)))
    expect(outcome).toMatchObject({
      _tag: "Started",
      unrecorded: { message: "could not write to the team journal" }
    })
    expect(sent).toHaveLength(1)
  })
})

describe("GuardedStart.unguarded", () => {
  it("sends without a check or a request record, says why, and records the start when it can", async () => {
    const journal = Journal.make(await tempDir())
    const { sent, start } = api()
    await run(journal, GuardedStart.run(options(start)))
    const outcome = await run(journal, GuardedStart.unguarded(options(start), "the key cannot be created"))
    expect(outcome).toMatchObject({
      _tag: "Started",
      unguarded: "the key cannot be created",
      unrecorded: undefined
    })
    expect(sent).toHaveLength(2)
    expect((await Effect.runPromise(journal.entries)).map((entry) => entry.event)).toEqual([
      "requested",
      "started",
      "started"
    ])
  })
})
