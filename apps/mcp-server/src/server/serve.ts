/**
 * Runs the server over stdio or Streamable HTTP with the given services until the client goes away
 * or a signal arrives.
 */
import { Effect, type Layer, ManagedRuntime } from "effect"
import { Api } from "../booster/api.js"
import type { Log } from "../logging/log.js"
import type { Options } from "../options/options.js"
import * as Catalog from "../tools/catalog.js"
import { NAME, VERSION } from "../version.js"
import { listen } from "./http.js"
import { make } from "./make-server.js"
import { LenientStdioTransport } from "./stdio.js"

/** Serves until stdin ends (stdio) or a signal arrives; resolves when done. */
export const serve = async (
  options: Options,
  services: Layer.Layer<Catalog.ToolServices>,
  log: Log,
  warmUp: boolean
): Promise<void> => {
  const runtime = ManagedRuntime.make(services)
  const tools = options.readOnly ? Catalog.readOnly : Catalog.all
  const withheld = Catalog.all.filter((tool) => !tools.includes(tool)).map((tool) => tool.name)
  const makeServer = () =>
    make({
      name: NAME,
      version: VERSION,
      tools,
      withheld,
      instructions: Catalog.instructions,
      log,
      run: (effect, signal) => runtime.runPromise(effect, { signal })
    })

  let finish: () => void = () => undefined
  const done = new Promise<void>((resolve) => {
    finish = resolve
  })
  let shutdown: () => Promise<void>

  if (options.http) {
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
  if (warmUp) {
    runtime.runFork(Effect.flatMap(Api, (api) => api.client).pipe(Effect.ignore))
  }

  const stop = () => finish()
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  await done
  process.off("SIGINT", stop)
  process.off("SIGTERM", stop)
  await shutdown().catch(() => undefined)
  await runtime.dispose()
}
