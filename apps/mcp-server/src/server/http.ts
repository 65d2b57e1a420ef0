/**
 * Streamable HTTP on `POST|GET|DELETE /mcp`, serving both protocol eras on one endpoint:
 *
 * - 2025-era clients (`initialize`, protocol revisions up to 2025-11-25) get one MCP session (and one
 *   server instance) each, over the SDK's sessionful Streamable HTTP transport;
 * - 2026-07-28 clients (per-request `_meta` envelope, `server/discover`) are served statelessly by
 *   the SDK's `createMcpHandler`, one server instance per request.
 *
 * The SDK's own classifier (`isLegacyRequest`) decides which leg a request belongs to. Before either
 * leg sees a request: the `Host` and any `Origin` must name this server (DNS rebinding), the bearer
 * token must match when one is configured (compared in constant time) or, with OAuth, carry a valid
 * access token whose scopes cover every tool called (401/403 with a `WWW-Authenticate` challenge
 * otherwise), and the body must fit the limit (413 otherwise). The `Authorization` header is removed
 * once checked: nothing after this gate sees a credential. Sessions are capped (the least recently
 * used is closed first), close after an idle time and, with OAuth, serve only the subject that
 * opened them. The OAuth protected-resource metadata (RFC 9728) is served on
 * `/.well-known/oauth-protected-resource[/mcp]`.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto"
import { createServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { NodeStreamableHTTPServerTransport, toNodeHandler, toWebRequest } from "@modelcontextprotocol/node"
import {
  type AuthInfo,
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  type Server,
  validateHostHeader,
  validateOriginHeader
} from "@modelcontextprotocol/server"
import type { Log } from "../logging/log.js"
import { isLoopback } from "../options/options.js"
import type { ProtectedResource } from "./oauth.js"

/** The path the MCP endpoint is served on. */
export const MCP_PATH = "/mcp"

/** The largest request body served, in bytes; a larger one is answered 413. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024

/** Past this many bytes an oversize body is no longer drained: the connection is closed after the 413. */
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES

/** A listening Streamable HTTP endpoint. */
export interface HttpEndpoint {
  /** `http://host:port/mcp`. */
  readonly url: string
  readonly port: number
  /** Closes every session and the listener. */
  readonly close: () => Promise<void>
}

/** What the HTTP endpoint is told. */
export interface HttpOptions {
  readonly host: string
  readonly port: number
  /** A fresh server, for one 2025-era session or one 2026-07-28 request. */
  readonly makeServer: () => Server
  readonly log: Log
  /** SHA-256 of the bearer token requests must carry; none when undefined (loopback only). */
  readonly tokenDigest?: Buffer | undefined
  /**
   * OAuth instead of a static token: the issuer, the audience tokens must carry (default the
   * resource URL) and the public URL of the endpoint (default the bound address).
   */
  readonly oauth?:
    | {
        readonly issuer: string
        readonly audience?: string | undefined
        readonly publicUrl?: URL | undefined
      }
    | undefined
  /** Tools that start or download (they need the `exports:write` scope under OAuth). */
  readonly writeTools?: ReadonlyArray<string>
  /** Host names served besides the loopback names. */
  readonly allowedHosts?: ReadonlyArray<string>
  /** Most sessions kept at once. */
  readonly maxSessions: number
  /** A session without any request for this long is closed, in ms. */
  readonly sessionIdleMs: number
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"]

const jsonError = (
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Readonly<Record<string, string>> = {}
): void => {
  if (res.headersSent) return
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }))
}

/**
 * The body as text, or `undefined` when it is larger than {@link MAX_BODY_BYTES}: then the rest is
 * read and dropped (so that the client gets the 413 rather than a reset), up to a bound.
 */
const readBody = (req: IncomingMessage): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_DRAIN_BYTES) {
        resolve(undefined)
        req.pause()
        return
      }
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest()

/**
 * Whether the request carries the bearer token whose digest is `digest` in its one `Authorization`
 * header, compared in constant time.
 */
const authorized = (req: IncomingMessage, digest: Buffer): boolean => {
  const headers = req.headersDistinct.authorization ?? []
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(headers.length === 1 ? (headers[0] ?? "") : "")
  return timingSafeEqual(sha256(match?.[1] ?? ""), digest) && match !== null
}

/** A credential offered in the URL, where proxies and logs keep it: never read, always refused. */
const credentialInQuery = (url: URL): boolean =>
  [...url.searchParams.keys()].some((name) => /^(access_token|token|bearer)$/i.test(name))

/**
 * A request as the SDK's Node adapter types it: a server's requests always carry a method and a URL,
 * and `auth` is the verified token the handlers see as `ctx.http.authInfo`.
 */
const incoming = (req: IncomingMessage) =>
  req as IncomingMessage & { method: string; url: string; auth?: AuthInfo }

