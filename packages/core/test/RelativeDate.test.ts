import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { ExportFilter, ExportKind, RelativeDate, Validation } from "../src/index.js"

const at = (iso: string, timeZone: string | number = "UTC"): RelativeDate.Clock => ({
  now: new Date(iso),
  timeZone
})
const date = (expression: string, clock: RelativeDate.Clock) =>
  Either.getOrThrow(RelativeDate.resolveDate(expression, clock))
const month = (expression: string, clock: RelativeDate.Clock) =>
  Either.getOrThrow(RelativeDate.resolveMonth(expression, clock))

describe("RelativeDate", () => {
  const clock = at("2026-11-18T09:00:00Z")
  it.each([
    ["today", "2026-11-18"],
    ["yesterday", "2026-11-17"],
    ["-30d", "2026-10-19"],
    ["-2w", "2026-11-04"],
    ["-6m", "2026-05-18"],
    ["-1y", "2025-11-18"],
    ["start-of-month", "2026-11-01"],
    ["start-of-year", "2026-01-01"],
    ["  Today ", "2026-11-18"],
    ["2022-01-01", "2022-01-01"]
  ])("resolves %s", (expression, expected) => {
    expect(date(expression, clock)).toBe(expected)
  })

  it("takes the last day of a shorter month, and of February in leap years", () => {
    expect(date("-1m", at("2026-03-31T12:00:00Z"))).toBe("2026-02-28")
    expect(date("-1m", at("2028-03-31T12:00:00Z"))).toBe("2028-02-29")
    expect(date("-1y", at("2028-02-29T12:00:00Z"))).toBe("2027-02-28")
    expect(date("-6m", at("2026-08-31T12:00:00Z"))).toBe("2026-02-28")
    expect(date("-1d", at("2028-03-01T12:00:00Z"))).toBe("2028-02-29")
  })

  it("counts days in the given time zone, not in UTC", () => {
    const lateUtc = "2026-12-31T23:30:00Z"
    expect(date("today", at(lateUtc, "UTC"))).toBe("2026-12-31")
    expect(date("today", at(lateUtc, "Europe/Paris"))).toBe("2027-01-01")
    expect(date("start-of-year", at(lateUtc, "Europe/Paris"))).toBe("2027-01-01")
    expect(date("today", at("2026-06-01T02:00:00Z", "America/New_York"))).toBe("2026-05-31")
    expect(date("today", at("2026-06-01T02:00:00Z", -300))).toBe("2026-05-31")
  })

  it("resolves birth months, wrapping after December", () => {
    expect(month("this", at("2026-12-15T12:00:00Z"))).toBe(12)
    expect(month("next", at("2026-12-15T12:00:00Z"))).toBe(1)
    expect(month("+3", at("2026-11-15T12:00:00Z"))).toBe(2)
    expect(month("+12", at("2026-05-15T12:00:00Z"))).toBe(5)
    expect(month("next", at("2026-11-30T23:30:00Z", "Europe/Paris"))).toBe(1)
    expect(month("7", clock)).toBe(7)
  })

  it("refuses unknown expressions with the accepted forms, by field path", () => {
    const result = RelativeDate.resolveFilter(
      { creationDateFrom: "last week", transactionDateTo: "-3x", birthdateMonths: [3, "later"] },
      clock
    )
    expect(Either.getLeft(result).pipe((o) => o._tag === "Some" && o.value)).toEqual([
      { path: "creationDateFrom", rule: "relative-date", message: expect.stringContaining("-Nd") },
      {
        path: "transactionDateTo",
        rule: "relative-date",
        message: expect.stringContaining("start-of-month")
      },
      { path: "birthdateMonths[1]", rule: "relative-month", message: expect.stringContaining("next") }
    ])
  })

  it("turns a filter with expressions into one the API takes, leaving bad dates to validation", () => {
    const resolved = Either.getOrThrow(
      RelativeDate.resolveFilter(
        {
          brand: "CAR",
          posCodes: ["ES100"],
          creationDateFrom: "-1y",
          creationDateTo: "today",
          birthdateMonths: ["next", 5]
        },
        at("2026-12-10T08:00:00Z", "Europe/Paris")
      )
    )
    expect(resolved).toMatchObject({
      creationDateFrom: "2025-12-10",
      creationDateTo: "2026-12-10",
      birthdateMonths: [1, 5]
    })
    expect(Either.isRight(Validation.validate(ExportFilter.CustomerFilter, resolved))).toBe(true)
    const bad = Either.getOrThrow(RelativeDate.resolveFilter({ creationDateFrom: "2023-02-30" }, clock))
    expect(bad.creationDateFrom).toBe("2023-02-30")
    expect(RelativeDate.hasRelative({ creationDateFrom: "-2w" })).toBe(true)
    expect(RelativeDate.hasRelative({ creationDateFrom: "2022-01-01", birthdateMonths: [1] })).toBe(false)
  })

  it("reads the clock's time zone only when the filter holds an expression", () => {
    let reads = 0
    const clock: RelativeDate.Clock = {
      now: new Date("2026-03-15T12:00:00Z"),
      get timeZone() {
        reads++
        return "Not/AZone"
      }
    }
    const plain = { brand: "CAR", creationDateFrom: "2026-01-01", birthMonths: [3] }
    expect(RelativeDate.resolveFilter(plain, clock)).toEqual(Either.right(plain))
    expect(reads).toBe(0)
    const relative = RelativeDate.resolveFilter({ brand: "CAR", creationDateFrom: "-30d" }, clock)
    expect(reads).toBeGreaterThan(0)
    expect(Either.isLeft(relative) && relative.left.map((issue) => issue.rule)).toEqual(["time-zone"])
  })

  it("finds the date and month fields of every export kind", () => {
    expect(RelativeDate.fieldsOf(ExportFilter.CustomerFilter)).toEqual({
      dates: RelativeDate.DATE_FIELDS,
      months: RelativeDate.MONTH_FIELDS
    })
    for (const kind of ExportKind.all.slice(1)) {
      expect(RelativeDate.fieldsOf(kind.filter)).toEqual({ dates: ["dateFrom", "dateTo"], months: [] })
    }
  })

  it.each(ExportKind.names.filter((name) => name !== "customers"))(
    "resolves the dates of a %s filter given its specification",
    (name) => {
      const spec = ExportKind.byName(name).filter
      const raw = { brand: "CAR", posCodes: ["ES100"], dateFrom: "start-of-year", dateTo: "yesterday" }
      const resolved = Either.getOrThrow(RelativeDate.resolveFilter(raw, clock, spec))
      expect(resolved).toMatchObject({ dateFrom: "2026-01-01", dateTo: "2026-11-17" })
      expect(Either.isRight(Validation.validate(spec, resolved))).toBe(true)
      expect(RelativeDate.hasRelative(raw, spec)).toBe(true)
      expect(RelativeDate.hasRelative(raw)).toBe(false)
      const bad = RelativeDate.resolveFilter({ ...raw, dateTo: "last week" }, clock, spec)
      expect(Either.isLeft(bad) && bad.left).toEqual([
        { path: "dateTo", rule: "relative-date", message: expect.stringContaining("start-of-month") }
      ])
    }
  )
})

