import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import { Consent } from "../src/consent/consent.js"
import { canAskForm } from "../src/server/make-server.js"

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

  it.effect("keeps a question's state and a preview's confirmation apart", () =>
    Effect.gen(function* () {
      const consent = yield* Consent
      const question = yield* consent.issue("sha256:a", "question")
      expect(question.token).toMatch(/^bxq_[A-Za-z0-9_-]{24}$/)
      const confirmation = yield* consent.issue("sha256:a")
      expect(yield* consent.redeem(question.token, "sha256:a")).toBe("unknown")
      expect(yield* consent.redeem(confirmation.token, "sha256:a", "question")).toBe("unknown")
      expect(yield* consent.redeem(question.token, "sha256:b", "question")).toBe("other-filter")
      expect(yield* consent.redeem(question.token, "sha256:a", "question")).toBeUndefined()
      expect(yield* consent.redeem(question.token, "sha256:a", "question")).toBe("used")
      expect(yield* consent.redeem(confirmation.token, "sha256:a")).toBeUndefined()
    }).pipe(Effect.provide(layer))
  )

  it("reads a 2026-07-28 client's capabilities as the SDK's input-request gate does", () => {
    expect(canAskForm({ elicitation: { form: {} } })).toBe(true)
    expect(canAskForm({ elicitation: {} })).toBe(true)
    expect(canAskForm({ elicitation: { form: {}, url: {} } })).toBe(true)
    expect(canAskForm({ elicitation: { url: {} } })).toBe(false)
    expect(canAskForm({})).toBe(false)
    expect(canAskForm(undefined)).toBe(false)
  })
})
