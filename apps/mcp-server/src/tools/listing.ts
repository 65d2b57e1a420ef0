/**
 * The tools as `tools/list` describes them, computed from the tool definitions (the schemas come
 * from core). The build writes this list next to the bundle, so that the server answers
 * `initialize` and `tools/list` without loading the definitions.
 */
import type { Tool as WireTool } from "@modelcontextprotocol/server"
import * as Catalog from "./catalog.js"
import type { Tool } from "./tool.js"

/** The wire form of a tool. */
export const toWire = <R>(tool: Tool<R>): WireTool => ({
  name: tool.name,
  title: tool.title,
  description: tool.description,
  inputSchema: tool.inputSchema as WireTool["inputSchema"],
  outputSchema: tool.outputSchema as NonNullable<WireTool["outputSchema"]>,
  annotations: { title: tool.title, ...tool.annotations }
})

/** Every tool, in wire form and listing order. */
export const listing = (): ReadonlyArray<WireTool> => Catalog.all.map(toWire)
