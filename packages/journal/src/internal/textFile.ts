import { open } from "node:fs/promises"
import { Either, Schema } from "effect"

/**
 * The text of a local state file (the journal, the record of downloads); empty when it is absent,
 * unreadable or not a regular file (a device in its place is never read endlessly).
 */
export const readRegularFile = async (path: string): Promise<string> => {
  try {
    const handle = await open(path, "r")
    try {
      return (await handle.stat()).isFile() ? await handle.readFile("utf8") : ""
    } finally {
      await handle.close()
    }
  } catch {
    return ""
  }
}

/** The lines of JSON text that `schema` decodes, in order; blank, unreadable or other lines skipped. */
export const decodeLines = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (text: string): ReadonlyArray<A> =>
    text.split("\n").flatMap((line) => {
      if (line.trim() === "") return []
      try {
        const result = decode(JSON.parse(line))
        return Either.isRight(result) ? [result.right] : []
      } catch {
        return []
      }
    })
}
