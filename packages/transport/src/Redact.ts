/**
 * Redaction for anything shown to a person, a log or an assistant: request headers (credentials
 * replaced by `<redacted>`) and signed URLs (the query, which carries the signature, replaced).
 *
 * @since 0.1.0
 */

/**
 * What a redacted value shows.
 *
 * @since 0.1.0
 */
export const REDACTED = "<redacted>"

const CREDENTIAL_NAMES = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie"])
const CREDENTIAL_PARTS = ["key", "token", "secret", "password", "auth"]

/**
 * True for a header name that carries a credential: `authorization`, `proxy-authorization`,
 * `cookie`, `set-cookie`, or any name containing `key`, `token`, `secret`, `password` or `auth`
 * (case-insensitive).
 *
 * @since 0.1.0
 */
export const isCredentialHeader = (name: string): boolean => {
  const lower = name.toLowerCase()
  return CREDENTIAL_NAMES.has(lower) || CREDENTIAL_PARTS.some((part) => lower.includes(part))
}

/**
 * The headers with every credential-like value (see {@link isCredentialHeader}, plus the names in
 * `alsoSecret`) replaced by `<redacted>`; names are kept as given.
 *
 * @since 0.1.0
 */
export const headers = (
  input: Readonly<Record<string, string>>,
  alsoSecret: ReadonlyArray<string> = []
): Record<string, string> => {
  const extra = new Set(alsoSecret.map((name) => name.toLowerCase()))
  return Object.fromEntries(
    Object.entries(input).map(([name, value]) => [
      name,
      isCredentialHeader(name) || extra.has(name.toLowerCase()) ? REDACTED : value
    ])
  )
}

/**
 * A signed (or any) URL fit for display: origin and path, and `?<redacted>` in place of a query;
 * no user info, no fragment. An unreadable URL gives `<unreadable url>`.
 *
 * @since 0.1.0
 */
export const signedUrl = (url: string | URL): string => {
  try {
    const parsed = new URL(url.toString())
    return `${parsed.origin}${parsed.pathname}${parsed.search !== "" ? `?${REDACTED}` : ""}`
  } catch {
    return "<unreadable url>"
  }
}
