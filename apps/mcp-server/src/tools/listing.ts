/**
 * The tools as `tools/list` describes them, computed from the tool definitions (the schemas come
 * from core). The build writes this list next to the bundle, so that the server answers
 * `initialize` and `tools/list` without loading the definitions.
 *
 * The list says each thing once, for the assistant reading it: every argument keeps a description
 * (and its examples, where they show more than the description), but nothing is repeated — not the
 * filter start_export shares with preview_export, not what a keyword already
 * says; results are given by their shape, since each result's text says what it means.
 */
import type { Tool as WireTool } from "@modelcontextprotocol/server"
import * as Catalog from "./catalog.js"
import type { Tool } from "./tool.js"

type Node = Record<string, unknown>

const isNode = (value: unknown): value is Node =>
  value !== null && typeof value === "object" && !Array.isArray(value)

/** A schema without the keywords `drop` names, at every depth (members named alike stay). */
const without = (schema: unknown, drop: ReadonlyArray<string>): unknown => {
  if (Array.isArray(schema)) return schema.map((item) => without(item, drop))
  if (!isNode(schema)) return schema
  const out: Node = {}
  for (const [key, value] of Object.entries(schema)) {
    if (drop.includes(key)) continue
    if (key === "examples" || key === "enum" || key === "const" || key === "default") out[key] = value
    else if (key === "properties" && isNode(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, member]) => [name, without(member, drop)])
      )
    } else out[key] = without(value, drop)
  }
  return out
}

/** Whether a member of `schema` says what the defaults, its other keywords or its description say. */
const redundant = (schema: Node, key: string, value: unknown): boolean => {
  switch (key) {
    case "required":
      return Array.isArray(value) && value.length === 0
    case "additionalProperties":
      return value === true || (isNode(value) && Object.keys(value).length === 0)
    case "properties":
      return isNode(value) && Object.keys(value).length === 0
    // a date says its shape in `format` and in its description (YYYY-MM-DD)
    case "pattern":
      return schema.format === "date"
    case "examples":
      return schema.format === "date" || schema.type === "boolean"
    default:
      return false
  }
}

/**
 * A schema without repeated prose: an array that has its own description and examples keeps them,
 * and its item schema drops its own (they restate the array's); members that restate what the
 * defaults or other keywords say go (an empty `required`, a date's pattern, a boolean's examples).
 */
export const compact = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(compact)
  if (!isNode(node)) return node
  const out: Node = {}
  for (const [key, value] of Object.entries(node)) {
    if (redundant(node, key, value)) continue
    if (key === "properties" && isNode(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, member]) => [name, compact(member)]))
    } else if (key === "items" && node.description !== undefined && isNode(value)) {
      const { description: _description, examples: _examples, ...item } = compact(value) as Node
      out[key] = node.examples !== undefined ? without(item, ["examples"]) : item
    } else {
      out[key] = compact(value)
    }
  }
  return out
}

/** The wire form of a tool (its title also in the annotations, for clients of older revisions). */
export const toWire = <R>(tool: Tool<R>): WireTool => {
  // the tool's description says what its arguments are for
  const { description: _description, ...input } = compact(tool.inputSchema) as Node
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: input as WireTool["inputSchema"],
    outputSchema: without(compact(tool.outputSchema), [
      "description",
      "examples",
      "required",
      "additionalProperties"
    ]) as NonNullable<WireTool["outputSchema"]>,
    annotations: { title: tool.title, ...tool.annotations }
  }
}

/**
 * The wire forms of `tools`, in order. An argument that is the same as one of an earlier tool, down to
 * its description (start_export takes the filter preview_export checks; several
 * tools take an asyncTaskId), keeps its type, and its description sends to the earlier tool, where its prose,
 * examples and constraints are (the server checks them alike on every call).
 */
export const toWireAll = <R>(tools: ReadonlyArray<Tool<R>>): ReadonlyArray<WireTool> => {
  const first = new Map<string, string>()
  return tools.map((tool) => {
    const wire = toWire(tool)
    const properties: Node = {}
    for (const [name, member] of Object.entries(wire.inputSchema.properties ?? {})) {
      const id = `${name}\u0000${JSON.stringify(without(member, ["examples"]))}`
      const earlier = first.get(id)
      if (earlier === undefined) first.set(id, tool.name)
      const { type, enum: values } = member as Node
      properties[name] =
        earlier === undefined
          ? member
          : {
              ...(type !== undefined ? { type } : {}),
              ...(values !== undefined ? { enum: values } : {}),
              description: `As in ${earlier}.`
            }
    }
    return { ...wire, inputSchema: { ...wire.inputSchema, properties } as WireTool["inputSchema"] }
  })
}

/** Every tool, in wire form and listing order. */
export const listing = (): ReadonlyArray<WireTool> => toWireAll(Catalog.all)
