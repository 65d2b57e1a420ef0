/**
 * How the client authenticates. The API's real scheme is not documented, so it is pluggable: a bearer
 * token (or an API key sent as a bearer token), an API key in a named header, HTTP basic, OAuth2 client
 * credentials (token cached until it expires, refreshed and the request resent once on 401), or
 * nothing. Secrets are `Redacted` values: they print as `<redacted>` and are unwrapped only when a
 * request is sent to the API origin — never to a download URL.
 *
 * @since 0.1.0
 */
import { Redacted } from "effect"

/**
 * No credentials.
 *
 * @since 0.1.0
 */
export interface None {
  readonly _tag: "None"
}

/**
 * `Authorization: Bearer <token>`.
 *
 * @since 0.1.0
 */
export interface Bearer {
  readonly _tag: "Bearer"
  readonly token: Redacted.Redacted<string>
}

/**
 * `<header>: <key>`, e.g. `X-Api-Key: <key>`.
 *
 * @since 0.1.0
 */
export interface ApiKeyHeader {
  readonly _tag: "ApiKeyHeader"
  readonly header: string
  readonly key: Redacted.Redacted<string>
}

/**
 * `Authorization: Basic base64(user:password)`.
 *
 * @since 0.1.0
 */
export interface Basic {
  readonly _tag: "Basic"
  readonly username: string
  readonly password: Redacted.Redacted<string>
}

/**
 * How an OAuth2 client proves itself to the token endpoint (RFC 6749 §2.3.1): `"basic"`, the client
 * id and secret in an `Authorization: Basic` header (which every server must accept), or `"body"`,
 * both in the form body.
 *
 * @since 0.1.0
 */
export type ClientAuthentication = "basic" | "body"

/**
 * OAuth2 client credentials: a token is requested from `tokenUrl` (form-encoded
 * `grant_type=client_credentials`, the client authenticated as `clientAuthentication` says, HTTP
 * basic by default), cached until shortly before `expires_in` runs out, and sent as
 * `Authorization: Bearer <access_token>`.
 *
 * @since 0.1.0
 */
export interface OAuth2ClientCredentials {
  readonly _tag: "OAuth2ClientCredentials"
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly scope?: string
  readonly clientAuthentication: ClientAuthentication
}

/**
 * Any authentication mode.
 *
 * @since 0.1.0
 */
export type Auth = None | Bearer | ApiKeyHeader | Basic | OAuth2ClientCredentials

const secret = (value: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)

/**
 * No credentials (the default).
 *
 * @since 0.1.0
 */
export const none: None = { _tag: "None" }

/**
 * A bearer token or API key sent as `Authorization: Bearer <token>`.
 *
 * @since 0.1.0
 */
export const bearer = (token: string | Redacted.Redacted<string>): Bearer => ({
  _tag: "Bearer",
  token: secret(token)
})

/**
 * An API key sent in the named header, e.g. `apiKeyHeader("X-Api-Key", key)`.
 *
 * @since 0.1.0
 */
export const apiKeyHeader = (header: string, key: string | Redacted.Redacted<string>): ApiKeyHeader => ({
  _tag: "ApiKeyHeader",
  header,
  key: secret(key)
})

/**
 * HTTP basic authentication.
 *
 * @since 0.1.0
 */
export const basic = (username: string, password: string | Redacted.Redacted<string>): Basic => ({
  _tag: "Basic",
  username,
  password: secret(password)
})

/**
 * OAuth2 client credentials against `tokenUrl`.
 *
 * @since 0.1.0
 */
export const oauth2ClientCredentials = (options: {
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret: string | Redacted.Redacted<string>
  readonly scope?: string | undefined
  /** Default `"basic"`. */
  readonly clientAuthentication?: ClientAuthentication | undefined
}): OAuth2ClientCredentials => ({
  _tag: "OAuth2ClientCredentials",
  tokenUrl: options.tokenUrl,
  clientId: options.clientId,
  clientSecret: secret(options.clientSecret),
  ...(options.scope !== undefined ? { scope: options.scope } : {}),
  clientAuthentication: options.clientAuthentication ?? "basic"
})

/**
 * The names of the request headers that carry a secret under this mode (lower case); they are
 * shown as `<redacted>` wherever headers are displayed.
 *
 * @since 0.1.0
 */
export const secretHeaders = (auth: Auth): ReadonlyArray<string> => {
  switch (auth._tag) {
    case "None":
      return []
    case "ApiKeyHeader":
      return [auth.header.toLowerCase()]
    default:
      return ["authorization"]
  }
}

/**
 * A short description that never contains a secret, e.g. `api key in header X-Api-Key`.
 *
 * @since 0.1.0
 */
export const describe = (auth: Auth): string => {
  switch (auth._tag) {
    case "None":
      return "none"
    case "Bearer":
      return "bearer token"
    case "ApiKeyHeader":
      return `api key in header ${auth.header}`
    case "Basic":
      return `basic (user ${auth.username})`
    case "OAuth2ClientCredentials":
      return `oauth2 client credentials (client ${auth.clientId})`
  }
}
