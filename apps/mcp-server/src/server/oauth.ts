/**
 * `booster-mcp --http` as an OAuth 2.1 protected resource (MCP authorization, RFC 9728): the
 * authorization server is found from the issuer (RFC 8414 or OpenID Connect discovery), access
 * tokens are JWTs checked with `jose` against the issuer's JWKS (signature, issuer, audience, expiry),
 * and the token's scopes decide which tools it may call. The token itself goes no further than
 * this module: the MCP handlers see its subject, client and scopes, never the token.
 */
import * as http from "node:http"
import * as https from "node:https"
import * as UrlPolicy from "@booster-export/transport/UrlPolicy"
import type { AuthInfo, OAuthProtectedResourceMetadata } from "@modelcontextprotocol/server"
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from "jose"
import { secureOrLoopback } from "../options/options.js"

/** The scopes this server understands: `exports:read` for the read tools, `exports:write` for all. */
export const SCOPES = { read: "exports:read", write: "exports:write" } as const

/** Seconds of clock difference tolerated on `exp`, `nbf` and `iat`. */
export const CLOCK_TOLERANCE_SECONDS = 30

/** How long discovery and key requests to the authorization server may take, in ms, answer included. */
const FETCH_TIMEOUT_MS = 10_000

/** The largest discovery document or key set read, in bytes, counted while reading. */
export const MAX_DOCUMENT_BYTES = 256 * 1024

/**
 * After discovery or a key request failed, the authorization server is not asked again for this
 * long, whatever the requests: a flood of tokens cannot turn into a flood of requests to it.
 */
export const RETRY_AFTER_MS = 30_000

/** What the authorization server told us about itself. */
export interface AuthorizationServer {
  /** The issuer exactly as the server names it (and as it appears in `iss`). */
  readonly issuer: string
  /** Where its signing keys are. */
  readonly jwksUri: URL
}

/** A request refused: the HTTP status, the `WWW-Authenticate` challenge, and a message for the body. */
export interface Refusal {
  readonly status: 400 | 401 | 403 | 503
  readonly challenge?: string
  readonly message: string
}

const trimSlash = (text: string): string => text.replace(/\/+$/, "")

/**
 * The discovery documents to try for `issuer`, in the order the MCP authorization spec gives:
 * RFC 8414 (path inserted after the well-known prefix), then OpenID Connect (inserted, then appended).
 */
export const discoveryUrls = (issuer: URL): ReadonlyArray<URL> => {
  const path = trimSlash(issuer.pathname)
  const at = (pathname: string) => new URL(pathname, issuer.origin)
  return path === ""
    ? [at("/.well-known/oauth-authorization-server"), at("/.well-known/openid-configuration")]
    : [
        at(`/.well-known/oauth-authorization-server${path}`),
        at(`/.well-known/openid-configuration${path}`),
        at(`${path}/.well-known/openid-configuration`)
      ]
}

/** The authorization server failed moments ago and is not asked again yet. */
class CoolingDown extends Error {
  override readonly name = "CoolingDown"
}

/**
 * Whether the issuer's `jwks_uri` may be fetched: https (plain http only to a loopback host, and
 * never from an https issuer); on the issuer's own host, or else on a host that is public or on the
 * same kind of network as the issuer (a public issuer cannot point the server at a private,
 * loopback or metadata address — the rule downloads follow). The reason when it may not.
 */
export const refusedKeysUrl = (jwks: URL, issuer: URL): string | undefined => {
  if (!secureOrLoopback(jwks)) return "jwks_uri must be https (plain http only on loopback)"
  if (jwks.protocol === "http:" && issuer.protocol === "https:") {
    return "jwks_uri is plain http while the issuer is https"
  }
  if (jwks.username !== "" || jwks.password !== "") return "jwks_uri must not carry user info"
  if (jwks.hostname === issuer.hostname) return undefined
  const target = UrlPolicy.hostClass(jwks.hostname)
  const address = jwks.hostname === "localhost" ? "127.0.0.1" : jwks.hostname
  return UrlPolicy.acceptsAddress(address, issuer)
    ? undefined
    : `jwks_uri is on a ${target} host while the issuer is not`
}

