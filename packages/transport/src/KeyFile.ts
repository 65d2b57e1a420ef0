/**
 * Secret files of one install (the fingerprint key, the journal's checkpoint signing key): read only
 * when they are regular files, not links, that no other user may read or write; created once,
 * race-safely — the content is written to a private temporary file (0600) that is then linked into
 * place exclusively, so that two processes creating the same file at once both end up with the one
 * that won, and nobody ever reads a half-written file.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { constants } from "node:fs"
import { link, mkdir, open, unlink } from "node:fs/promises"
import { join } from "node:path"

/**
 * A key file refused by a rule: `message` names the file and the rule (never its content), `hint`
 * says what to do.
 *
 * @since 0.1.0
 */
export class Refused extends Error {
  constructor(
    message: string,
    readonly hint: string
  ) {
    super(message)
  }
}

/**
 * The content of the key file at `path`: a regular file, opened without following a link, that no
 * other user may read or write. Throws {@link Refused} for a file breaking a rule, or the system's
 * error (e.g. `ENOENT`).
 *
 * @since 0.1.0
 */
export const readPrivate = async (path: string): Promise<Buffer> => {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  try {
    const info = await handle.stat()
    if (!info.isFile()) {
      throw new Refused(`${path} is not a regular file`, "Point it at a file holding the key.")
    }
    if ((info.mode & 0o077) !== 0) {
      throw new Refused(
        `the key file ${path} can be read or written by other users (mode 0${(info.mode & 0o777).toString(8)})`,
        `Make it readable by its owner only: chmod 600 ${path}`
      )
    }
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

const codeOf = (error: unknown): unknown =>
  typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined

/**
 * Reads `name` in `directory` with {@link readPrivate}, creating it first with `content()` when it
 * does not exist (the directory with mode 0700, the file 0600, race-safely).
 *
 * @since 0.1.0
 */
export const readOrCreate = async (
  directory: string,
  name: string,
  content: () => Uint8Array | string
): Promise<Buffer> => {
  const path = join(directory, name)
  try {
    return await readPrivate(path)
  } catch (error) {
    if (codeOf(error) !== "ENOENT") throw error
  }
  await mkdir(directory, { recursive: true, mode: 0o700 })
  const temporary = join(directory, `.${name}.${randomUUID()}`)
  const handle = await open(temporary, "wx", 0o600)
  try {
    await handle.writeFile(content())
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await link(temporary, path)
  } catch (error) {
    if (codeOf(error) !== "EEXIST") throw error
  } finally {
    await unlink(temporary).catch(() => undefined)
  }
  return readPrivate(path)
}
