/**
 * The tampering scenarios the audit chain must reveal, run against the file journal and the
 * PostgreSQL journal alike: each store says how to alter, remove and reorder its stored entries.
 */
import { Effect } from "effect"
import { expect } from "vitest"
import { AuditTrail, type Journal } from "../src/index.js"

/** How a test reaches behind a journal to change what it stored. */
export interface Store {
  readonly journal: Journal.Service
  /** Replaces the stored value of entry `seq` by `change(value)`. */
  readonly alter: (
    seq: number,
    change: (value: Record<string, unknown>) => Record<string, unknown>
  ) => Promise<void>
  /** Removes entry `seq`. */
  readonly remove: (seq: number) => Promise<void>
  /** Swaps the places of entries `a` and `b`. */
  readonly swap: (a: number, b: number) => Promise<void>
}

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

/** Appends five entries, as the front ends do. */
export const fill = async (journal: Journal.Service) => {
  for (const [i, event] of ["started", "completed", "downloaded", "started", "failed"].entries()) {
    await run(
      journal.append({
        source: i % 2 === 0 ? "cli" : "mcp",
        event,
        asyncTaskId: `task-${i}`,
        downloadRequestId: `request-${i}`,
        fingerprint: "hmac-sha256:abc",
        host: "booster.example.com",
        description: "Clients of CAR at 1 point of sale (ES100)",
        purpose: "ticket OPS-142",
        ...(event === "downloaded" ? { file: "/exports/a.csv", bytes: 1234, sha256: "ab".repeat(32) } : {})
      })
    )
  }
}

/** The outcome of verifying the journal's stored trail, as the journal verifies it. */
export const verify = async (journal: Journal.Service, _where?: string) => run(journal.verify)

/** Every scenario, each on a fresh store from `fresh`. */
export const scenarios = (fresh: () => Promise<Store>, where?: string) => ({
  intact: async () => {
    const { journal } = await fresh()
    await fill(journal)
    const result = await verify(journal, where)
    expect(result).toMatchObject({ ok: true, entries: 5, head: { seq: 5 } })
  },
  alteredValue: async () => {
    const store = await fresh()
    await fill(store.journal)
    await store.alter(3, (value) => ({ ...value, bytes: 999 }))
    const result = await verify(store.journal, where)
    expect(result).toMatchObject({ ok: false, problem: "altered", seq: 3 })
    if (!result.ok) expect(result.message).toMatch(/^Entry 3 .*altered/)
  },
  alteredAndRehashed: async () => {
    const store = await fresh()
    await fill(store.journal)
    // a careful forger recomputes the altered entry's own hash: the next entry still gives it away
    // (in the database the link is keyed, so the forger's hash does not even match its own entry)
    await store.alter(2, (value) => {
      const changed = { ...value, actor: "someone-else@elsewhere" }
      return { ...changed, hash: AuditTrail.hashOf(changed) }
    })
    const result = await verify(store.journal, where)
    expect(result).toMatchObject({ ok: false, problem: "altered", seq: 2 })
    if (!result.ok) expect(result.message).toContain("Entry 2 was altered")
  },
  removed: async () => {
    const store = await fresh()
    await fill(store.journal)
    await store.remove(3)
    const result = await verify(store.journal, where)
    expect(result).toMatchObject({ ok: false, problem: "removed", seq: 3 })
    if (!result.ok) expect(result.message).toContain("Entry 3 was removed")
  },
  reordered: async () => {
    const store = await fresh()
    await fill(store.journal)
    await store.swap(2, 4)
    const result = await verify(store.journal, where)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(["reordered", "altered"]).toContain(result.problem)
      expect(result.seq === 2 || result.seq === 4).toBe(true)
    }
  }
})