/**
 * GETs `url` with Node's own HTTP stack: no redirect followed, the answer read up to
 * {@link MAX_DOCUMENT_BYTES} (the connection is closed past it) and complete within
 * {@link FETCH_TIMEOUT_MS}; with `issuer`, a host name resolving to an address the issuer may not
 * send us to is refused before connecting.
 */
const fetchBounded = (url: URL, accept: string, issuer?: URL): Promise<{ status: number; body: Buffer }> =>
  new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer)
      reject(error)
    }
    const request = (url.protocol === "https:" ? https : http).get(
      url,
      {
        agent: false,
        headers: { accept },
        ...(issuer === undefined || url.hostname === issuer.hostname
          ? {}
          : {
              lookup: UrlPolicy.guardedLookup((address) => UrlPolicy.acceptsAddress(address, issuer))
            })
      },
      (response) => {
        const chunks: Array<Buffer> = []
        let size = 0
        response.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_DOCUMENT_BYTES) {
            request.destroy(new Error(`the answer is larger than ${MAX_DOCUMENT_BYTES} bytes`))
            return
          }
          chunks.push(chunk)
        })
        response.on("end", () => {
          clearTimeout(timer)
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) })
        })
        response.on("error", fail)
      }
    )
    request.on("error", fail)
    const timer = setTimeout(
      () => request.destroy(new Error(`no complete answer within ${FETCH_TIMEOUT_MS / 1000} s`)),
      FETCH_TIMEOUT_MS
    )
  })

