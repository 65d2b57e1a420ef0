/**
 * The one set of redaction rules for anything shown to a person, a log or an assistant:
 *
 * - a header carries a credential when its name contains `key`, `token`, `secret`, `password`,
 *   `auth`, `session`, `signature` or `cookie` (so `Authorization`, `Proxy-Authorization`,
 *   `X-Api-Key`, `X-Session-Id`, `X-Amz-Signature`, `Set-Cookie`…), or when it is the configured
 *   API-key header;
 * - a URL is shown without its user info, ever, and with everything after its path (query and
 *   fragment, also an encoded `?` or `#` in the path) replaced by `?<redacted>`: no query member is
 *   shown, as presigned URLs carry their signature, credential and expiry there under names that
 *   differ from one storage to the next (an expired URL is reported as such, `expired-url`);
 * - members named `signedDownloadUrl` or `downloadUrl` hold a URL that is a bearer credential for
 *   the file.
 *
 * Free of Effect: start-up paths use it.
 *
 * @since 0.1.0
 */

/**
 * What a redacted value shows.
 *
 * @since 0.1.0
 */
export const REDACTED = "<redacted>"

/**
 * What a URL that cannot be read shows.
 *
 * @since 0.1.0
 */
export const UNREADABLE_URL = "<unreadable url>"

const CREDENTIAL_PARTS = /key|token|secret|password|auth|session|signature|cookie/

/**
 * True for a header name that carries a credential: a name containing `key`, `token`, `secret`,
 * `password`, `auth`, `session`, `signature` or `cookie` (`authorization` and
 * `proxy-authorization` among them), or one of `alsoSecret` (the configured API-key header);
 * case-insensitive.
 *
 * @since 0.1.0
 */
export const isCredentialHeader = (name: string, alsoSecret: ReadonlyArray<string> = []): boolean => {
  const lower = name.trim().toLowerCase()
  return CREDENTIAL_PARTS.test(lower) || alsoSecret.some((secret) => secret.trim().toLowerCase() === lower)
}

/**
 * Headers as shown: one entry per name (names are case-insensitive; of two spellings the later one
 * is the one sent, and its spelling is kept) and every credential (see {@link isCredentialHeader},
 * plus the names in `alsoSecret`) replaced by {@link REDACTED}.
 *
 * @since 0.1.0
 */
export const headers = (
  input: Readonly<Record<string, string>>,
  alsoSecret: ReadonlyArray<string> = []
): Record<string, string> => {
  const byName = new Map<string, readonly [string, string]>()
  for (const [name, value] of Object.entries(input)) {
    const key = name.trim().toLowerCase()
    byName.delete(key)
    byName.set(key, [name, isCredentialHeader(key, alsoSecret) ? REDACTED : value])
  }
  return Object.fromEntries(byName.values())
}

/** An encoded `?` or `#`: where a query hides in a path. */
const ENCODED_QUERY = /%3f|%23/i

const withoutQuery = (path: string, hasQuery: boolean): string => {
  const encoded = path.search(ENCODED_QUERY)
  const shown = encoded < 0 ? path : path.slice(0, encoded)
  return hasQuery || encoded >= 0 ? `${shown}?${REDACTED}` : shown
}

/**
 * A URL fit for display: scheme, host, port and path; never the user info; the query and fragment
 * (and anything after an encoded `?` or `#` in the path) replaced by `?<redacted>`. A path-only
 * reference (`/files/x.csv?…`) keeps its path; anything else unreadable gives {@link UNREADABLE_URL}.
 *
 * @since 0.1.0
 */
export const url = (raw: string | URL): string => {
  const text = typeof raw === "string" ? raw.trim() : raw.href
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    if (!text.startsWith("/") || text.startsWith("//")) return UNREADABLE_URL
    try {
      const relative = new URL(text, "http://relative.invalid")
      return withoutQuery(relative.pathname, relative.search !== "" || relative.hash !== "")
    } catch {
      return UNREADABLE_URL
    }
  }
  const hasQuery = parsed.search !== "" || parsed.hash !== ""
  parsed.username = ""
  parsed.password = ""
  parsed.search = ""
  parsed.hash = ""
  const path = parsed.pathname
  const prefix = parsed.href.slice(0, parsed.href.length - path.length)
  return `${prefix}${withoutQuery(path, hasQuery)}`
}

// A URL in free text: a scheme followed by `://` (or its encoded form `%3A%2F%2F`), up to a space,
// a quote or an angle bracket.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*(?::\/\/|%3a%2f%2f))([^\s"'<>`]*)/gi
const AUTHORITY_END = /[/?#]|%2f|%3f|%23/i
const QUERY_START = /[?#]|%3f|%23/i

const shownInText = (scheme: string, rest: string): string => {
  const end = rest.search(AUTHORITY_END)
  const authority = end < 0 ? rest : rest.slice(0, end)
  const after = rest.slice(authority.length)
  const at = Math.max(authority.lastIndexOf("@"), authority.toLowerCase().lastIndexOf("%40"))
  const host = at < 0 ? authority : authority.slice(at + (authority[at] === "@" ? 1 : 3))
  const query = after.search(QUERY_START)
  return `${scheme}${host}${query < 0 ? after : `${after.slice(0, query)}?${REDACTED}`}`
}

/**
 * Text with every URL in it (any scheme written with `://`, also percent-encoded) shown as
 * {@link url} shows one: user info dropped, query and fragment replaced by `?<redacted>`; the rest
 * of the text untouched.
 *
 * @since 0.1.0
 */
export const urlsInText = (text: string): string =>
  text.replace(URL_IN_TEXT, (match: string, scheme: string, rest: string, offset: number) => {
    const shown = shownInText(scheme, rest)
    // a URL shown already (`…?<redacted>`): the placeholder that follows is its own, kept once
    return shown.endsWith(`?${REDACTED}`) &&
      rest.endsWith("?") &&
      text.startsWith(REDACTED, offset + match.length)
      ? shown.slice(0, -REDACTED.length)
      : shown
  })

const URL_MEMBERS = new Set(["signeddownloadurl", "downloadurl"])

/**
 * True for the members that hold a task's download URL (`signedDownloadUrl`, `downloadUrl`): a
 * presigned URL, a bearer credential for the file until it expires. Show them with {@link url}.
 *
 * @since 0.1.0
 */
export const isSignedUrlMember = (name: string): boolean => URL_MEMBERS.has(name.toLowerCase())
