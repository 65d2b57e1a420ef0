import { constants, type Stats } from "node:fs"
import { mkdir, open } from "node:fs/promises"
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

/**
 * Why an open file may not be taken as written by this user alone: it is owned by another user, or
 * group or others may write it; `undefined` when it may (always on a system without user ids).
 */
const notOwn = (info: Stats): string | undefined => {
  const uid = process.getuid?.()
  if (uid !== undefined && info.uid !== uid) return "it is owned by another user"
  if (process.platform !== "win32" && (info.mode & 0o022) !== 0) {
    return `other users may write it (mode 0${(info.mode & 0o777).toString(8)})`
  }
  return undefined
}

/** A local state file refused by {@link appendLine} (`ownOnly`): `EPERM`, with the reason. */
class NotOwnFile extends Error {
  readonly code = "EPERM"
}

/**
 * The text of a local state file that only this user can have written: a regular file, opened
 * without following a link, owned by the user running the process and writable by nobody else.
 * Empty when it is absent, unreadable or breaks one of these rules (its lines then count for
 * nothing).
 */
export const readOwnFile = async (path: string): Promise<string> => {
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      const info = await handle.stat()
      return info.isFile() && notOwn(info) === undefined ? await handle.readFile("utf8") : ""
    } finally {
      await handle.close()
    }
  } catch {
    return ""
  }
}

/**
 * Appends one line (JSON text, without its line end) to a local state file of `directory`, in one
 * write: the folder is created 0700 and the file 0600; a torn last line (a crash mid-write) is left
 * on its own line. With `ownOnly`, a link in the file's place, a file owned by another user or one
 * that others may write is refused (an error with code `EPERM`), as {@link readOwnFile} would not
 * read it.
 */
export const appendLine = async (
  directory: string,
  path: string,
  line: string,
  options: { readonly ownOnly?: boolean } = {}
): Promise<void> => {
  await mkdir(directory, { recursive: true, mode: 0o700 })
  const handle = await open(
    path,
    options.ownOnly === true
      ? constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW
      : "a+",
    0o600
  )
  try {
    if (options.ownOnly === true) {
      const info = await handle.stat()
      const why = info.isFile() ? notOwn(info) : "it is not a regular file"
      if (why !== undefined) throw new NotOwnFile(why)
    }
    const { size } = await handle.stat()
    const last = Buffer.alloc(1)
    const torn = size > 0 && (await handle.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 10
    await handle.appendFile(`${torn ? "\n" : ""}${line}\n`)
  } finally {
    await handle.close()
  }
}
