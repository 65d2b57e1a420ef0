/**
 * Where the server may write: only plain file names directly inside the export directory. A name
 * built from tool arguments or API data that holds a separator, `..`, a drive or NUL, or is
 * absolute, is refused rather than cleaned, so that nothing can steer a write elsewhere.
 */
import { dirname, isAbsolute, resolve } from "node:path"

/** The absolute path of `name` inside `directory`, or `undefined` when `name` is not a plain file name. */
export const fileIn = (directory: string, name: string): string | undefined => {
  if (name === "" || name === "." || name.includes("..") || /[\\/\0:]/.test(name) || isAbsolute(name)) {
    return undefined
  }
  const path = resolve(directory, name)
  return dirname(path) === resolve(directory) ? path : undefined
}
