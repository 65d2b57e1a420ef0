import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import { Consent } from "../src/consent/consent.js"

const layer = Consent.layer("token", 10 * 60_000)

describe("Consent", () => {
  it.effect("accepts a confirmation once, for its own filter, until it expires", () =>
    Effect.gen(function* () {
      const consent = yield* Consent
      const a = yield* consent.issue("sha256:a")
      expect(a.token).toMatch(/^bxc_[A-Za-z0-9_-]{24}$/)
      expect(yield* consent.redeem(a.token, "sha256:b")).toBe("other-filter")
      expect(yield* consent.redeem(a.token, "sha256:a")).toBeUndefined()
      expect(yield* consent.redeem(a.token, "sha256:a")).toBe("used")
      expect(yield* consent.redeem("bxc_never-issued", "sha256:a")).toBe("unknown")

      const b = yield* consent.issue("sha256:a")
      expect(b.token).not.toBe(a.token)
      yield* TestClock.adjust(Duration.minutes(10))
      expect(yield* consent.redeem(b.token, "sha256:a")).toBe("expired")

      const c = yield* consent.issue("sha256:a")
      yield* TestClock.adjust(Duration.minutes(9))
      expect(yield* consent.redeem(c.token, "sha256:a")).toBeUndefined()
    }).pipe(Effect.provide(layer))
  )
})