const fetchDocument = async (url: URL): Promise<Record<string, unknown> | undefined> => {
  const { status, body } = await fetchBounded(url, "application/json")
  if (status !== 200) return undefined
  try {
    const value: unknown = JSON.parse(body.toString("utf8"))
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * The key set's fetch for `jose`: {@link fetchBounded} behind the address rule, and not asked again
 * within {@link RETRY_AFTER_MS} of a failure (a refused, unreachable, slow, oversize or non-200 answer).
 */
const keysFetch = (issuer: URL) => {
  let failedAt = Number.NEGATIVE_INFINITY
  return async (href: string): Promise<Response> => {
    if (Date.now() - failedAt < RETRY_AFTER_MS) {
      throw new CoolingDown("the key set could not be read moments ago; not asked again yet")
    }
    try {
      const { status, body } = await fetchBounded(
        new URL(href),
        "application/json, application/jwk-set+json",
        issuer
      )
      if (status !== 200) throw new Error(`the key set answered HTTP ${status}`)
      return new Response(new Uint8Array(body), { status, headers: { "content-type": "application/json" } })
    } catch (error) {
      failedAt = Date.now()
      throw error
    }
  }
}

/**
 * Finds the authorization server's metadata: the first discovery document that answers and names
 * the same issuer (one trailing slash aside), with a `jwks_uri` that {@link refusedKeysUrl} accepts.
 * Rejects with a message naming what is wrong, never a credential.
 */
export const discover = async (issuer: URL): Promise<AuthorizationServer> => {
  const problems: Array<string> = []
  for (const url of discoveryUrls(issuer)) {
    let document: Record<string, unknown> | undefined
    try {
      document = await fetchDocument(url)
    } catch (error) {
      problems.push(`${url.href}: ${error instanceof Error ? error.message : "unreachable"}`)
      continue
    }
    if (document === undefined) {
      problems.push(`${url.href}: no metadata document`)
      continue
    }
    const named = document.issuer
    if (typeof named !== "string" || trimSlash(named) !== trimSlash(issuer.href)) {
      problems.push(`${url.href}: names another issuer`)
      continue
    }
    const jwks =
      typeof document.jwks_uri === "string" && URL.canParse(document.jwks_uri)
        ? new URL(document.jwks_uri)
        : undefined
    if (jwks === undefined) {
      problems.push(`${url.href}: no jwks_uri`)
      continue
    }
    const refused = refusedKeysUrl(jwks, issuer)
    if (refused !== undefined) {
      problems.push(`${url.href}: ${refused}`)
      continue
    }
    return { issuer: named, jwksUri: jwks }
  }
  throw new Error(`OAuth discovery for ${issuer.href} failed (${problems.join("; ")})`)
}

/** The scopes a token grants: `scope` (RFC 9068, space-separated) or `scp` (string or array). */
const scopesOf = (payload: JWTPayload): ReadonlyArray<string> => {
  const raw = payload.scope ?? payload.scp
  if (typeof raw === "string") return raw.split(" ").filter((scope) => scope !== "")
  if (Array.isArray(raw)) return raw.filter((scope): scope is string => typeof scope === "string")
  return []
}

/** Why a token was refused, in words for the `error_description` (no claim value, no token). */
const describe = (error: unknown): string => {
  if (error instanceof errors.JWTExpired) return "the token has expired"
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return "the token was not issued for this server (audience)"
    if (error.claim === "iss") return "the token was issued by another authorization server"
    return `the token's ${error.claim} claim is not acceptable`
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return "the token's signature does not verify with the authorization server's keys"
  }
  return "the token is not a signed JWT from the authorization server"
}

const quoted = (value: string): string => value.replace(/[\\"]/g, "").replace(/[^\u0020-\u007e]/g, "")

/** What the protected resource needs: its issuer, audience and public URL. */
export interface ResourceOptions {
  /** The authorization server's issuer URL, as configured (advertised as given). */
  readonly issuer: string
  /** The `aud` tokens must carry; default the resource URL. */
  readonly audience?: string | undefined
  /** The MCP endpoint's URL as clients reach it (the RFC 9728 `resource`). */
  readonly resource: URL
  /** Where to say that discovery or the keys failed (never with a token). */
  readonly warn: (message: string) => void
}

/** A protected resource: metadata, token checks and scope decisions. */
export interface ProtectedResource {
  /** The RFC 9728 metadata URL advertised in challenges. */
  readonly metadataUrl: string
  /** Whether `pathname` is one of the paths the metadata document is served on. */
  readonly servesMetadata: (pathname: string) => boolean
  /** The RFC 9728 document. */
  readonly metadata: () => OAuthProtectedResourceMetadata
  /**
   * Checks the `Authorization` header (every copy the request carried): the verified token's
   * {@link AuthInfo} (its `token` left empty: nothing past this point needs it), or a refusal. A
   * token is taken from one `Authorization` header only: two headers, or an `access_token` anywhere
   * else (`elsewhere`: the query), is a 400 `invalid_request` and nothing is verified.
   */
  readonly authenticate: (
    header: ReadonlyArray<string> | undefined,
    elsewhere?: boolean
  ) => Promise<AuthInfo | Refusal>
  /**
   * Whether a token with `auth`'s scopes may call the tool `name` (`write`: a tool that starts or
   * downloads); a 403 `insufficient_scope` refusal when it may not.
   */
  readonly authorizeTool: (auth: AuthInfo, name: string, write: boolean) => Refusal | undefined
  /** Starts discovery now, so that a misconfigured issuer shows in the log before the first request. */
  readonly warmUp: () => void
}

/** A protected resource for `options`; the authorization server is discovered on first use. */
export const make = (options: ResourceOptions): ProtectedResource => {
  const resource = options.resource
  const metadataPath = `/.well-known/oauth-protected-resource${trimSlash(resource.pathname)}`
  const metadataUrl = new URL(metadataPath, resource.origin).href
  const audience = options.audience ?? resource.href
  const issuerUrl = new URL(options.issuer)
  let server: Promise<{ issuer: string; keys: ReturnType<typeof createRemoteJWKSet> }> | undefined
  let discoveryFailedAt = Number.NEGATIVE_INFINITY
  const authorizationServer = () => {
    if (server === undefined && Date.now() - discoveryFailedAt < RETRY_AFTER_MS) {
      return Promise.reject(new CoolingDown("discovery failed moments ago; not tried again yet"))
    }
    server ??= discover(issuerUrl).then(
      (found) => ({
        issuer: found.issuer,
        keys: createRemoteJWKSet(found.jwksUri, {
          timeoutDuration: FETCH_TIMEOUT_MS,
          [customFetch]: keysFetch(issuerUrl)
        })
      }),
      (error: unknown) => {
        server = undefined
        discoveryFailedAt = Date.now()
        throw error
      }
    )
    return server
  }
  const challenge = (parts: ReadonlyArray<readonly [string, string]>): string =>
    `Bearer ${[...parts, ["resource_metadata", metadataUrl] as const].map(([k, v]) => `${k}="${quoted(v)}"`).join(", ")}`
  const invalid = (description: string): Refusal => ({
    status: 401,
    challenge: challenge([
      ["error", "invalid_token"],
      ["error_description", description]
    ]),
    message: `Unauthorized: ${description}`
  })

  return {
    metadataUrl,
    servesMetadata: (pathname) =>
      pathname === "/.well-known/oauth-protected-resource" ||
      pathname === "/.well-known/oauth-protected-resource/mcp" ||
      pathname === metadataPath,
    metadata: () => ({
      resource: resource.href,
      authorization_servers: [options.issuer],
      scopes_supported: [SCOPES.read, SCOPES.write],
      bearer_methods_supported: ["header"],
      resource_name: "booster-mcp"
    }),
    authenticate: async (headers, elsewhere = false) => {
      if (elsewhere || (headers?.length ?? 0) > 1) {
        const description = "send the access token once, in the Authorization header only"
        return {
          status: 400,
          challenge: challenge([
            ["error", "invalid_request"],
            ["error_description", description]
          ]),
          message: `Bad request: ${description}`
        }
      }
      const header = headers?.[0]
      const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? "")
      if (header === undefined || header.trim() === "") {
        return {
          status: 401,
          challenge: challenge([]),
          message: "Unauthorized: send Authorization: Bearer <access token> (see the resource metadata)"
        }
      }
      if (match === null) return invalid("the Authorization header must be Bearer <access token>")
      let found: Awaited<ReturnType<typeof authorizationServer>>
      try {
        found = await authorizationServer()
      } catch (error) {
        if (!(error instanceof CoolingDown)) {
          options.warn(error instanceof Error ? error.message : "OAuth discovery failed")
        }
        return { status: 503, message: "The authorization server cannot be reached; try again later" }
      }
      try {
        const { payload } = await jwtVerify(match[1] as string, found.keys, {
          issuer: found.issuer,
          audience,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ["exp", "sub"]
        })
        const client = payload.client_id ?? payload.azp
        return {
          token: "",
          clientId: typeof client === "string" ? client : "",
          scopes: [...scopesOf(payload)],
          ...(payload.exp !== undefined ? { expiresAt: payload.exp } : {}),
          resource,
          resourceMetadataUrl: metadataUrl,
          extra: { subject: payload.sub }
        }
      } catch (error) {
        if (
          !(error instanceof errors.JOSEError) ||
          error instanceof errors.JWKSTimeout ||
          error instanceof errors.JWKSInvalid
        ) {
          if (!(error instanceof CoolingDown)) {
            options.warn(
              `the authorization server's keys (jwks_uri) cannot be read: ${error instanceof Error ? error.message : "unknown error"}`
            )
          }
          return { status: 503, message: "The authorization server's keys cannot be read; try again later" }
        }
        return invalid(describe(error))
      }
    },
    authorizeTool: (auth, called, write) => {
      const name = called.slice(0, 64)
      const granted = new Set(auth.scopes)
      if (granted.has(SCOPES.write) || (!write && granted.has(SCOPES.read))) return undefined
      const needed = write ? SCOPES.write : SCOPES.read
      return {
        status: 403,
        challenge: challenge([
          ["error", "insufficient_scope"],
          ["scope", needed],
          ["error_description", `${name} needs the ${needed} scope`]
        ]),
        message: `Forbidden: ${name} needs the ${needed} scope; ask the authorization server for it`
      }
    },
    warmUp: () => {
      authorizationServer().catch((error: unknown) =>
        options.warn(
          `${error instanceof Error ? error.message : "OAuth discovery failed"}; retried on the next request`
        )
      )
    }
  }
}
