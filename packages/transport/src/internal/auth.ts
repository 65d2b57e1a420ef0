import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Clock, Effect, Either, Option, Redacted, Ref, Schema } from "effect"
import type * as Auth from "../Auth.js"
import type * as BoosterConfig from "../BoosterConfig.js"
import * as BoosterError from "../BoosterError.js"
import * as Retry from "../Retry.js"
import * as UrlPolicy from "../UrlPolicy.js"
import * as Http from "./http.js"
import type { LogAttempt } from "./log.js"

/** The credentials of the API: headers for a request, and one resend with a fresh token on 401. */
export interface Credentials {
  /**
   * Runs `send` with the credential headers; under OAuth2 a 401 answer fetches a fresh token and
   * resends once (a 401 means the request was not processed).
   */
  readonly authenticated: <A>(
    send: (headers: Readonly<Record<string, string>>) => Effect.Effect<A, Http.AttemptError>
  ) => Effect.Effect<A, Http.AttemptError>
}

interface CachedToken {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: number
}

const TokenResponse = Schema.Struct({
  access_token: Schema.String,
  expires_in: Schema.optional(Schema.Union(Schema.Number, Schema.NumberFromString))
})
const decodeToken = Schema.decodeUnknownEither(Schema.parseJson(TokenResponse))

const staticCredentials = (
  auth: Exclude<Auth.Auth, Auth.OAuth2ClientCredentials>
): Record<string, string> => {
  switch (auth._tag) {
    case "None":
      return {}
    case "Bearer":
      return { authorization: `Bearer ${Redacted.value(auth.token)}` }
    case "ApiKeyHeader":
      return { [auth.header.toLowerCase()]: Redacted.value(auth.key) }
    case "Basic":
      return {
        authorization: `Basic ${Buffer.from(`${auth.username}:${Redacted.value(auth.password)}`).toString("base64")}`
      }
  }
}

/** OAuth2 client credentials: the token cache (one fetch at a time) and the token request. */
const oauth2 = (
  config: BoosterConfig.Resolved,
  http: HttpClient.HttpClient,
  auth: Auth.OAuth2ClientCredentials,
  logAttempt: LogAttempt,
  userAgent: string
) =>
  Effect.gen(function* () {
    const cache = yield* Ref.make(Option.none<CachedToken>())
    const lock = yield* Effect.makeSemaphore(1)

    const fetchToken = Effect.gen(function* () {
      yield* UrlPolicy.warnIfInsecure(auth.tokenUrl)
      const started = yield* Clock.currentTimeMillis
      const form: Record<string, string> = { grant_type: "client_credentials" }
      if (auth.clientAuthentication === "body") {
        form.client_id = auth.clientId
        form.client_secret = Redacted.value(auth.clientSecret)
      }
      if (auth.scope !== undefined) form.scope = auth.scope
      // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined for basic
      const basic = Buffer.from(
        `${encodeURIComponent(auth.clientId)}:${encodeURIComponent(Redacted.value(auth.clientSecret))}`
      ).toString("base64")
      const request = HttpClientRequest.post(auth.tokenUrl).pipe(
        HttpClientRequest.bodyUrlParams(form),
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeader("user-agent", userAgent),
        auth.clientAuthentication === "basic"
          ? HttpClientRequest.setHeader("authorization", `Basic ${basic}`)
          : (request) => request
      )
      const answer = yield* Http.sendOnce(http, request, "the OAuth2 token request", config.timeoutMs, {
        maxBytes: config.maxResponseBytes
      }).pipe(
        Effect.retry(
          Retry.schedule(config.retry, (e: Http.AttemptError) => ({ retryable: e.outcome !== "final" }))
        ),
        Effect.tapBoth({
          onFailure: (e) => logAttempt("POST", auth.tokenUrl, 1, started, String(e.status ?? e.error._tag)),
          onSuccess: (a) => logAttempt("POST", auth.tokenUrl, 1, started, String(a.status))
        }),
        Effect.mapError(
          (e) =>
            new BoosterError.AuthenticationError({
              ...(e.status !== undefined ? { status: e.status } : {}),
              message: `The OAuth2 token endpoint refused or failed the request (${e.status !== undefined ? `HTTP ${e.status}` : e.error.message})`,
              hint: "Check the token URL, client id, client secret and scope."
            })
        )
      )
      const decoded = decodeToken(answer.text)
      if (Either.isLeft(decoded)) {
        return yield* new BoosterError.AuthenticationError({
          status: answer.status,
          message: "The OAuth2 token endpoint answered without an access_token",
          hint: "Check the token URL."
        })
      }
      const now = yield* Clock.currentTimeMillis
      const lifetimeMs = (decoded.right.expires_in ?? 3600) * 1000
      const cached: CachedToken = {
        token: Redacted.make(decoded.right.access_token),
        expiresAt: now + Math.max(0, lifetimeMs - Math.min(30_000, lifetimeMs / 10))
      }
      yield* Ref.set(cache, Option.some(cached))
      return cached.token
    })

    /** The cached token, or a new one when there is none, it expired, or `fresh` is asked. */
    return (fresh: boolean) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const cached = yield* Ref.get(cache)
          if (!fresh && Option.isSome(cached) && cached.value.expiresAt > now) return cached.value.token
          return yield* fetchToken
        })
      )
  })

/** The credentials of `config.auth`. */
export const make = (
  config: BoosterConfig.Resolved,
  http: HttpClient.HttpClient,
  logAttempt: LogAttempt,
  userAgent: string
): Effect.Effect<Credentials> =>
  Effect.gen(function* () {
    const auth = config.auth
    if (auth._tag !== "OAuth2ClientCredentials") {
      const fixed = staticCredentials(auth)
      return { authenticated: (send) => send(fixed) }
    }
    const token = yield* oauth2(config, http, auth, logAttempt, userAgent)
    const send = <A>(
      fresh: boolean,
      f: (headers: Readonly<Record<string, string>>) => Effect.Effect<A, Http.AttemptError>
    ) =>
      Effect.flatMap(
        Effect.mapError(token(fresh), (error) => new Http.AttemptError({ outcome: "final", error })),
        (value) => f({ authorization: `Bearer ${Redacted.value(value)}` })
      )
    return {
      authenticated: (f) =>
        send(false, f).pipe(
          Effect.catchIf(
            (e) => e.status === 401,
            () => send(true, f)
          )
        )
    }
  })
