import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { Auth } from "../src/index.js"
import { clientFor, filter, sandbox, server } from "./support.js"

describe("authentication modes", () => {
  it.scopedLive("bearer: the key goes in Authorization and never to the download origin", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const client = yield* clientFor(sb, { headers: { "x-booster-App": "crm-tools" } })
      const started = yield* client.startExport(filter)
      yield* client.download(
        started.asyncTaskId,
        `${process.env.TMPDIR ?? "/tmp"}/auth-bearer-${Date.now()}.csv`
      )
      const api = sb.requests().filter((r) => r.origin === "api")
      const storage = sb.requests().filter((r) => r.origin === "storage")
      expect(api.every((r) => r.carriedCredentials && r.status === 200)).toBe(true)
      expect(api.every((r) => r.headers.authorization === "<redacted>")).toBe(true)
      expect(api.every((r) => r.headers["x-booster-app"] === "crm-tools")).toBe(true)
      expect(storage).toHaveLength(1)
      expect(storage[0]!.carriedCredentials).toBe(false)
      expect(Object.keys(storage[0]!.headers)).not.toContain("x-booster-app")
    })
  )

  it.scopedLive("API key in a named header", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox({ apiKeyHeader: "X-Api-Key" })
      const client = yield* clientFor(sb, { auth: Auth.apiKeyHeader("X-Api-Key", Redacted.make(sb.apiKey)) })
      yield* client.listTasks()
      const [request] = sb.requests()
      expect(request!.status).toBe(200)
      expect(request!.headers.authorization).toBeUndefined()
      expect(request!.headers["x-api-key"]).toBe("<redacted>")
    })
  )

  it.scopedLive("no credentials: AuthenticationError with a hint naming BOOSTER_API_KEY", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const client = yield* clientFor(sb, { auth: Auth.none })
      const error = yield* Effect.flip(client.listTasks())
      expect(error._tag).toBe("AuthenticationError")
      expect(error).toHaveProperty("status", 401)
      expect(error).toHaveProperty("hint", expect.stringContaining("BOOSTER_API_KEY"))
      expect(error).toHaveProperty("responseStatus.errorCode", "Unauthorized")
      expect(sb.requests()).toHaveLength(1)
    })
  )

  it.scopedLive("basic: user and password in Authorization", () =>
    Effect.gen(function* () {
      const seen: Array<string | undefined> = []
      const api = yield* server((req, res) => {
        seen.push(req.headers.authorization)
        res.setHeader("content-type", "application/json")
        res.end("[]")
      })
      const client = yield* clientFor({ baseUrl: api.url, apiKey: "" }, { auth: Auth.basic("ann", "s3cret") })
      expect(yield* client.listTasks()).toEqual([])
      expect(seen).toEqual([`Basic ${Buffer.from("ann:s3cret").toString("base64")}`])
    })
  )

  it.scopedLive("OAuth2 client credentials: one token for many calls, refreshed and resent once on 401", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const forms: Array<URLSearchParams> = []
      const authorizations: Array<string | undefined> = []
      const tokens = ["stale-token", sb.apiKey]
      const tokenEndpoint = yield* server((req, res) => {
        let body = ""
        req.on("data", (chunk) => {
          body += chunk
        })
        req.on("end", () => {
          forms.push(new URLSearchParams(body))
          authorizations.push(req.headers.authorization)
          const token = tokens[Math.min(forms.length - 1, tokens.length - 1)]
          res.setHeader("content-type", "application/json")
          res.end(JSON.stringify({ access_token: token, token_type: "bearer", expires_in: 3600 }))
        })
      })
      const client = yield* clientFor(sb, {
        auth: Auth.oauth2ClientCredentials({
          tokenUrl: `${tokenEndpoint.url}/oauth/token`,
          clientId: "booster cli",
          clientSecret: Redacted.make("client:secret"),
          scope: "exports"
        })
      })
      yield* client.listTasks()
      yield* client.startExport(filter)
      yield* client.listTasks()
      expect(forms).toHaveLength(2)
      // by default the client authenticates with HTTP basic, id and secret form-encoded first (RFC 6749)
      expect(Object.fromEntries(forms[0]!)).toEqual({ grant_type: "client_credentials", scope: "exports" })
      expect(authorizations[0]).toBe(
        `Basic ${Buffer.from("booster%20cli:client%3Asecret").toString("base64")}`
      )
      expect(sb.requests().map((r) => r.status)).toEqual([401, 200, 200, 200])
      expect(sb.tasksCreated()).toBe(1)
    })
  )

  it.scopedLive("OAuth2 with the client in the form body instead, when asked", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const client = yield* clientFor(sb, {
        auth: Auth.oauth2ClientCredentials({
          tokenUrl: sb.tokenUrl,
          clientId: "booster-cli",
          clientSecret: sb.apiKey,
          clientAuthentication: "body"
        })
      })
      expect(yield* client.listTasks()).toEqual([])
      const token = sb.requests().find((r) => r.path === "/oauth/token")!
      expect(token).toMatchObject({ status: 200, carriedCredentials: false })
      expect(token.bodySha256).toBe(
        createHash("sha256")
          .update(`grant_type=client_credentials&client_id=booster-cli&client_secret=${sb.apiKey}`)
          .digest("hex")
      )
    })
  )

  it.scopedLive("OAuth2: a refused token request is an AuthenticationError, the API is not called", () =>
    Effect.gen(function* () {
      const sb = yield* sandbox()
      const tokenEndpoint = yield* server((_req, res) => {
        res.statusCode = 401
        res.end('{"error":"invalid_client"}')
      })
      const client = yield* clientFor(sb, {
        auth: Auth.oauth2ClientCredentials({
          tokenUrl: tokenEndpoint.url,
          clientId: "x",
          clientSecret: "wrong"
        })
      })
      const error = yield* Effect.flip(client.listTasks())
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).not.toContain("wrong")
      expect(sb.requests()).toHaveLength(0)
    })
  )

  it("secrets print as <redacted>", () => {
    const auth = Auth.bearer("top-secret")
    expect(JSON.stringify(auth)).not.toContain("top-secret")
    expect(String(Auth.basic("u", "pw").password)).toBe("<redacted>")
    expect(Auth.describe(Auth.apiKeyHeader("X-Api-Key", "k"))).toBe("api key in header X-Api-Key")
  })
})
