import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { StateDirectory } from "../src/index.js"

describe("StateDirectory.resolve", () => {
  it("is $XDG_STATE_HOME/booster-export, else ~/.local/state/booster-export", () => {
    expect(StateDirectory.resolve({ XDG_STATE_HOME: "/state", HOME: "/home/ada" })).toBe(
      join("/state", "booster-export")
    )
    expect(StateDirectory.resolve({ XDG_STATE_HOME: "  ", HOME: "/home/ada" })).toBe(
      join("/home/ada", ".local", "state", "booster-export")
    )
  })
})
