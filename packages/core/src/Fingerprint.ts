/**
 * A stable fingerprint of a normalised filter, to recognise the same export asked twice: the
 * SHA-256 of its canonical JSON, without `downloadRequestId`, with object keys sorted and list members
 * sorted (every list of a filter means "any of", so its order carries no meaning).
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import * as Field from "./Field.js"

const sortLists = (value: unknown): unknown => {
  if (Array.isArray(value)) {
    return value
      .map(sortLists)
      .map((member) => [JSON.stringify(Field.canonicalize(member)), member] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, member]) => member)
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, sortLists(member)]))
  }
  return value
}

/**
 * The canonical JSON text a fingerprint hashes.
 *
 * @since 0.1.0
 */
export const canonicalText = (filter: object): string => {
  const { downloadRequestId: _ignored, ...rest } = filter as Record<string, unknown>
  return JSON.stringify(Field.canonicalize(sortLists(rest)))
}

/**
 * The fingerprint of a validated, normalised filter: `sha256:` followed by 64 hexadecimal digits.
 *
 * @since 0.1.0
 */
export const fingerprint = (filter: object): string =>
  `sha256:${createHash("sha256").update(canonicalText(filter)).digest("hex")}`

/**
 * A short form of a fingerprint for people (the first 12 hexadecimal digits).
 *
 * @since 0.1.0
 */
export const short = (value: string): string => value.replace(/^sha256:/, "").slice(0, 12)
