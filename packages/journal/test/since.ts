/**
 * A time-bounded read (`entriesSince`), checked the same way against the file journal and the
 * PostgreSQL journal: the entries at or after the time, with the older start of each task they are
 * about, oldest first — what reading every entry and filtering by time gives.
 */
import { Effect } from "effect"
import { expect } from "vitest"
import type { Journal } from "../src/index.js"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

/** The time the scenario reads from: 2026-02-01, midnight UTC. */
export const SINCE = Date.parse("2026-02-01T00:00:00.000Z")

/** The scenario's entries, deliberately not in time order (also used by the command line's tests). */
export const AROUND: ReadonlyArray<Journal.NewEntry> = [
  {
    at: "2026-01-01T10:00:00.000Z",
    source: "cli",
    event: "started",
    asyncTaskId: "a",
    purpose: "ticket A",
    brand: "CAR",
    description: "Clients of CAR"
  },
  {
    at: "2026-01-02T10:00:00.000Z",
    source: "mcp",
    event: "started",
    asyncTaskId: "b",
    purpose: "ticket B"
  },
  { at: "2026-02-01T00:00:00.000Z", source: "cli", event: "completed", asyncTaskId: "a", status: "COM" },
  {
    at: "2026-02-03T08:00:00.000Z",
    source: "cli",
    event: "downloaded",
    asyncTaskId: "a",
    file: "/x/a.csv",
    bytes: 10
  },
  { at: "2026-02-02T09:00:00.000Z", source: "mcp", event: "started", asyncTaskId: "c" },
  { at: "2026-01-31T23:59:59.999Z", source: "cli", event: "started", asyncTaskId: "d" },
  { at: "2026-01-20T00:00:00.000Z", source: "cli", event: "completed", asyncTaskId: "d", status: "COM" }
]

/** Appends {@link AROUND}. */
export const fillAround = async (journal: Journal.Service) => {
  for (const entry of AROUND) await run(journal.append(entry))
}

/** What `entriesSince(SINCE)` must give after {@link fillAround}: `[task, event, at]`, oldest first. */
export const expectedAround = [
  ["a", "started", "2026-01-01T10:00:00.000Z"],
  ["a", "completed", "2026-02-01T00:00:00.000Z"],
  ["c", "started", "2026-02-02T09:00:00.000Z"],
  ["a", "downloaded", "2026-02-03T08:00:00.000Z"]
]

/** Checks `entriesSince` against the scenario, and against `entries` filtered by time. */
export const checkAround = async (journal: Journal.Service) => {
  const since = await run(journal.entriesSince(SINCE))
  expect(since.map((entry) => [entry.asyncTaskId, entry.event, entry.at])).toEqual(expectedAround)
  // the older start comes whole: what a row about the download says of its start
  expect(since[0]).toMatchObject({ purpose: "ticket A", description: "Clients of CAR" })
  // the same entries as reading everything and keeping the recent ones and their starts
  const all = await run(journal.entries)
  const recent = all.filter((entry) => Date.parse(entry.at) >= SINCE)
  const tasks = new Set(recent.map((entry) => entry.asyncTaskId))
  expect(since).toEqual(
    all.filter(
      (entry) =>
        Date.parse(entry.at) >= SINCE ||
        (tasks.has(entry.asyncTaskId) && entry.file === undefined && entry.event === "started")
    )
  )
  expect(await run(journal.entriesSince(Date.parse("2999-01-01T00:00:00Z")))).toEqual([])
}
