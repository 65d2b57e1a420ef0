import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Redacted } from "effect"
import { BoosterConfig } from "../src/index.js"

describe("BoosterConfig", () => {
  it("refuses plain http to a non-loopback host unless allowed", () => {
    const refused = BoosterConfig.resolve({ baseUrl: "http://booster.example.com" })
    expect(Either.isLeft(refused) && refused.left.field).toBe("baseUrl")
    expect(
      Either.isRight(
        BoosterConfig.resolve({ baseUrl: "http://booster.example.com", allowInsecureHttp: true })
      )
    ).toBe(true)
    expect(Either.isRight(BoosterConfig.resolve({ baseUrl: "http://127.0.0.1:8080" }))).toBe(true)
    expect(Either.isRight(BoosterConfig.resolve({ baseUrl: "http://localhost:8080" }))).toBe(true)
    expect(Either.isRight(BoosterConfig.resolve({ baseUrl: "https://booster.example.com/api" }))).toBe(true)
  })

  it("fills in the documented defaults and keeps a base path", () => {
    const resolved = Either.getOrThrow(BoosterConfig.resolve({ baseUrl: "https://h.example/api/v2" }))
    expect(resolved.baseUrl.toString()).toBe("https://h.example/api/v2/")
    expect(resolved.timeoutMs).toBe(30_000)
    expect(resolved.followTimeoutMs).toBe(3_600_000)
    expect(resolved.retry).toEqual({
      maxRetries: 4,
      initialDelayMs: 500,
      maxDelayMs: 8_000,
      maxRetryAfterMs: 60_000
    })
    expect(resolved.poll).toEqual({ initialMs: 1_000, maxMs: 15_000 })
  })

  it("rejects a missing or malformed base URL and negative durations, naming the field", () => {
    const missing = BoosterConfig.resolve({ baseUrl: "" })
    expect(Either.isLeft(missing) && missing.left.message).toContain("No API base URL")
    const malformed = BoosterConfig.resolve({ baseUrl: "not a url" })
    expect(Either.isLeft(malformed)).toBe(true)
    const negative = BoosterConfig.resolve({ baseUrl: "https://h.example", timeoutMs: -1 })
    expect(Either.isLeft(negative) && negative.left.field).toBe("timeoutMs")
  })

  it("reads the environment: bearer by default, a named header when asked, the log level", () => {
    const bearer = BoosterConfig.fromEnv({ BOOSTER_BASE_URL: "https://h.example", BOOSTER_API_KEY: "k-123" })
    expect(bearer.baseUrl).toBe("https://h.example")
    expect(bearer.auth?._tag).toBe("Bearer")
    expect(JSON.stringify(bearer)).not.toContain("k-123")
    const header = BoosterConfig.fromEnv({
      BOOSTER_API_KEY: "k",
      BOOSTER_API_KEY_HEADER: "X-Api-Key",
      BOOSTER_LOG: "DEBUG"
    })
    expect(header.auth).toMatchObject({ _tag: "ApiKeyHeader", header: "X-Api-Key" })
    expect(header.logLevel).toBe("debug")
    expect(BoosterConfig.fromEnv({})).toEqual({})
  })

  it.effect("offers the same as an Effect Config, with the key Redacted", () =>
    Effect.gen(function* () {
      const options = yield* BoosterConfig.config.pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(
            new Map([
              ["BOOSTER_BASE_URL", "https://h.example"],
              ["BOOSTER_API_KEY", "k-9"],
              ["BOOSTER_API_KEY_HEADER", "X-Key"]
            ])
          )
        )
      )
      expect(options.baseUrl).toBe("https://h.example")
      expect(options.auth?._tag).toBe("ApiKeyHeader")
      if (options.auth?._tag !== "ApiKeyHeader") return
      expect(Redacted.value(options.auth.key)).toBe("k-9")
      expect(String(options.auth.key)).toBe("<redacted>")
    })
  )
})
