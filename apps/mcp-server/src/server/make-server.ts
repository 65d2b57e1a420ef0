/**
 * The MCP server: lists the tools with their generated schemas and dispatches calls to their
 * handlers, passing a progress reporter when the request carried a progress token. One instance
 * serves one connection (stdio, or one Streamable HTTP session).
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool as WireTool
} from "@modelcontextprotocol/sdk/types.js"
import { Effect } from "effect"
import type { Log } from "../logging/log.js"
import { type CallContext, failure, type Tool } from "../tools/tool.js"

/** Runs a handler's effect with the application's services; rejects only on a defect. */
export type Runner<R> = (
  effect: Effect.Effect<CallToolResult, never, R>,
  signal: AbortSignal
) => Promise<CallToolResult>

/** What a server needs. */
export interface ServerOptions<R> {
  readonly name: string
  readonly version: string
  readonly tools: ReadonlyArray<Tool<R>>
  /** Names of tools left out (read-only mode), so that a call to one says why. */
  readonly withheld: ReadonlyArray<string>
  readonly run: Runner<R>
  readonly log: Log
  readonly instructions: string
}

/** The wire form of a tool, as `tools/list` answers it. */
export const toWire = <R>(tool: Tool<R>): WireTool => ({
  name: tool.name,
  title: tool.title,
  description: tool.description,
  inputSchema: tool.inputSchema as WireTool["inputSchema"],
  outputSchema: tool.outputSchema as NonNullable<WireTool["outputSchema"]>,
  annotations: { title: tool.title, ...tool.annotations }
})

/** A server with the tools' handlers installed, not yet connected. */
export const make = <R>(options: ServerOptions<R>): Server => {
  const server = new Server(
    { name: options.name, version: options.version, title: "Booster customer exports" },
    { capabilities: { tools: { listChanged: false } }, instructions: options.instructions }
  )
  const byName = new Map(options.tools.map((tool) => [tool.name, tool]))
  const listed = options.tools.map(toWire)

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }))

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name)
    if (tool === undefined) {
      if (options.withheld.includes(request.params.name)) {
        return failure(
          `${request.params.name} is not available: this server runs with --read-only. ` +
            "Use preview_customer_export, get_export_task and list_export_tasks, or restart the server without --read-only."
        )
      }
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool ${JSON.stringify(request.params.name.slice(0, 64))}; call tools/list for the available tools`
      )
    }
    const token = request.params._meta?.progressToken
    const context: CallContext =
      token === undefined
        ? {}
        : {
            progress: (progress, total, message) =>
              Effect.promise(() =>
                extra
                  .sendNotification({
                    method: "notifications/progress",
                    params: { progressToken: token, progress, total, message }
                  })
                  .catch(() => undefined)
              )
          }
    const started = performance.now()
    try {
      const result = await options.run(tool.call(request.params.arguments ?? {}, context), extra.signal)
      options.log.info(
        `${tool.name} ${result.isError ? "failed" : "succeeded"} in ${Math.round(performance.now() - started)} ms`
      )
      return result
    } catch (error) {
      options.log.error(`${tool.name} failed unexpectedly: ${error instanceof Error ? error.name : "defect"}`)
      return failure(
        "The tool failed unexpectedly. Try again; if it keeps failing, look at the server's log (stderr)."
      )
    }
  })
  return server
}
