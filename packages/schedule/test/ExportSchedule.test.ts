import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { ExportSchedule } from "../src/index.js"

const iso = (dates: ReadonlyArray<Date>) => dates.map((date) => date.toISOString())
const paris = (cron: string) => ({ cron, timeZone: "Europe/Paris" })
/** The local calendar day of an instant in Paris. */
const parisDay = (date: Date) => date.toLocaleDateString("sv-SE", { timeZone: "Europe/Paris" })
const parisTime = (date: Date) => date.toLocaleTimeString("sv-SE", { timeZone: "Europe/Paris" })

describe("due times across daylight-saving changes (Europe/Paris)", () => {
  it("keeps 07:00 local every day of the week clocks go forward (last Sunday of March), UTC moving from 06:00 to 05:00", () => {
    const due = ExportSchedule.dueTimes(
      paris("0 7 * * *"),
      new Date("2026-03-26T00:00:00Z"),
      new Date("2026-04-02T00:00:00Z")
    )
    expect(due.map(parisTime)).toEqual(Array(7).fill("07:00:00"))
    expect(iso(due).slice(2, 5)).toEqual([
      "2026-03-28T06:00:00.000Z",
      "2026-03-29T05:00:00.000Z",
      "2026-03-30T05:00:00.000Z"
    ])
  })

  it("keeps 07:00 local every day of the week clocks go back (last Sunday of October)", () => {
    const due = ExportSchedule.dueTimes(
      paris("0 7 * * *"),
      new Date("2026-10-22T00:00:00Z"),
      new Date("2026-10-29T00:00:00Z")
    )
    expect(due.map(parisTime)).toEqual(Array(7).fill("07:00:00"))
    expect(iso(due).slice(2, 5)).toEqual([
      "2026-10-24T05:00:00.000Z",
      "2026-10-25T06:00:00.000Z",
      "2026-10-26T06:00:00.000Z"
    ])
  })

  it("runs a time that does not exist on the spring-forward night (02:30) once that day, an hour later on the wall clock", () => {
    const due = ExportSchedule.dueTimes(
      paris("30 2 * * *"),
      new Date("2026-03-27T00:00:00Z"),
      new Date("2026-04-01T00:00:00Z")
    )
    expect(due.map(parisDay)).toEqual(["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"])
    expect(parisTime(due[2]!)).toBe("03:30:00")
  })

  it("runs a time that happens twice on the fall-back night (02:30) once, at its first occurrence", () => {
    const due = ExportSchedule.dueTimes(
      paris("30 2 * * *"),
      new Date("2026-10-23T00:00:00Z"),
      new Date("2026-10-28T00:00:00Z")
    )
    expect(due.map(parisDay)).toEqual(["2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26", "2026-10-27"])
    expect(due[2]!.toISOString()).toBe("2026-10-25T00:30:00.000Z")
  })

  it("gives the next five Monday runs of a weekly schedule across the March change", () => {
    const next = ExportSchedule.nextRuns(paris("0 7 * * MON"), new Date("2026-03-20T00:00:00Z"), 5)
    expect(iso(next)).toEqual([
      "2026-03-23T06:00:00.000Z",
      "2026-03-30T05:00:00.000Z",
      "2026-04-06T05:00:00.000Z",
      "2026-04-13T05:00:00.000Z",
      "2026-04-20T05:00:00.000Z"
    ])
    expect(ExportSchedule.describeCadence(paris("0 7 * * MON"))).toBe(
      "At 07:00, only on Monday (Europe/Paris)"
    )
  })

  it("refuses an unknown time zone and a cron expression it cannot read", () => {
    expect(Either.isLeft(ExportSchedule.parseCron("0 7 * * MON", "Europe/Nowhere"))).toBe(true)
    expect(Either.isLeft(ExportSchedule.parseCron("every monday", "Europe/Paris"))).toBe(true)
  })
})

describe("catch-up policies", () => {
  const due = [
    new Date("2026-03-02T06:00:00Z"),
    new Date("2026-03-09T06:00:00Z"),
    new Date("2026-03-16T06:00:00Z")
  ]
  const asOf = new Date("2026-03-16T08:00:00Z")
  it("latest runs the last missed due time and skips the older ones", () => {
    expect(ExportSchedule.choose("latest", due, asOf)).toEqual({ run: [due[2]], skip: [due[0], due[1]] })
  })
  it("all runs every missed one, oldest first", () => {
    expect(ExportSchedule.choose("all", due, asOf)).toEqual({ run: due, skip: [] })
  })
  it("none runs only a due time less than 15 minutes old", () => {
    expect(ExportSchedule.choose("none", due, asOf)).toEqual({ run: [], skip: due })
    expect(ExportSchedule.choose("none", due, new Date("2026-03-16T06:10:00Z")).run).toEqual([due[2]])
  })
})

describe("a run's identity", () => {
  const schedule = {
    id: "0b6f7a52-1b5c-4a55-9d3e-3f4a0c9e2a10",
    name: "weekly",
    kind: "customers",
    filter: { brand: "CAR", posCodes: ["ES100"], creationDateFrom: "-7d", creationDateTo: "yesterday" },
    timeZone: "Europe/Paris"
  }
  const due = new Date("2026-03-30T05:00:00Z")

  it("derives one downloadRequestId (a UUID) from the schedule and the due time", () => {
    const id = ExportSchedule.downloadRequestIdOf(schedule, due)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(ExportSchedule.downloadRequestIdOf(schedule, new Date(due))).toBe(id)
    expect(ExportSchedule.downloadRequestIdOf(schedule, new Date("2026-04-06T05:00:00Z"))).not.toBe(id)
    expect(ExportSchedule.downloadRequestIdOf({ id: "another" }, due)).not.toBe(id)
  })

  it("names the delivered file after the schedule, the due time and the kind", () => {
    expect(ExportSchedule.fileName(schedule, due)).toBe("weekly/2026-03-30T05-00-00Z/customers.csv")
  })

  it("resolves relative dates against the due time in the schedule's zone, whenever it runs", () => {
    const resolved = ExportSchedule.resolveAt(schedule, due)
    expect(resolved).toEqual(
      Either.right(expect.objectContaining({ creationDateFrom: "2026-03-23", creationDateTo: "2026-03-29" }))
    )
  })

  it("resolves the filter of another kind against its own date fields", () => {
    const stock = {
      ...schedule,
      kind: "movements",
      filter: { brand: "CAR", posCodes: ["ES100"], dateFrom: "-1d", dateTo: "today" }
    }
    expect(ExportSchedule.resolveAt(stock, due)).toEqual(
      Either.right(expect.objectContaining({ dateFrom: "2026-03-29", dateTo: "2026-03-30" }))
    )
  })
})
