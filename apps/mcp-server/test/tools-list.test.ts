import { afterEach, describe, expect, it } from "vitest"
import * as Catalog from "../src/tools/catalog.js"
import { listing } from "../src/tools/listing.js"
import { type Connected, connectStdio, GENERATIONS, serverEnv, tempDirs, V2_AUTO } from "./harness.js"

/** The most `tools/list` may weigh, serialised as the client receives it: it sits in every assistant's context (22,250 bytes with all six export kinds and the two schedule tools). */
const MAX_BYTES = 24 * 1024

let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
let server: Connected | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
  await dirs?.remove()
  dirs = undefined
})

/** Every property of a schema, at any depth, as [path, member]. */
const properties = (schema: unknown, path: string): Array<[string, Record<string, unknown>]> => {
  if (schema === null || typeof schema !== "object") return []
  const node = schema as Record<string, unknown>
  const found: Array<[string, Record<string, unknown>]> = []
  for (const [name, member] of Object.entries((node.properties ?? {}) as Record<string, unknown>)) {
    found.push([`${path}.${name}`, member as Record<string, unknown>])
    found.push(...properties(member, `${path}.${name}`))
  }
  if (node.items !== undefined) found.push(...properties(node.items, `${path}[]`))
  return found
}

describe.each([...GENERATIONS, V2_AUTO])("tools/list as the $name receives it", (generation) => {
  it(`weighs at most ${MAX_BYTES} bytes, describes every argument, keeps every member, and is the same list in either era`, async () => {
    dirs = await tempDirs()
    server = await connectStdio([], serverEnv(dirs), generation)
    const result = await server.client.listTools()
    const bytes = Buffer.byteLength(JSON.stringify(result), "utf8")
    expect(bytes).toBeLessThanOrEqual(MAX_BYTES)

    const undescribed = result.tools.flatMap((tool) =>
      properties(tool.inputSchema, tool.name)
        .filter(([, member]) => typeof member.description !== "string" || member.description.trim() === "")
        .map(([path]) => path)
    )
    expect(undescribed).toEqual([])
    expect(result.tools.every((tool) => Object.keys(tool.inputSchema.properties ?? {}).length > 0)).toBe(true)

    // every argument and every result member of the tools' definitions is still listed
    for (const tool of Catalog.all) {
      const wire = result.tools.find((listed) => listed.name === tool.name)!
      const names = (schema: unknown) => properties(schema, tool.name).map(([path]) => path)
      expect(names(wire.outputSchema)).toEqual(names(tool.outputSchema))
      expect(Object.keys(wire.inputSchema.properties ?? {})).toEqual(
        Object.keys((tool.inputSchema.properties ?? {}) as object)
      )
    }
    expect(result.tools).toEqual(JSON.parse(JSON.stringify(listing())))
  })
})
