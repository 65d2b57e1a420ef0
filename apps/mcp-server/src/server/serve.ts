/**
 * Runs the server over stdio or Streamable HTTP until the client goes away or a signal arrives. Both
 * use the SDK's serving entries (`serveStdio`, `createMcpHandler`), which answer 2025-era and
 * 2026-07-28 clients from the same server factory.
 */
import type { Tool as WireTool } from "@modelcontextprotocol/server"
import type { Log } from "../logging/log.js"
import type { Options } from "../options/options.js"
import { NAME, VERSION } from "../version.js"
import { instructions } from "./instructions.js"
import { type Dispatch, FORMER_NAMES, make } from "./make-server.js"
import { LenientStdioTransport } from "./stdio.js"

/** What to serve. */
export interface Serving {
  readonly options: Options
  readonly tools: ReadonlyArray<WireTool>
  readonly withheld: ReadonlyArray<string>
  readonly dispatch: () => Promise<Dispatch>
  readonly log: Log
}

/** How long, at most, calls in flight are awaited once stdin has ended, in ms. */
export const DRAIN_MS = 30_000

/** The tools that write (`names`), and the former names that call them: all need the write scope. */
const writing = (names: ReadonlyArray<string>): ReadonlyArray<string> => [
  ...names,
  ...Object.entries(FORMER_NAMES)
    .filter(([, now]) => names.includes(now))
    .map(([former]) => former)
]

/**
 * Serves until stdin ends (stdio) or a signal arrives; resolves when done. When stdin ends, calls
 * already received are answered first (for up to {@link DRAIN_MS}).
 */
export const serve = async ({ options, tools, withheld, dispatch, log }: Serving): Promise<void> => {
  const inflight = new Set<Promise<unknown>>()
  const track = (call: Promise<unknown>) => {
    inflight.add(call)
    void call.finally(() => inflight.delete(call))
  }
  const makeServer = () =>
    make({ name: NAME, version: VERSION, instructions, tools, withheld, dispatch, log, track })

  let finish: (drain: boolean) => void = () => undefined
  const done = new Promise<boolean>((resolve) => {
    finish = resolve
  })
  let shutdown: () => Promise<void>

  if (options.http) {
    const { listen } = await import("./http.js")
    const endpoint = await listen({
      host: options.host,
      port: options.port,
      makeServer,
      log,
      tokenDigest: options.tokenDigest,
      oauth:
        options.oauthIssuer === undefined
          ? undefined
          : { issuer: options.oauthIssuer, audience: options.oauthAudience, publicUrl: options.publicUrl },
      writeTools: writing([
        ...withheld,
        ...tools.filter((tool) => tool.annotations?.readOnlyHint !== true).map((tool) => tool.name)
      ]),
      allowedHosts: options.allowedHosts,
      maxSessions: options.maxSessions,
      sessionIdleMs: options.sessionIdleMinutes * 60_000
    })
    log.info(
      `listening on ${endpoint.url}${options.readOnly ? " (read-only)" : ""}${options.sandbox ? " (sandbox)" : ""}`
    )
    shutdown = endpoint.close
  } else {
    const { serveStdio } = await import("@modelcontextprotocol/server/stdio")
    const transport = new LenientStdioTransport()
    transport.onInputEnd = () => finish(true)
    transport.onClosed = () => finish(false)
    const handle = serveStdio(makeServer, {
      transport,
      onerror: (error) => log.debug(`protocol: ${error.message}`)
    })
    shutdown = () => handle.close()
  }

  const stop = () => finish(false)
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  const drain = await done
  process.off("SIGINT", stop)
  process.off("SIGTERM", stop)
  if (drain && inflight.size > 0) {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled([...inflight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, DRAIN_MS)
      })
    ])
    clearTimeout(timer)
    await new Promise((resolve) => setImmediate(resolve))
  }
  await shutdown().catch(() => undefined)
}
