import { Validation } from "@booster-export/core"
import { describe, expect, it } from "vitest"
import { invalid, shownPath } from "../src/tools/result.js"

describe("validation results", () => {
  it("shows field paths as they are", () => {
    expect(shownPath("posCodes")).toBe("posCodes")
    expect(shownPath("interests[1].sapInterestId")).toBe("interests[1].sapInterestId")
    expect(shownPath("")).toBe("(arguments)")
  })

  it("does not repeat a member name that is not a field name", () => {
    const error = new Validation.ValidationError({
      issues: [
        { path: "jane.doe@example.com", rule: "unknown-field", message: "is not a known field" },
        { path: "+41 79 555 12 12", rule: "unknown-field", message: "is not a known field" },
        { path: "posCodes", rule: "required", message: "is required" }
      ]
    })
    const text = (invalid(error, "fix them.").content[0] as { text: string }).text
    expect(text).not.toContain("jane")
    expect(text).not.toContain("555")
    expect(text).toContain("posCodes: is required [required]")
    expect(text).toContain("3 problems")
    expect(text).toContain("Next step: fix them.")
  })
})
