import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { ConsentTokens } from "../src/index.js"

describe("ConsentTokens.makeMemory", () => {
  it.effect("redeems a token once, for its kind and fingerprint, until it expires", () =>
    Effect.gen(function* () {
      const tokens = ConsentTokens.makeMemory()
      const issue = (token: string, ttlMs = 60_000) =>
        tokens.issue({ token, kind: "confirmation", fingerprint: "fp-1", ttlMs })
      const redeem = (token: string, fingerprint = "fp-1", kind = "confirmation") =>
        tokens.redeem({ token, kind, fingerprint })

      expect(yield* issue("t1")).toBe(60_000)
      // another filter or another kind: refused, and the token stays usable for its own
      expect(yield* redeem("t1", "fp-2")).toBe("other-filter")
      expect(yield* redeem("t1", "fp-1", "question")).toBe("unknown")
      expect(yield* redeem("never-issued")).toBe("unknown")
      expect(yield* redeem("t1")).toBeUndefined()
      expect(yield* redeem("t1")).toBe("used")

      yield* issue("t2", 1_000)
      yield* TestClock.adjust("1 second")
      expect(yield* redeem("t2")).toBe("expired")
      // forgotten once expired for longer than its validity, when the next one is issued
      yield* TestClock.adjust("2 seconds")
      yield* issue("t3", 1_000)
      expect(yield* redeem("t2")).toBe("unknown")
      expect(yield* redeem("t3")).toBeUndefined()
    })
  )
})
