import { describe, expect, it } from "vitest"
import { formatAge, table } from "../src/output/table.js"

describe("ages and tables", () => {
  const now = new Date("2026-11-30T10:21:30Z")
  it("say how long ago, in the largest sensible unit", () => {
    const ago = (ms: number) => formatAge(new Date(now.getTime() - ms), now)
    expect(ago(20_000)).toBe("just now")
    expect(ago(3 * 60_000)).toBe("3 min ago")
    expect(ago(2 * 3_600_000 + 59 * 60_000)).toBe("2 h ago")
    expect(ago(24 * 3_600_000)).toBe("1 day ago")
    expect(ago(5 * 24 * 3_600_000)).toBe("5 days ago")
    expect(ago(-4 * 60_000)).toBe("in 4 min")
  })
  it("align columns, numbers to the right", () => {
    expect(
      table(
        ["NAME", "N", "NOTE"],
        [
          ["a", "1", "x"],
          ["long name", "100", ""]
        ],
        [1]
      )
    ).toEqual(["NAME         N  NOTE", "a            1  x", "long name  100"])
  })
  it("show foreign cells cleaned, on one line, aligned by what is shown", () => {
    expect(
      table(
        ["FILE", "N"],
        [
          ["/x/a\u001b]0;pwned\u0007\u001b[2J.csv", "1"],
          ["/x/b\r\u001b[2K\u202e.csv", "2"]
        ]
      )
    ).toEqual(["FILE       N", "/x/a.csv   1", "/x/b .csv  2"])
  })
})
