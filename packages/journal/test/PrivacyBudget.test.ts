import { execFile } from "node:child_process"
import { mkdir, readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect, TestClock, TestContext } from "effect"
import { describe, expect, it } from "vitest"
import { bundleFixture, raceAtGate, temporaryFolders } from "../../transport/test/files.js"
import { PrivacyBudget } from "../src/index.js"

const tempDir = temporaryFolders("booster-budget-")
const HOUR = 60 * 60 * 1000

const runTest = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.provide(effect, TestContext.TestContext))

describe("PrivacyBudget.decide", () => {
  it("charges while the last 24 hours stay within the day's budget, counting millionths exactly", () => {
    const now = 100 * HOUR
    const spends = Array.from({ length: 9 }, (_, i) => ({ at: now - i * HOUR, micros: 100_000 }))
    expect(PrivacyBudget.decide(spends, { epsilon: 0.1, perDay: 1 }, now)).toEqual({
      _tag: "Spent",
      spent: 1,
      remaining: 0,
      perDay: 1
    })
    // a charge older than 24 hours has returned
    const old = [{ at: now - 24 * HOUR, micros: 3_000_000 }]
    expect(PrivacyBudget.decide(old, { epsilon: 1, perDay: 3 }, now)._tag).toBe("Spent")
  })

  it("refuses a charge that does not fit and says when enough returns", () => {
    const now = 100 * HOUR
    const spends = [
      { at: now - 2 * HOUR, micros: 1_000_000 },
      { at: now - 20 * HOUR, micros: 1_000_000 },
      { at: now - 10 * HOUR, micros: 1_000_000 }
    ]
    expect(PrivacyBudget.decide(spends, { epsilon: 1, perDay: 3 }, now)).toEqual({
      _tag: "Refused",
      spent: 3,
      remaining: 0,
      perDay: 3,
      availableAt: now - 20 * HOUR + 24 * HOUR
    })
    // two must return for a charge of 2
    expect(PrivacyBudget.decide(spends, { epsilon: 2, perDay: 3 }, now)).toMatchObject({
      _tag: "Refused",
      availableAt: now - 10 * HOUR + 24 * HOUR
    })
    // a charge above the day's budget never fits
    expect(PrivacyBudget.decide([], { epsilon: 4, perDay: 3 }, now)).toMatchObject({
      _tag: "Refused",
      availableAt: undefined
    })
  })
})

describe("PrivacyBudget.make (the file beside the local journal)", () => {
  it("charges three summaries of ε 1 against 3 a day, refuses the fourth until a day after the first", async () => {
    const directory = await tempDir()
    const budget = PrivacyBudget.make(directory)
    const outcomes = await runTest(
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.parse("2026-03-01T08:00:00Z"))
        const first = yield* budget.spend({ epsilon: 1, perDay: 3, asyncTaskId: "a" })
        yield* TestClock.adjust("1 hour")
        const second = yield* budget.spend({ epsilon: 1, perDay: 3, asyncTaskId: "b" })
        const third = yield* budget.spend({ epsilon: 1, perDay: 3, asyncTaskId: "c" })
        const fourth = yield* budget.spend({ epsilon: 1, perDay: 3, asyncTaskId: "d" })
        yield* TestClock.adjust("23 hours")
        const fifth = yield* budget.spend({ epsilon: 1, perDay: 3, asyncTaskId: "e" })
        const sixth = yield* budget.spend({ epsilon: 1, perDay: 3, asyncTaskId: "f" })
        return [first, second, third, fourth, fifth, sixth]
      })
    )
    expect(outcomes.map((o) => o._tag)).toEqual(["Spent", "Spent", "Spent", "Refused", "Spent", "Refused"])
    expect(outcomes[2]).toMatchObject({ spent: 3, remaining: 0 })
    expect(outcomes[3]).toMatchObject({ availableAt: Date.parse("2026-03-02T08:00:00Z") })
    expect(outcomes[5]).toMatchObject({ availableAt: Date.parse("2026-03-02T09:00:00Z") })
    const path = join(directory, PrivacyBudget.FILE)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const lines = (await readFile(path, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
    expect(lines).toHaveLength(4)
    expect(Object.keys(lines[0]).sort()).toEqual(["actor", "asyncTaskId", "at", "epsilon"])
    expect(lines.map((line) => line.asyncTaskId)).toEqual(["a", "b", "c", "e"])
  })

  it("keeps charging after a torn last line, and refuses rather than reads an unreadable budget as unspent", async () => {
    const directory = await tempDir()
    const path = join(directory, PrivacyBudget.FILE)
    await writeFile(path, `{"at":"2026-03-01T08:00:00.000Z","epsilon":2}\n{"at":"2026-03-01T08:0`, {
      mode: 0o600
    })
    const budget = PrivacyBudget.make(directory)
    const at = (time: string) => TestClock.setTime(Date.parse(time))
    const outcome = await runTest(
      Effect.zipRight(at("2026-03-01T09:00:00Z"), budget.spend({ epsilon: 1, perDay: 3 }))
    )
    expect(outcome).toMatchObject({ _tag: "Spent", spent: 3 })
    const again = await runTest(
      Effect.zipRight(at("2026-03-01T09:00:00Z"), budget.spend({ epsilon: 1, perDay: 3 }))
    )
    expect(again._tag).toBe("Refused")
    // a budget that cannot be read (here a folder in the file's place) refuses every charge
    const other = await tempDir()
    await mkdir(join(other, PrivacyBudget.FILE))
    const refused = await runTest(Effect.either(PrivacyBudget.make(other).spend({ epsilon: 1, perDay: 3 })))
    expect(refused._tag).toBe("Left")
  })

  it("lets exactly as many of several processes charging at once through as the budget holds", async () => {
    const directory = await tempDir()
    const script = await bundleFixture(new URL("./fixtures/budget-race.ts", import.meta.url), await tempDir())
    const gate = await tempDir()
    const outcomes = (
      await raceAtGate(gate, 6, () =>
        promisify(execFile)(process.execPath, [script, directory, gate], { encoding: "utf8" }).then((out) =>
          out.stdout.trim()
        )
      )
    ).sort()
    expect(outcomes).toEqual(["Refused", "Refused", "Refused", "Spent", "Spent", "Spent"])
    const lines = (await readFile(join(directory, PrivacyBudget.FILE), "utf8")).trim().split("\n")
    expect(lines).toHaveLength(3)
  }, 60_000)
})
