/**
 * Streamable HTTP on `POST|GET|DELETE /mcp`, serving both protocol eras on one endpoint:
 *
 * - 2025-era clients (`initialize`, protocol revisions up to 2025-11-25) get one MCP session (and one
 *   server instance) each, over the SDK's sessionful Streamable HTTP transport;
 * - 2026-07-28 clients (per-request `_meta` envelope, `server/discover`) are served statelessly by
 *   the SDK's `createMcpHandler`, one server instance per request.
 *
 * The SDK's own classifier (`isLegacyRequest`) decides which leg a request belongs to. Bound to
 * 127.0.0.1 by default, with Host-header checks against DNS rebinding on loopback.
 */
import { randomUUID } from "node:crypto"
import { createServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { NodeStreamableHTTPServerTransport, toNodeHandler, toWebRequest } from "@modelcontextprotocol/node"
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  type Server
} from "@modelcontextprotocol/server"
import type { Log } from "../logging/log.js"

/** The path the MCP endpoint is served on. */
export const MCP_PATH = "/mcp"

const MAX_BODY_BYTES = 4 * 1024 * 1024

/** A session without any request for this long is closed. */
export const SESSION_IDLE_MS = 30 * 60_000

/** A listening Streamable HTTP endpoint. */
export interface HttpEndpoint {
  /** `http://host:port/mcp`. */
  readonly url: string
  readonly port: number
  /** Closes every session and the listener. */
  readonly close: () => Promise<void>
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"])

const jsonError = (res: ServerResponse, status: number, code: number, message: string): void => {
  if (res.headersSent) return
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }))
}

const readBody = (req: IncomingMessage): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        resolve(undefined)
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

/** A request as the SDK's Node adapter types it: a server's requests always carry a method and a URL. */
const incoming = (req: IncomingMessage) => req as IncomingMessage & { method: string; url: string }

/**
 * Listens on `host:port` (0 = a free port) and serves MCP, each 2025-era session and each
 * 2026-07-28 request with a fresh server from `makeServer`.
 */
export const listen = async (options: {
  readonly host: string
  readonly port: number
  readonly makeServer: () => Server
  readonly log: Log
}): Promise<HttpEndpoint> => {
  const sessions = new Map<
    string,
    { transport: NodeStreamableHTTPServerTransport; server: Server; lastSeen: number }
  >()
  let allowedHosts: ReadonlySet<string> | undefined

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
    if (url.pathname !== MCP_PATH) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`Not found: the MCP endpoint is ${MCP_PATH}\n`)
      return
    }
    if (allowedHosts !== undefined && !allowedHosts.has((req.headers.host ?? "").toLowerCase())) {
      jsonError(res, 403, -32000, "Forbidden: this Host is not served (DNS rebinding protection)")
      return
    }
    const sessionHeader = req.headers["mcp-session-id"]
    const sessionId = typeof sessionHeader === "string" ? sessionHeader : undefined
    const existing = sessionId === undefined ? undefined : sessions.get(sessionId)
    if (existing !== undefined) existing.lastSeen = Date.now()

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
      jsonError(res, 413, -32600, "Request body too large")
      return
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      jsonError(res, 400, -32700, "Parse error: the body must be one JSON-RPC message or a batch")
      return
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
        sessions.set(id, { transport, server, lastSeen: Date.now() })
        options.log.debug("HTTP session opened")
      }
    })
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
    }
    await server.connect(transport)
    await transport.handleRequest(req, res, body)
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
  const sweep = setInterval(() => {
    const cutoff = Date.now() - SESSION_IDLE_MS
    for (const [id, session] of sessions) {
      if (session.lastSeen < cutoff) {
        sessions.delete(id)
        void session.server.close().catch(() => undefined)
        options.log.debug("HTTP session closed after being idle")
      }
    }
  }, 60_000)
  sweep.unref()
  const port = (http.address() as AddressInfo).port
  if (LOOPBACK.has(options.host)) {
    allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
  } else {
    options.log.warn(
      `bound to ${options.host}, not loopback: anyone who can reach this port can use the tools with this server's credentials`
    )
  }
  const hostForUrl = options.host.includes(":") ? `[${options.host}]` : options.host
  return {
    url: `http://${hostForUrl}:${port}${MCP_PATH}`,
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
