/**
 * Secrets kept out of what the command line shows: credential-like headers (`--dry-run`,
 * `config show`), presigned download URLs (`--json` task output) and URL queries in error text.
 */

const REDACTED = "<redacted>"

/** Header names that carry credentials whatever their value. */
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie"])
/** Parts of a header name that mark it as carrying a credential (`X-Api-Key`, `X-Auth-Token`…). */
const CREDENTIAL_PARTS = /key|token|secret|password|auth|session|signature/i

/** True when a header of this name may carry a credential. */
export const isCredentialHeader = (name: string): boolean =>
  CREDENTIAL_HEADERS.has(name.trim().toLowerCase()) || CREDENTIAL_PARTS.test(name)

/**
 * Headers as shown: one entry per name (HTTP names are case-insensitive; of two spellings the later
 * one is the one sent, and its spelling is kept), and every credential-like value `<redacted>`.
 */
export const headers = (input: Readonly<Record<string, string>>): Record<string, string> => {
  const byName = new Map<string, readonly [string, string]>()
  for (const [name, value] of Object.entries(input)) {
    const key = name.trim().toLowerCase()
    byName.delete(key)
    byName.set(key, [name, isCredentialHeader(key) ? REDACTED : value])
  }
  return Object.fromEntries(byName.values())
}

/** True for the members holding a presigned URL (`signedDownloadUrl`): a bearer credential for the file. */
export const isSignedUrlMember = (name: string): boolean => name.toLowerCase() === "signeddownloadurl"

/** A URL without its query and fragment, where presigned URLs carry their signature: `https://host/path?<redacted>`. */
export const signedUrl = (url: string): string => {
  const cut = url.search(/[?#]/)
  return cut < 0 ? url : `${url.slice(0, cut)}?${REDACTED}`
}

/** Text with the query of every URL in it redacted (a presigned URL quoted in an error message). */
export const urlQueries = (text: string): string =>
  text.replace(/\b(https?:\/\/[^\s?#"'<>]+)[?#][^\s"'<>]*/gi, `$1?${REDACTED}`)
