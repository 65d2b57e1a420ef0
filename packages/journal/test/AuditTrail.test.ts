import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { AuditTrail, Journal } from "../src/index.js"
import { fill, type Store, scenarios, verify } from "./tamper.js"

let roots: Array<string> = []
afterEach(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
  roots = []
})

const fileStore = async (): Promise<Store> => {
  const directory = await mkdtemp(join(tmpdir(), "booster-audit-"))
  roots.push(directory)
  const journal = Journal.make(directory)
  const lines = async () => (await readFile(journal.path, "utf8")).split("\n").filter((line) => line !== "")
  const save = (all: ReadonlyArray<string>) => writeFile(journal.path, `${all.join("\n")}\n`)
  const indexOf = (all: ReadonlyArray<string>, seq: number) =>
    all.findIndex((line) => (JSON.parse(line) as { seq?: number }).seq === seq)
  return {
    journal,
    alter: async (seq, change) => {
      const all = await lines()
      const i = indexOf(all, seq)
      all[i] = JSON.stringify(change(JSON.parse(all[i]!) as Record<string, unknown>))
      await save(all)
    },
    remove: async (seq) => {
      const all = await lines()
      all.splice(indexOf(all, seq), 1)
      await save(all)
    },
    swap: async (a, b) => {
      const all = await lines()
      const [i, j] = [indexOf(all, a), indexOf(all, b)]
      ;[all[i], all[j]] = [all[j]!, all[i]!]
      await save(all)
    }
  }
}

describe("the audit chain of the file journal", () => {
  const scenario = scenarios(fileStore)
  it("verifies an intact trail", scenario.intact)
  it("names an entry whose stored value was altered", scenario.alteredValue)
  it("names an altered entry even when its own hash was recomputed", scenario.alteredAndRehashed)
  it("names a removed entry", scenario.removed)
  it("fails on reordered entries, naming one of them", scenario.reordered)

  it("counts lines written before the chain began, skips a torn line, and refuses an unlinked line inside the chain", async () => {
    const store = await fileStore()
    const path = (store.journal as Journal.FileService).path
    await writeFile(path, '{"at":"2025-01-01T00:00:00.000Z","event":"started","asyncTaskId":"old"}\n')
    await fill(store.journal)
    await writeFile(path, `${await readFile(path, "utf8")}{"at":"2026-01-01T00:00:0`)
    // the next append starts a new line after the torn one and links to the last whole entry
    await Effect.runPromise(store.journal.append({ source: "cli", event: "started", asyncTaskId: "after" }))
    expect(await verify(store.journal)).toMatchObject({ ok: true, entries: 6, unchained: 1, unreadable: 1 })
    const lines = (await readFile(path, "utf8")).split("\n")
    lines.splice(3, 0, '{"at":"2026-01-01T00:00:00.000Z","event":"started","asyncTaskId":"forged"}')
    await writeFile(path, lines.join("\n"))
    expect(await verify(store.journal)).toMatchObject({ ok: false, problem: "inserted", position: 4 })
  })

  it("refuses a trail whose export's lines were removed and whose other lines lost their links", async () => {
    const store = await fileStore()
    await fill(store.journal)
    const path = (store.journal as Journal.FileService).path
    // the download of task-2 is hidden, and the links that would show it are stripped from the rest
    const kept = (await readFile(path, "utf8"))
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.asyncTaskId !== "task-2")
      .map(({ seq: _seq, prev: _prev, hash: _hash, ...rest }) => JSON.stringify(rest))
    await writeFile(path, `${kept.join("\n")}\n`)
    const result = await verify(store.journal)
    expect(result).toMatchObject({ ok: false, problem: "unlinked", position: 1 })
    if (!result.ok) expect(result.message).toContain("its link was removed")
  })

  it("refuses unlinked database rows, and rows numbered 0 or less or away from their number", () => {
    const linked: Record<string, unknown> = {
      ...AuditTrail.link(undefined, { at: "2026-01-01T00:00:00.000Z", asyncTaskId: "a" })
    }
    const rows = { where: "row", unlinked: "refused", positionIsSeq: true } as const
    expect(AuditTrail.verify([{ position: 1, value: linked }], rows)).toMatchObject({ ok: true, entries: 1 })
    // an unlinked row at seq -1 is not "older": the database never held unlinked rows
    const older = { at: "2020-01-01T00:00:00.000Z", asyncTaskId: "forged" }
    expect(
      AuditTrail.verify(
        [
          { position: -1, value: older },
          { position: 1, value: linked }
        ],
        rows
      )
    ).toMatchObject({ ok: false, problem: "inserted", position: -1 })
    expect(AuditTrail.verify([{ position: 0, value: older }], rows)).toMatchObject({ ok: false, position: 0 })
    expect(
      AuditTrail.verify(
        [
          { position: 1, value: older },
          { position: 2, value: linked }
        ],
        rows
      )
    ).toMatchObject({ ok: false, problem: "inserted", position: 1 })
    expect(AuditTrail.verify([{ position: 7, value: linked }], rows)).toMatchObject({
      ok: false,
      problem: "inserted"
    })
  })
})

describe("AuditTrail.canonical", () => {
  it("is the same for the same values in any member order, and leaves out the entry's own hash", () => {
    const a = AuditTrail.canonical({ b: 1, a: { d: [1, "x"], c: null }, hash: "h", skipped: undefined })
    const b = AuditTrail.canonical({ a: { c: null, d: [1, "x"] }, b: 1 })
    expect(a).toBe(b)
    expect(a).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}')
  })
})
