/**
 * JSON Schema generated from the Effect Schemas (never written by hand), valid as an MCP tool
 * `inputSchema`: an object schema with descriptions, examples, required members and constraints,
 * unknown members refused.
 *
 * @since 0.1.0
 */
import { JSONSchema, type Schema } from "effect"
import type * as FilterSpec from "./FilterSpec.js"

/**
 * A JSON Schema object.
 *
 * @since 0.1.0
 */
export type JsonSchema = { readonly [key: string]: unknown }

const strip = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(strip)
  if (node === null || typeof node !== "object") return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema" || key === "$defs" || key === "$id" || key === "title") continue
    out[key] = strip(value)
  }
  return out
}

/**
 * The JSON Schema (draft 2019-09, also valid 2020-12) of an Effect Schema, without `$schema`,
 * `$defs`, `$id` or titles: a self-contained schema fit for an MCP tool's input or output schema.
 * Throws when the schema needs a `$ref` (give its sub-schemas no identifier).
 *
 * @since 0.1.0
 */
export const of = <A, I>(schema: Schema.Schema<A, I>): JsonSchema => {
  const generated = JSONSchema.make(schema, { target: "jsonSchema2019-09" })
  if (JSON.stringify(generated).includes("$ref")) {
    throw new Error("generated JSON Schemas must not need $ref: give sub-schemas no identifier")
  }
  return strip(generated) as JsonSchema
}

/**
 * The JSON Schema (draft 2020-12 compatible subset, no `$ref`) of a filter specification.
 *
 * @since 0.1.0
 */
export const ofFilter = <A>(spec: FilterSpec.FilterSpec<A>): JsonSchema => of(spec.schema)
