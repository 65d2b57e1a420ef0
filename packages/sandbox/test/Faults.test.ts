import { describe, expect, it } from "@effect/vitest"
import { Faults } from "../src/index.js"

describe("Faults.parse", () => {
  it("reads the flag syntax", () => {
    expect(Faults.parse("export:503x2,download:truncate,task:429@2s")).toEqual([
      { route: "export", fault: { kind: "status", status: 503 }, times: 2, probability: 1 },
      { route: "download", fault: { kind: "truncate" }, times: 1, probability: 1 },
      {
        route: "task",
        fault: { kind: "status", status: 429, retryAfterSeconds: 2 },
        times: 1,
        probability: 1
      }
    ])
    expect(
      Faults.parse(
        " tasks:delay=1.5s~0.25 , task:429@250msx*, download:truncate=100, export:create-then-fail=timeout, export:task-error, download:expire-url, task:reset "
      )
    ).toEqual([
      { route: "tasks", fault: { kind: "delay", ms: 1500 }, times: 1, probability: 0.25 },
      {
        route: "task",
        fault: { kind: "status", status: 429, retryAfterMs: 250 },
        times: Number.POSITIVE_INFINITY,
        probability: 1
      },
      { route: "download", fault: { kind: "truncate", afterBytes: 100 }, times: 1, probability: 1 },
      { route: "export", fault: Faults.createThenFail("timeout"), times: 1, probability: 1 },
      { route: "export", fault: { kind: "task-error" }, times: 1, probability: 1 },
      { route: "download", fault: { kind: "expire-url" }, times: 1, probability: 1 },
      { route: "task", fault: { kind: "reset" }, times: 1, probability: 1 }
    ])
    expect(Faults.parse("export:create-then-fail")[0]!.fault).toMatchObject({ kind: "create-then-fail" })
    expect(Faults.parse("export:create-then-fail=reset")[0]!.fault).toHaveProperty("after", "reset")
    expect(Faults.parse("export:create-then-fail")[0]!.fault).toHaveProperty("after", 500)
    expect(Faults.parse("")).toEqual([])
  })

  it("names the bad token and says why", () => {
    const failure = (text: string) => {
      try {
        Faults.parse(text)
      } catch (error) {
        expect(error).toBeInstanceOf(Faults.FaultSyntaxError)
        return (error as Faults.FaultSyntaxError).message
      }
      throw new Error("parse did not fail")
    }
    expect(failure("export:503,upload:500")).toMatch(/"upload:500".*unknown route/)
    expect(failure("export:404")).toMatch(/"export:404".*status must be one of/)
    expect(failure("download:task-error")).toMatch(/"download:task-error".*applies only to export/)
    expect(failure("export:truncate")).toMatch(/applies only to download/)
    expect(failure("task:delay")).toMatch(/delay needs a duration/)
    expect(failure("task:explode")).toMatch(/unknown fault/)
    expect(failure("task:503~1.5")).toMatch(/probability/)
    expect(failure("export:create-then-fail=418")).toMatch(/500, 502, 504, reset or timeout/)
    expect(failure("task:reset@2s")).toMatch(/only a status takes @retry-after/)
    expect(failure("nonsense")).toMatch(/"nonsense".*expected route:fault/)
  })
})

describe("Faults.injector", () => {
  const s503: Faults.Fault = { kind: "status", status: 503 }
  const s500: Faults.Fault = { kind: "status", status: 500 }

  it("applies a rule to the next `times` requests of its route only", () => {
    const faults = Faults.injector([{ route: "export", fault: s503, times: 2 }])
    expect(faults.next("task")).toBeUndefined()
    expect(faults.next("export")).toEqual(s503)
    expect(faults.next("export")).toEqual(s503)
    expect(faults.next("export")).toBeUndefined()
  })

  it("plays scripts in order before rules, and clear removes everything", () => {
    const faults = Faults.injector([{ route: "tasks", fault: s500, times: Number.POSITIVE_INFINITY }])
    faults.script("tasks", [{ kind: "reset" }, { kind: "delay", ms: 5 }])
    expect(faults.next("tasks")).toEqual({ kind: "reset" })
    expect(faults.next("tasks")).toEqual({ kind: "delay", ms: 5 })
    expect(faults.next("tasks")).toEqual(s500)
    expect(faults.next("tasks")).toEqual(s500)
    faults.clear()
    expect(faults.next("tasks")).toBeUndefined()
  })

  it("fires a probabilistic rule on about that share of requests, reproducibly per seed", () => {
    const run = (seed: number) => {
      const faults = Faults.injector(
        [{ route: "task", fault: s503, times: Number.POSITIVE_INFINITY, probability: 0.3 }],
        seed
      )
      return Array.from({ length: 2000 }, () => faults.next("task") !== undefined)
    }
    const fired = run(4).filter(Boolean).length
    expect(fired).toBeGreaterThan(450)
    expect(fired).toBeLessThan(750)
    expect(run(4)).toEqual(run(4))
    const never = Faults.injector([{ route: "task", fault: s503, probability: 0 }])
    expect(Array.from({ length: 100 }, () => never.next("task")).filter(Boolean)).toEqual([])
  })

  it("refuses a rule that does not fit its route", () => {
    const faults = Faults.injector()
    expect(() => faults.add({ route: "tasks", fault: { kind: "truncate" } })).toThrow(Faults.FaultSyntaxError)
    expect(() => faults.script("download", [{ kind: "task-error" }])).toThrow(/applies only to export/)
    expect(() => faults.add({ route: "export", fault: s503, times: 0 })).toThrow(/times/)
  })
})
