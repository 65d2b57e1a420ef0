/**
 * Runs the server over stdio or Streamable HTTP until the client goes away or a signal arrives.
 */
import type { Tool as WireTool } from "@modelcontextprotocol/sdk/types.js"
import type { Log } from "../logging/log.js"
import type { Options } from "../options/options.js"
import { NAME, VERSION } from "../version.js"
import { instructions } from "./instructions.js"
import { type Dispatch, make } from "./make-server.js"
import { LenientStdioTransport } from "./stdio.js"

/** What to serve. */
export interface Serving {
  readonly options: Options
  readonly tools: ReadonlyArray<WireTool>
  readonly withheld: ReadonlyArray<string>
  readonly dispatch: () => Promise<Dispatch>
  readonly log: Log
}

/** Serves until stdin ends (stdio) or a signal arrives; resolves when done. */
export const serve = async ({ options, tools, withheld, dispatch, log }: Serving): Promise<void> => {
  const makeServer = () =>
    make({ name: NAME, version: VERSION, instructions, tools, withheld, dispatch, log })

  let finish: () => void = () => undefined
  const done = new Promise<void>((resolve) => {
    finish = resolve
  })
  let shutdown: () => Promise<void>

  if (options.http) {
    const { listen } = await import("./http.js")
    const endpoint = await listen({ host: options.host, port: options.port, makeServer, log })
    log.warn(
      `listening on ${endpoint.url}${options.readOnly ? " (read-only)" : ""}${options.sandbox ? " (sandbox)" : ""}`
    )
    shutdown = endpoint.close
  } else {
    const server = makeServer()
    const transport = new LenientStdioTransport()
    transport.onclose = () => finish()
    server.onerror = (error) => log.debug(`protocol: ${error.message}`)
    await server.connect(transport)
    shutdown = () => server.close()
  }

  const stop = () => finish()
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  await done
  process.off("SIGINT", stop)
  process.off("SIGTERM", stop)
  await shutdown().catch(() => undefined)
}
