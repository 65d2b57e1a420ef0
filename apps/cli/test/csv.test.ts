import { parse } from "csv-parse/sync"
import { describe, expect, it } from "vitest"
import * as Csv from "../src/output/csv.js"

/** CSV text read back by csv-parse: rows of cells, the header row first. */
const rowsOf = (text: string): Array<Array<string>> => parse(text)

const cellOf = (value: string | number) => rowsOf(Csv.stringify([{ a: value }], ["a"]))[1]![0]

describe("CSV the command line writes", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ['=HYPERLINK("http://evil.example/","x")', `'=HYPERLINK("http://evil.example/","x")`],
    ["+41 22 000 00 00", "'+41 22 000 00 00"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["\t=1", "' =1"],
    ["\r=1", "' =1"],
    ["  =1", "'  =1"]
  ])("neutralises a cell a spreadsheet would run (%j) with a leading quote", (value, shown) => {
    expect(cellOf(value)).toBe(shown)
  })

  it("leaves ordinary cells, numbers and empty cells as they are", () => {
    expect(cellOf("ticket OPS-7")).toBe("ticket OPS-7")
    expect(cellOf("a=b")).toBe("a=b")
    expect(cellOf(42)).toBe("42")
    expect(rowsOf(Csv.stringify([{ a: "x" }], ["a", "b"]))[1]).toEqual(["x", ""])
  })

  it("cleans every cell of terminal escapes, controls and line breaks: one line per row", () => {
    const text = Csv.stringify(
      [{ a: "ok\u001b]52;c;cm0gLXJmIH4K\u0007\u001b[2J\u202e", b: "two\nlines\r\n" }],
      ["a", "b"]
    )
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]|cm0g/)
    expect(rowsOf(text)).toEqual([
      ["a", "b"],
      ["ok", "two lines "]
    ])
  })
})
