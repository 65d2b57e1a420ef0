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
    expect(Either.isRight(decoded) && decoded.right).toEqual({ ...base, totalResults: 12 })
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

describe("dates written by the server", () => {
  it.each([
    ["\\/Date(1709287200000+0100)\\/", "2024-03-01T10:00:00.000Z"],
    ["/Date(1709287200000-0500)/", "2024-03-01T10:00:00.000Z"],
    ["/Date(-62135596800000-0000)/", "0001-01-01T00:00:00.000Z"],
    ["/Date(0)/", "1970-01-01T00:00:00.000Z"],
    ["2024-03-01", "2024-03-01T00:00:00.000Z"],
    ["2024-03-01T10:00:00Z", "2024-03-01T10:00:00.000Z"],
    ["2024-03-01T11:00:00+01:00", "2024-03-01T10:00:00.000Z"]
  ])("reads %s", (raw, iso) => {
    expect(Task.parseApiDate(raw)?.toISOString()).toBe(iso)
  })

  it.each(["yesterday", "", "/Date(abc)/", "2024-13-45"])("gives up on %j", (raw) => {
    expect(Task.parseApiDate(raw)).toBeUndefined()
  })
})
