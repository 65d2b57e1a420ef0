import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Layer } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { GuardedStart, Journal, Purpose } from "../src/index.js"

let roots: Array<string> = []
afterEach(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
  roots = []
})
const fresh = async () => {
  const directory = await mkdtemp(join(tmpdir(), "booster-purpose-"))
  roots.push(directory)
  return Journal.make(directory)
}
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

describe("Purpose.problem", () => {
  it("accepts ticket-like text", () => {
    for (const text of [
      "ticket OPS-142",
      "Quarterly CRM campaign, ticket OPS-142".replace(",", ""),
      "INC0012345",
      "JIRA#4411: Q3 recall / CAR.it",
      "Campagne été 2026",
      "x".repeat(Purpose.MAX_LENGTH)
    ]) {
      expect(Purpose.problem(text), text).toBeUndefined()
    }
  })

  it("refuses phone numbers in national and international formats, dates, signs and long text, naming the rule", () => {
    const cases: ReadonlyArray<readonly [string, Purpose.Rule]> = [
      ["call 06 12 34 56 78", "phone-number"],
      ["0612345678", "phone-number"],
      ["06.12.34.56.78", "phone-number"],
      ["555-123-4567 asked", "phone-number"],
      ["ref 0044 20 7946 0958", "phone-number"],
      ["+33 6 12 34 56 78", "characters"],
      ["(555) 123-4567", "characters"],
      ["mail jane@example.com", "characters"],
      ["born 12/05/1984", "date"],
      ["born 1984-05-12", "date"],
      ["born 12.05.84", "date"],
      ["a\u202Eb", "characters"],
      ["line\nbreak", "characters"],
      ["x".repeat(Purpose.MAX_LENGTH + 1), "length"],
      ["   ", "empty"]
    ]
    for (const [text, rule] of cases) {
      const found = Purpose.problem(text)
      expect(found?.rule, text).toBe(rule)
      expect(found!.message).toMatch(/^purpose /)
      // the message names the rule, never the value
      if (text.trim() !== "") expect(found!.message).not.toContain(text.trim())
    }
  })

  it("fails a guarded start before anything is sent or written", async () => {
    const journal = await fresh()
    let sent = 0
    const outcome = await run(
      Effect.either(
        GuardedStart.run({
          source: "library",
          fingerprint: "hmac-sha256:abc",
          host: "booster.example.com",
          purpose: "call Jane 06 12 34 56 78",
          duplicateWindowMs: 0,
          onDuplicate: "refuse",
          onUnwritableJournal: "refuse",
          start: () => Effect.sync(() => ++sent).pipe(Effect.as({ asyncTaskId: "t" }))
        }).pipe(Effect.provide(Layer.succeed(Journal.Journal, journal)))
      )
    )
    expect(Either.isLeft(outcome) && outcome.left).toMatchObject({
      _tag: "PurposeError",
      field: "purpose",
      rule: "phone-number"
    })
    expect(sent).toBe(0)
    expect(await run(journal.entries)).toEqual([])
  })
})

describe("a purpose in the file journal", () => {
  it("is kept beside the chain under its keyed hash, and can be erased with the chain still intact", async () => {
    const journal = await fresh()
    await run(
      journal.append({ source: "cli", event: "started", asyncTaskId: "a", purpose: "ticket OPS-142" })
    )
    await run(journal.append({ source: "cli", event: "completed", asyncTaskId: "a" }))
    // the chain holds no text, only the keyed hash; the text sits beside it
    const chained = await readFile(journal.path, "utf8")
    expect(chained).not.toContain("OPS-142")
    expect(chained).toMatch(/"purposeHmac":"hmac-sha256:[0-9a-f]{64}"/)
    const beside = join(journal.directory, Journal.PURPOSES_FILE)
    expect(await readFile(beside, "utf8")).toContain("ticket OPS-142")
    expect((await run(journal.entries))[0]!.purpose).toBe("ticket OPS-142")
    expect(await run(journal.verify)).toMatchObject({ ok: true, entries: 2 })

    // a purpose changed beside the chain no longer matches its hash
    const original = await readFile(beside, "utf8")
    await writeFile(beside, original.replace("OPS-142", "OPS-999"))
    expect(await run(journal.verify)).toMatchObject({ ok: false, problem: "altered", seq: 1 })
    expect((await run(journal.entries))[0]!.purpose).toBe(Purpose.ERASED)
    await writeFile(beside, original)

    expect(await run(journal.erasePurpose(1, { source: "cli", actor: "dpo@office" }))).toBe("erased")
    expect(await readFile(beside, "utf8")).not.toContain("OPS-142")
    expect(await readFile(journal.path, "utf8")).not.toContain("OPS-142")
    const entries = await run(journal.entries)
    expect(entries[0]!.purpose).toBe(Purpose.ERASED)
    expect(entries.at(-1)).toMatchObject({
      event: "erased",
      erasedSeq: 1,
      asyncTaskId: "a",
      actor: "dpo@office"
    })
    expect(await run(journal.verify)).toMatchObject({ ok: true, entries: 3 })
    // again, another entry, no entry
    expect(await run(journal.erasePurpose(1, { source: "cli" }))).toBe("none")
    expect(await run(journal.erasePurpose(2, { source: "cli" }))).toBe("none")
    expect(await run(journal.erasePurpose(9, { source: "cli" }))).toBe("unknown")
  })

  it("leaves out a purpose that breaks the rule when appended directly", async () => {
    const journal = await fresh()
    await run(
      journal.append({ source: "library", event: "started", asyncTaskId: "a", purpose: "06 12 34 56 78" })
    )
    const [entry] = await run(journal.entries)
    expect(entry!.purpose).toBeUndefined()
    expect(await readFile(journal.path, "utf8")).not.toContain("56 78")
  })
})
