import { createHash } from "node:crypto"
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { AuditTrail, Journal, Retention } from "../src/index.js"

let roots: Array<string> = []
afterEach(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
  roots = []
})

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const DAY = 86_400_000
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

describe("Retention", () => {
  it("deletes only expired files still as downloaded, records each deletion, and leaves a changed or moved file in place", async () => {
    const root = await mkdtemp(join(tmpdir(), "booster-retention-"))
    roots.push(root)
    const journal = Journal.make(join(root, "state"))
    const now = Date.parse("2026-06-01T00:00:00.000Z")
    const download = async (name: string, content: string, daysAgo: number, keptDays = 30) => {
      const path = join(root, name)
      await writeFile(path, content)
      await run(
        journal.append({
          at: new Date(now - daysAgo * DAY).toISOString(),
          source: "cli",
          event: "downloaded",
          asyncTaskId: `task-${name}`,
          file: path,
          bytes: Buffer.byteLength(content),
          sha256: sha256(content),
          expiresAt: Retention.expiresAt(now - daysAgo * DAY, keptDays)
        })
      )
      return path
    }
    const expired = await download("expired.csv", "a,b\n1,2\n", 31)
    const fresh = await download("fresh.csv", "a,b\n3,4\n", 29)
    const shortLived = await download("short.csv", "a,b\n5,6\n", 2, 1)
    const changed = await download("changed.csv", "a,b\n7,8\n", 40)
    await writeFile(changed, "a,b\n7,9\n") // same size, other content
    const moved = await download("moved.csv", "a,b\n", 40)
    await rm(moved)

    const outcomes = await run(Retention.purge(journal, { source: "cli", now }))
    expect(outcomes.map((o) => [o.file.path, o.outcome]).sort()).toEqual(
      [
        [changed, "changed"],
        [expired, "deleted"],
        [moved, "missing"],
        [shortLived, "deleted"]
      ].sort()
    )
    await expect(stat(expired)).rejects.toThrow()
    await expect(stat(shortLived)).rejects.toThrow()
    expect(await readFile(fresh, "utf8")).toBe("a,b\n3,4\n")
    expect(await readFile(changed, "utf8")).toBe("a,b\n7,9\n")

    const entries = await run(journal.entries)
    const deleted = entries.filter((entry) => entry.event === "deleted")
    expect(deleted.map((entry) => entry.file).sort()).toEqual([expired, shortLived].sort())
    expect(deleted.every((entry) => entry.sha256 !== undefined && entry.actor !== undefined)).toBe(true)
    expect(AuditTrail.verify(await run(journal.trail))).toMatchObject({ ok: true })

    // a second purge has nothing left to delete; the kept files are listed as such
    const again = await run(Retention.purge(journal, { source: "cli", now }))
    expect(again.filter((o) => o.outcome === "deleted")).toEqual([])
    const states = await run(
      Effect.forEach(Retention.files(entries), (file) =>
        Effect.map(Retention.inspect(file), (state) => [file.path, state])
      )
    )
    expect(Object.fromEntries(states)).toEqual({
      [expired]: "deleted",
      [fresh]: "kept",
      [shortLived]: "deleted",
      [changed]: "changed",
      [moved]: "missing"
    })

    // --older-than: by age of the download, whatever the expiry
    const byAge = await run(
      Retention.purge(journal, { source: "cli", now, olderThanMs: 20 * DAY, dryRun: true })
    )
    expect(byAge.filter((o) => o.outcome === "deleted").map((o) => o.file.path)).toEqual([fresh])
    expect(await readFile(fresh, "utf8")).toBe("a,b\n3,4\n")
  })
})