/** The names of the tools a JSON-RPC message or batch calls. */
const calledTools = (body: unknown): ReadonlyArray<string> =>
  (Array.isArray(body) ? body : [body]).flatMap((message: unknown) => {
    if (typeof message !== "object" || message === null) return []
    const { method, params } = message as { method?: unknown; params?: { name?: unknown } }
    return method === "tools/call" && typeof params?.name === "string" ? [params.name] : []
  })

/** Who a session belongs to: the token's subject (OAuth), or no one in particular. */
const ownerOf = (auth: AuthInfo | undefined): string | undefined => {
  const subject = auth?.extra?.subject
  return typeof subject === "string" ? `${subject}\u0000${auth?.clientId ?? ""}` : undefined
}

/**
 * Listens on `host:port` (0 = a free port) and serves MCP, each 2025-era session and each
 * 2026-07-28 request with a fresh server from `makeServer`.
 */
export const listen = async (options: HttpOptions): Promise<HttpEndpoint> => {
  /** Sessions, least recently used first. */
  const sessions = new Map<
    string,
    {
      transport: NodeStreamableHTTPServerTransport
      server: Server
      lastSeen: number
      owner: string | undefined
    }
  >()
  const publicHost = options.oauth?.publicUrl?.hostname
  const writeTools = new Set(options.writeTools ?? [])
  /** With OAuth: the protected resource, set once the bound port (and so the default URL) is known. */
  let resource: ProtectedResource | undefined
  const oauthModule = options.oauth === undefined ? undefined : await import("./oauth.js")
  const served = [
    ...LOOPBACK_NAMES,
    ...(options.allowedHosts ?? []),
    ...(publicHost === undefined ? [] : [publicHost]),
    ...(isLoopback(options.host) || options.host === "0.0.0.0" || options.host === "::"
      ? []
      : [options.host.includes(":") ? `[${options.host}]` : options.host])
  ]
  /** Any loopback address literal is this machine; other names must be listed. */
  const allowedName = (result: { readonly ok: boolean; readonly hostname?: string }) =>
    result.ok || (result.hostname !== undefined && isLoopback(result.hostname))
  const closeSession = (id: string, why: string) => {
    const session = sessions.get(id)
    if (session === undefined) return
    sessions.delete(id)
    void session.server.close().catch(() => undefined)
    options.log.debug(`HTTP session closed: ${why}`)
  }

  const modern = createMcpHandler(() => options.makeServer(), {
    legacy: "reject",
    onerror: (error) => options.log.debug(`protocol: ${error.message}`)
  })
  const serveModern = toNodeHandler(modern, {
    maxRequestBodySize: MAX_BODY_BYTES,
    onerror: (error) => options.log.debug(`protocol: ${error.message}`)
  })

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost")
    if (options.oauth !== undefined && url.pathname.startsWith("/.well-known/")) {
      serveMetadata(req, res, url.pathname)
      return
    }
    if (url.pathname !== MCP_PATH) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`Not found: the MCP endpoint is ${MCP_PATH}\n`)
      return
    }
    if (!allowedName(validateHostHeader(req.headers.host, served))) {
      jsonError(res, 403, -32000, "Forbidden: this Host is not served (DNS rebinding protection)")
      return
    }
    if (!allowedName(validateOriginHeader(req.headers.origin, served))) {
      jsonError(res, 403, -32000, "Forbidden: requests from this Origin are not served")
      return
    }
    if (
      options.tokenDigest !== undefined &&
      (credentialInQuery(url) || !authorized(req, options.tokenDigest))
    ) {
      jsonError(res, 401, -32001, "Unauthorized: send Authorization: Bearer <token>", {
        "www-authenticate": 'Bearer realm="booster-mcp"'
      })
      return
    }
    let auth: AuthInfo | undefined
    if (options.oauth !== undefined) {
      if (resource === undefined) {
        jsonError(res, 503, -32000, "Starting: try again in a moment")
        return
      }
      const verified = await resource.authenticate(req.headersDistinct.authorization, credentialInQuery(url))
      if ("status" in verified) {
        jsonError(res, verified.status, -32001, verified.message, {
          ...(verified.challenge !== undefined ? { "www-authenticate": verified.challenge } : {})
        })
        return
      }
      auth = verified
      incoming(req).auth = verified
    }
    delete req.headers.authorization
    const sessionHeader = req.headers["mcp-session-id"]
    const sessionId = typeof sessionHeader === "string" ? sessionHeader : undefined
    const found = sessionId === undefined ? undefined : sessions.get(sessionId)
    // a session serves the subject that opened it only; to anyone else it does not exist
    const existing = found !== undefined && found.owner === ownerOf(auth) ? found : undefined
    if (existing !== undefined && sessionId !== undefined) {
      existing.lastSeen = Date.now()
      sessions.delete(sessionId)
      sessions.set(sessionId, existing)
    }

    if (req.method !== "POST") {
      if (existing === undefined) {
        jsonError(res, sessionId === undefined ? 400 : 404, -32000, "No such session: initialize first")
        return
      }
      await existing.transport.handleRequest(req, res)
      return
    }

    const text = await readBody(req)
    if (text === undefined) {
      jsonError(res, 413, -32600, `Request body too large: at most ${MAX_BODY_BYTES} bytes`, {
        connection: "close"
      })
      return
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      jsonError(res, 400, -32700, "Parse error: the body must be one JSON-RPC message or a batch")
      return
    }
    if (resource !== undefined && auth !== undefined) {
      for (const name of calledTools(body)) {
        const refused = resource.authorizeTool(auth, name, writeTools.has(name))
        if (refused !== undefined) {
          jsonError(res, refused.status, -32001, refused.message, {
            ...(refused.challenge !== undefined ? { "www-authenticate": refused.challenge } : {})
          })
          return
        }
      }
    }
    if (existing !== undefined) {
      await existing.transport.handleRequest(req, res, body)
      return
    }
    if (sessionId !== undefined) {
      jsonError(res, 404, -32001, "Session not found: initialize a new session")
      return
    }
    if (!(await isLegacyRequest(await toWebRequest(incoming(req), body), body))) {
      await serveModern(incoming(req), res, body)
      return
    }
    if (!isInitializeRequest(body)) {
      jsonError(res, 400, -32000, "No session: the first request must be initialize")
      return
    }
    const server = options.makeServer()
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: MAX_BODY_BYTES,
      onsessioninitialized: (id) => {
        const owner = ownerOf(auth)
        while (sessions.size >= options.maxSessions) {
          // with OAuth, a subject at the limit gives up its own least recently used session first:
          // opening sessions in a loop cannot close other team members' sessions
          const own = owner === undefined ? undefined : [...sessions].find(([, s]) => s.owner === owner)?.[0]
          const oldest = own ?? sessions.keys().next().value
          if (oldest === undefined) break
          closeSession(oldest, "the session limit was reached and it was the least recently used")
        }
        sessions.set(id, { transport, server, lastSeen: Date.now(), owner })
        options.log.debug("HTTP session opened")
      }
    })
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
    }
    await server.connect(transport)
    await transport.handleRequest(req, res, body)
  }

  /** The RFC 9728 document, to anyone (it holds nothing secret; browsers may read it cross-origin). */
  const serveMetadata = (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    if (resource === undefined || !resource.servesMetadata(pathname)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found\n")
      return
    }
    const cors = { "access-control-allow-origin": "*", "access-control-allow-methods": "GET, OPTIONS" }
    if (req.method === "OPTIONS") {
      res.writeHead(204, cors).end()
      return
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...cors, allow: "GET, OPTIONS" }).end()
      return
    }
    res
      .writeHead(200, { ...cors, "content-type": "application/json", "cache-control": "max-age=3600" })
      .end(req.method === "HEAD" ? undefined : JSON.stringify(resource.metadata()))
  }

  const http: HttpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log.error(`HTTP request failed: ${error instanceof Error ? error.name : "unknown error"}`)
      jsonError(res, 500, -32603, "Internal error")
    })
  })
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject)
    http.listen(options.port, options.host, () => {
      http.off("error", reject)
      resolve()
    })
  })
  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - options.sessionIdleMs
      for (const [id, session] of sessions) {
        if (session.lastSeen < cutoff) closeSession(id, "idle")
      }
    },
    Math.max(1_000, Math.min(60_000, options.sessionIdleMs / 2))
  )
  sweep.unref()
  const port = (http.address() as AddressInfo).port
  const hostForUrl = options.host.includes(":") ? `[${options.host}]` : options.host
  const url = `http://${hostForUrl}:${port}${MCP_PATH}`
  if (oauthModule !== undefined && options.oauth !== undefined) {
    resource = oauthModule.make({
      issuer: options.oauth.issuer,
      audience: options.oauth.audience,
      resource: options.oauth.publicUrl ?? new URL(url),
      warn: (message) => options.log.warn(`OAuth: ${message}`)
    })
    options.log.info(
      `OAuth: access tokens of ${options.oauth.issuer} for ${options.oauth.audience ?? "the resource"}; ` +
        `metadata at ${resource.metadataUrl}`
    )
    resource.warmUp()
  }
  if (!isLoopback(options.host)) {
    options.log.warn(
      `bound to ${options.host}, not loopback: every request must carry ${
        options.oauth === undefined ? "the bearer token" : "an OAuth access token"
      }; Host names served: ${served.join(", ")} (add one with --allowed-host)`
    )
  }
  return {
    url,
    port,
    close: async () => {
      clearInterval(sweep)
      await modern.close().catch(() => undefined)
      await Promise.all([...sessions.values()].map(({ server }) => server.close().catch(() => undefined)))
      sessions.clear()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    }
  }
}
