import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Task } from "../src/index.js"

const decodeTask = Schema.decodeUnknownEither(Task.Task)
const base = {
  asyncTaskId: "00000000000000000000000000000000",
  type: "crm",
  requestDate: "\\/Date(1709287200000+0100)\\/",
  status: "INP",
  percentage: 40,
  brand: "CAR"
}

describe("ExportResponse", () => {
  it.each([
    "9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a40",
    "9B2E4F0A-6C1D-4E8B-8F3A-2D5C7B9E1A40",
    "{9b2e4f0a-6c1d-4e8b-8f3a-2d5c7b9e1a40}"
  ])("accepts the Guid %s", (asyncTaskId) => {
    expect(Either.isRight(Schema.decodeUnknownEither(Task.ExportResponse)({ asyncTaskId }))).toBe(true)
    expect(Task.canonicalGuid(asyncTaskId)).toBe("9b2e4f0a6c1d4e8b8f3a2d5c7b9e1a40")
  })

  it("refuses what is not a Guid", () => {
    expect(Either.isLeft(Schema.decodeUnknownEither(Task.ExportResponse)({ asyncTaskId: "42" }))).toBe(true)
    expect(Task.isGuid("not-a-guid")).toBe(false)
  })
})

describe("Task", () => {
  it("decodes a task, ignoring unknown members and reading null as absent", () => {
    const decoded = decodeTask({ ...base, downloadUrl: null, totalResults: 12, somethingNew: { a: 1 } })
    expect(Either.isRight(decoded) && decoded.right).toEqual({
      ...base,
      requestDate: "2024-03-01T10:00:00.000Z",
      requestDateRaw: base.requestDate,
      totalResults: 12
    })
  })

  it("keeps an unknown status and reports it as unknown, never failing", () => {
    const decoded = decodeTask({ ...base, status: "PAUSED" })
    expect(Either.isRight(decoded) && decoded.right.status).toBe("PAUSED")
    expect(Task.statusKind("PAUSED")).toBe("unknown")
    expect(Task.isFinished({ status: "PAUSED" })).toBe(false)
  })

  it.each([
    ["REQ", "requested"],
    ["INP", "in-progress"],
    ["com", "completed"],
    ["ERR", "error"]
  ] as const)("reads status %s as %s", (status, kind) => {
    expect(Task.statusKind(status)).toBe(kind)
  })

  it("is finished when completed or in error", () => {
    expect(Task.isFinished({ status: "COM" })).toBe(true)
    expect(Task.isFinished({ status: "ERR" })).toBe(true)
    expect(Task.isFinished({ status: "INP" })).toBe(false)
  })

  it("refuses a task without its required members", () => {
    const { status: _, ...rest } = base
    expect(Either.isLeft(decodeTask(rest))).toBe(true)
  })
})

describe("the request date of a task", () => {
  const decodeDate = (requestDate: string) => {
    const decoded = decodeTask({ ...base, requestDate })
    if (Either.isLeft(decoded)) throw new Error("the task was refused")
    return { requestDate: decoded.right.requestDate, requestDateRaw: decoded.right.requestDateRaw }
  }

  it.each([
    ["the WCF form with an offset", "\\/Date(1709287200000+0100)\\/", "2024-03-01T10:00:00.000Z"],
    ["the WCF form with a negative offset", "/Date(1709287200000-0500)/", "2024-03-01T10:00:00.000Z"],
    ["the WCF form without an offset", "/Date(1709287200000)/", "2024-03-01T10:00:00.000Z"],
    ["ISO with a zone", "2024-03-01T11:00:00+01:00", "2024-03-01T10:00:00.000Z"],
    ["ISO with a compact zone", "2024-03-01T05:00:00-0500", "2024-03-01T10:00:00.000Z"],
    ["ISO in UTC", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00.000Z"],
    ["ISO without a zone (read as UTC)", "2024-03-01T10:00:00", "2024-03-01T10:00:00.000Z"],
    ["ISO with .NET's seven decimals", "2024-03-01T10:00:00.1234567Z", "2024-03-01T10:00:00.123Z"],
    ["a date alone", "2024-03-01", "2024-03-01T00:00:00.000Z"]
  ])("is ISO-8601 in UTC from %s, the server's text kept raw", (_, raw, iso) => {
    expect(decodeDate(raw)).toEqual({ requestDate: iso, requestDateRaw: raw })
  })

  it("reads a date-time without a zone the same whatever the machine's time zone", () => {
    const zone = process.env.TZ
    try {
      process.env.TZ = "Pacific/Kiritimati"
      expect(decodeDate("2024-03-01T10:00:00").requestDate).toBe("2024-03-01T10:00:00.000Z")
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })

  it.each(["yesterday", "", "31/12/2024", "/Date(abc)/", "2024-02-30T10:00:00Z", "2024-03-01T24:00:00Z"])(
    "is absent for %j, which is kept raw: the task is still read",
    (raw) => {
      expect(decodeDate(raw)).toEqual({ requestDate: undefined, requestDateRaw: raw })
    }
  )

  it("encodes back to the server's text", () => {
    const decoded = decodeTask({ ...base, requestDate: "/Date(1709287200000+0100)/" })
    if (Either.isLeft(decoded)) throw new Error("the task was refused")
    expect(Schema.encodeSync(Task.Task)(decoded.right).requestDate).toBe("/Date(1709287200000+0100)/")
  })
})

describe("dates written by the server", () => {
  it.each([
    ["\\/Date(1709287200000+0100)\\/", "2024-03-01T10:00:00.000Z"],
    ["/Date(1709287200000-0500)/", "2024-03-01T10:00:00.000Z"],
    ["/Date(-62135596800000-0000)/", "0001-01-01T00:00:00.000Z"],
    ["/Date(0)/", "1970-01-01T00:00:00.000Z"],
    ["2024-03-01", "2024-03-01T00:00:00.000Z"],
    ["2024-03-01T10:00:00Z", "2024-03-01T10:00:00.000Z"],
    ["2024-03-01T11:00:00+01:00", "2024-03-01T10:00:00.000Z"],
    ["2024-03-01\u0007\u202e", "2024-03-01T00:00:00.000Z"]
  ])("reads %j", (raw, iso) => {
    expect(Task.parseApiDate(raw)?.toISOString()).toBe(iso)
  })

  it.each([
    "yesterday",
    "",
    "/Date(abc)/",
    "/Date(99999999999999999)/",
    "2024-13-45",
    "2024-03-01T10:00+19:00"
  ])("gives up on %j", (raw) => {
    expect(Task.parseApiDate(raw)).toBeUndefined()
    expect(Task.isoDate(raw)).toBeUndefined()
  })
})
