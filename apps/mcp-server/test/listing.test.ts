import { describe, expect, it } from "vitest"
import { listing } from "../src/tools/listing.js"

describe("the tools' wire descriptions", () => {
  it("are generated from core's schemas", () => {
    expect(JSON.parse(JSON.stringify(listing()))).toMatchSnapshot()
  })
})
