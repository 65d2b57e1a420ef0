/**
 * The tools as `tools/list` describes them, computed from the tool definitions (the schemas come
 * from core). The build writes this list next to the bundle, so that the server answers
 * `initialize` and `tools/list` without loading the definitions.
 */
import type { Tool as WireTool } from "@modelcontextprotocol/server"
import * as Catalog from "./catalog.js"
import type { Tool } from "./tool.js"

/**
 * A schema without repeated prose: an array that has its own description and examples keeps them,
 * and its item schema drops its own (they restate the array's). Every field keeps its description
 * and examples.
 */
export const compact = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(compact)
  if (node === null || typeof node !== "object") return node
  const schema = node as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === "items" && schema.description !== undefined && value !== null && typeof value === "object") {
      const {
        description: _description,
        examples: _examples,
        ...item
      } = compact(value) as Record<string, unknown>
      out[key] = item
    } else {
      out[key] = compact(value)
    }
  }
  return out
}

/** The wire form of a tool (its title also in the annotations, for clients of older revisions). */
export const toWire = <R>(tool: Tool<R>): WireTool => ({
  name: tool.name,
  title: tool.title,
  description: tool.description,
  inputSchema: compact(tool.inputSchema) as WireTool["inputSchema"],
  outputSchema: compact(tool.outputSchema) as NonNullable<WireTool["outputSchema"]>,
  annotations: { title: tool.title, ...tool.annotations }
})

/** Every tool, in wire form and listing order. */
export const listing = (): ReadonlyArray<WireTool> => Catalog.all.map(toWire)
