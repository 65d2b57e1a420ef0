import { createHash } from "node:crypto"
import { lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import { Effect, Layer } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { AuditTrail, Downloads, Journal, RecordDownload, Retention } from "../src/index.js"

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
    // downloads recorded in the local journal file only, as versions before the record of downloads did
    const journal = Journal.make(join(root, "state"))
    const own = Downloads.make(join(root, "state"))
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

    const outcomes = await run(Retention.purge(own, journal, { source: "cli", now }))
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
    const again = await run(Retention.purge(own, journal, { source: "cli", now }))
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
      Retention.purge(own, journal, { source: "cli", now, olderThanMs: 20 * DAY, dryRun: true })
    )
    expect(byAge.filter((o) => o.outcome === "deleted").map((o) => o.file.path)).toEqual([fresh])
    expect(await readFile(fresh, "utf8")).toBe("a,b\n3,4\n")
  })
})

describe("Retention acts only on this install's downloads", () => {
  const setUp = async () => {
    const root = await mkdtemp(join(tmpdir(), "booster-retention-own-"))
    roots.push(root)
    const own = Downloads.make(join(root, "state"))
    // a journal others write to, as a team's database is
    const team = Journal.make(join(root, "team"))
    const exports = join(root, "exports")
    await mkdir(exports, { recursive: true })
    const download = async (path: string, content: string) => {
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, content)
      await Effect.runPromise(
        RecordDownload.record({
          source: "cli",
          asyncTaskId: `task-${basename(path)}`,
          host: undefined,
          file: { path, bytes: Buffer.byteLength(content), sha256: sha256(content), contentType: "text/csv" }
        }).pipe(
          Effect.provide(
            Layer.merge(Layer.succeed(Journal.Journal, team), Layer.succeed(Downloads.Downloads, own))
          )
        )
      )
      return path
    }
    const purge = () => run(Retention.purge(own, team, { source: "cli", now: Date.now(), olderThanMs: 0 }))
    return { root, own, team, exports, download, purge }
  }

  it("deletes none of the files a shared journal's rows name, with or without their size and SHA-256", async () => {
    const { root, own, team, exports, download, purge } = await setUp()
    const thesis = join(root, "home", "Documents", "thesis.txt")
    const dotfile = join(root, "home", ".bashrc")
    const byHand = join(exports, "by-hand.csv")
    for (const [path, content] of [
      [thesis, "three years of work\n"],
      [dotfile, "# ~/.bashrc\n"],
      [byHand, "a,b\n1,2\n"]
    ] as const) {
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, content)
      const proof = path !== thesis ? { bytes: Buffer.byteLength(content), sha256: sha256(content) } : {}
      await run(
        team.append({
          at: new Date(Date.now() - 90 * DAY).toISOString(),
          actor: "colleague@elsewhere",
          source: "cli",
          event: "downloaded",
          asyncTaskId: `forged-${basename(path)}`,
          file: path,
          ...proof,
          expiresAt: new Date(Date.now() - 60 * DAY).toISOString()
        })
      )
    }
    const mine = await download(join(exports, "mine.csv"), "a,b\n3,4\n")

    expect(Retention.files(await run(own.entries)).map((file) => file.path)).toEqual([mine])
    const outcomes = await purge()
    expect(outcomes.map((o) => [o.file.path, o.outcome])).toEqual([[mine, "deleted"]])
    await expect(stat(mine)).rejects.toThrow()
    expect(await readFile(thesis, "utf8")).toBe("three years of work\n")
    expect(await readFile(dotfile, "utf8")).toBe("# ~/.bashrc\n")
    expect(await readFile(byHand, "utf8")).toBe("a,b\n1,2\n")
    // the deletion is recorded in both: this install's record and the journal
    expect((await run(own.entries)).filter((e) => e.event === "deleted").map((e) => e.file)).toEqual([mine])
    expect((await run(team.entries)).filter((e) => e.event === "deleted").map((e) => e.file)).toEqual([mine])
    expect(AuditTrail.verify(await run(team.trail))).toMatchObject({ ok: true })
  })

  it("never follows a path away from where its file was downloaded, and never deletes what it cannot check", async () => {
    const { root, own, exports, download, purge } = await setUp()
    const secret = join(root, "home", "secret.csv")
    await mkdir(dirname(secret), { recursive: true })
    await writeFile(secret, "a,b\n1,2\n")
    // the file replaced by a link to another file with the same content
    const linked = await download(join(exports, "linked.csv"), "a,b\n1,2\n")
    await rm(linked)
    await symlink(secret, linked)
    // the folder replaced by a link to another folder holding the same file
    const elsewhere = join(root, "home", "elsewhere")
    await mkdir(elsewhere, { recursive: true })
    const moved = await download(join(root, "exports-2", "moved.csv"), "x\n")
    await writeFile(join(elsewhere, "moved.csv"), "x\n")
    await rm(join(root, "exports-2"), { recursive: true })
    await symlink(elsewhere, join(root, "exports-2"))
    // a path climbing out of the export folder, and a download recorded without its SHA-256
    const climbing = `${exports}/../home/secret.csv`
    await run(
      own.append({
        event: "downloaded",
        asyncTaskId: "t1",
        file: climbing,
        bytes: 8,
        sha256: sha256("a,b\n1,2\n")
      })
    )
    const unhashed = join(exports, "unhashed.csv")
    await writeFile(unhashed, "y\n")
    await run(
      own.append({ event: "downloaded", asyncTaskId: "t2", file: unhashed, folder: exports, bytes: 2 })
    )
    const grown = await download(join(exports, "grown.csv"), "z\n")
    await writeFile(grown, "zz\n")

    const outcomes = await purge()
    expect(Object.fromEntries(outcomes.map((o) => [o.file.path, o.outcome]))).toEqual({
      [linked]: "redirected",
      [moved]: "redirected",
      [climbing]: "redirected",
      [unhashed]: "unverified",
      [grown]: "changed"
    })
    expect(await readFile(secret, "utf8")).toBe("a,b\n1,2\n")
    expect(await readFile(join(elsewhere, "moved.csv"), "utf8")).toBe("x\n")
    expect(await readFile(unhashed, "utf8")).toBe("y\n")
    expect((await lstat(linked)).isSymbolicLink()).toBe(true)
  })
})