describe("RelativeDate ages and points in time", () => {
  const clock = at("2026-08-31T10:00:00Z", "Europe/Paris")
  const age = (text: string) =>
    new Date(Either.getOrThrow(RelativeDate.resolveAge(text, clock))).toISOString()
  const instant = (text: string) =>
    new Date(Either.getOrThrow(RelativeDate.resolveInstant(text, clock))).toISOString()

  it("reads an age with the units of relative dates: m is months, minutes are min", () => {
    expect(age("6m")).toBe("2026-02-28T11:00:00.000Z")
    expect(age("-6m")).toBe(age("6m"))
    expect(age("30d")).toBe("2026-08-01T10:00:00.000Z")
    expect(age("2w")).toBe("2026-08-17T10:00:00.000Z")
    expect(age("1y")).toBe("2025-08-31T10:00:00.000Z")
    expect(age("12h")).toBe("2026-08-30T22:00:00.000Z")
    expect(age("90min")).toBe("2026-08-31T08:30:00.000Z")
  })

  it("refuses a bare number or an unknown unit, naming the forms", () => {
    for (const text of ["30", "6 months", "5s", ""]) {
      const result = RelativeDate.resolveAge(text, clock)
      expect(Either.isLeft(result), text).toBe(true)
      if (Either.isLeft(result)) expect(result.left).toContain("90min (minutes)")
    }
  })

  it("reads a point in time as a date at local midnight, hours or minutes ago, or an ISO time", () => {
    expect(instant("2026-01-01")).toBe("2025-12-31T23:00:00.000Z")
    expect(instant("-30d")).toBe("2026-07-31T22:00:00.000Z")
    expect(instant("today")).toBe("2026-08-30T22:00:00.000Z")
    expect(instant("-2h")).toBe("2026-08-31T08:00:00.000Z")
    expect(instant("-90min")).toBe("2026-08-31T08:30:00.000Z")
    expect(instant("2026-01-02T09:00:00Z")).toBe("2026-01-02T09:00:00.000Z")
    for (const text of ["2026-02-30", "soon", "-5s"]) {
      expect(Either.isLeft(RelativeDate.resolveInstant(text, clock)), text).toBe(true)
    }
  })
})
