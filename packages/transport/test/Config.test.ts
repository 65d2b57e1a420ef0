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

describe("BoosterConfig.authFromEnv", () => {
  const oauth = {
    BOOSTER_OAUTH2_TOKEN_URL: "https://login.example.com/oauth/token",
    BOOSTER_OAUTH2_CLIENT_ID: "crm-exports",
    BOOSTER_OAUTH2_CLIENT_SECRET: "s3cret-value",
    BOOSTER_OAUTH2_SCOPE: "exports"
  }

  it("reads each kind of credentials, secrets Redacted, and none when none are set", () => {
    expect(Either.getOrThrow(BoosterConfig.authFromEnv({}))).toBeUndefined()
    const basic = Either.getOrThrow(
      BoosterConfig.authFromEnv({ BOOSTER_BASIC_USER: "exporter", BOOSTER_BASIC_PASSWORD: "pa55word" })
    )
    expect(basic).toMatchObject({ _tag: "Basic", username: "exporter" })
    expect(basic?._tag === "Basic" && Redacted.value(basic.password)).toBe("pa55word")
    const oauth2 = Either.getOrThrow(BoosterConfig.authFromEnv(oauth))
    expect(oauth2).toMatchObject({
      _tag: "OAuth2ClientCredentials",
      tokenUrl: oauth.BOOSTER_OAUTH2_TOKEN_URL,
      clientId: "crm-exports",
      scope: "exports",
      clientAuthentication: "basic"
    })
    expect(
      Either.getOrThrow(BoosterConfig.authFromEnv({ ...oauth, BOOSTER_OAUTH2_CLIENT_AUTH: "body" }))
    ).toMatchObject({ clientAuthentication: "body" })
    const badMode = BoosterConfig.authFromEnv({ ...oauth, BOOSTER_OAUTH2_CLIENT_AUTH: "jwt" })
    expect(Either.isLeft(badMode) && badMode.left.message).toBe(
      "BOOSTER_OAUTH2_CLIENT_AUTH must be basic or body"
    )
    expect(oauth2?._tag === "OAuth2ClientCredentials" && Redacted.value(oauth2.clientSecret)).toBe(
      "s3cret-value"
    )
    expect(JSON.stringify([basic, oauth2])).not.toMatch(/pa55word|s3cret-value/)
    expect(Either.getOrThrow(BoosterConfig.authFromEnv({ BOOSTER_API_KEY: "k" }))).toMatchObject({
      _tag: "Bearer"
    })
  })

  it("names what is missing from credentials given in part, and refuses two kinds at once", () => {
    const partial = BoosterConfig.authFromEnv({ BOOSTER_OAUTH2_TOKEN_URL: oauth.BOOSTER_OAUTH2_TOKEN_URL })
    expect(Either.isLeft(partial) && partial.left.message).toBe(
      "Incomplete credentials: BOOSTER_OAUTH2_CLIENT_ID, BOOSTER_OAUTH2_CLIENT_SECRET not set"
    )
    const basic = BoosterConfig.authFromEnv({ BOOSTER_BASIC_USER: "exporter" })
    expect(Either.isLeft(basic) && basic.left.message).toContain("BOOSTER_BASIC_PASSWORD not set")
    const both = BoosterConfig.authFromEnv({ ...oauth, BOOSTER_API_KEY: "k" })
    expect(Either.isLeft(both) && both.left).toMatchObject({ _tag: "InvalidConfigError", field: "auth" })
    expect(Either.isLeft(both) && both.left.message).toContain("BOOSTER_API_KEY, BOOSTER_OAUTH2_TOKEN_URL")
    expect(Either.isLeft(both) && both.left.message).not.toContain("s3cret-value")
    expect(() => BoosterConfig.fromEnv({ ...oauth, BOOSTER_API_KEY: "k" })).toThrow(/more than one kind/)
    expect(BoosterConfig.fromEnv({ ...oauth, BOOSTER_BASE_URL: "https://b.example" }).auth).toMatchObject({
      _tag: "OAuth2ClientCredentials"
    })
  })

  it.effect("the Effect Config reads OAuth2 credentials too, and fails on a mix", () =>
    Effect.gen(function* () {
      const read = (env: Record<string, string>) =>
        Effect.either(
          Effect.withConfigProvider(
            Effect.flatMap(Effect.void, () => BoosterConfig.config),
            ConfigProvider.fromMap(new Map(Object.entries({ BOOSTER_BASE_URL: "https://b.example", ...env })))
          )
        )
      const good = yield* read(oauth)
      expect(Either.isRight(good) && good.right.auth).toMatchObject({ _tag: "OAuth2ClientCredentials" })
      const mixed = yield* read({ ...oauth, BOOSTER_BASIC_USER: "exporter" })
      expect(Either.isLeft(mixed) && String(mixed.left)).toContain("more than one kind")
    })
  )
})
