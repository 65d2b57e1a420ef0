/**
 * One policy for every URL the client fetches or is handed: the API base, the OAuth2 token endpoint
 * and the download URLs a task hands out (and, in `booster-mcp`, an OAuth issuer's key set). Only
 * `http:` and `https:`; no user info; no plain `http` reached from an `https` API; plain `http`
 * otherwise only to a loopback host or to the one origin the insecure opt-out was given for; and no
 * connection to a loopback, private or link-local host when the trusted server is not on such a host
 * itself (unless allowed) — by the URL's literal host ({@link check}) and by every address its name
 * resolves to ({@link guardedLookup}).
 *
 * @since 0.1.0
 */
import * as dns from "node:dns"
import { BlockList, isIP, type LookupFunction } from "node:net"
import { Effect, Either } from "effect"

/**
 * Which URL is checked: the API base URL, the OAuth2 token URL, or a download URL from a task.
 *
 * @since 0.1.0
 */
export type Role = "base" | "token" | "download"

/**
 * Why a URL is refused: the rule, a message and a hint. The text never repeats the URL's user info
 * or query.
 *
 * @since 0.1.0
 */
export interface Refusal {
  readonly rule: "scheme" | "malformed" | "userinfo" | "downgrade" | "insecure" | "private-host"
  readonly message: string
  readonly hint: string
}

/**
 * What the policy needs to know about the API.
 *
 * @since 0.1.0
 */
export interface Context {
  /** The API base URL (already checked). */
  readonly baseUrl: URL
  /** The origin plain `http` was explicitly allowed for, if any. */
  readonly insecureOrigin: string | undefined
  /** Allow downloads from loopback, private and link-local hosts whatever the API host is. */
  readonly allowPrivateDownloadHosts: boolean
}

/**
 * The kind of network an address or literal host is on: `loopback`, `private` (RFC 1918,
 * `fc00::/7`, CGNAT, `0.0.0.0/8`), `link-local` (incl. `169.254.169.254`) or `public` (any other
 * address or name).
 *
 * @since 0.1.0
 */
export type HostClass = "loopback" | "private" | "link-local" | "public"

const blocks = (subnets: ReadonlyArray<readonly [string, number, "ipv4" | "ipv6"]>) => {
  const list = new BlockList()
  for (const [address, prefix, type] of subnets) list.addSubnet(address, prefix, type)
  return list
}

const LOOPBACK = blocks([
  ["127.0.0.0", 8, "ipv4"],
  ["::1", 128, "ipv6"]
])
const LINK_LOCAL = blocks([
  ["169.254.0.0", 16, "ipv4"],
  ["fe80::", 10, "ipv6"]
])
const PRIVATE = blocks([
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["::", 128, "ipv6"],
  ["fc00::", 7, "ipv6"]
])

/** An IPv4-mapped IPv6 address (`::ffff:7f00:1`) as its IPv4 form. */
const unmapped = (address: string): string => {
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address)
  if (match === null) return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address
  const high = Number.parseInt(match[1]!, 16)
  const low = Number.parseInt(match[2]!, 16)
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`
}

/**
 * The {@link HostClass} of an IP address (IPv4-mapped IPv6 read as IPv4, brackets allowed);
 * `undefined` when `raw` is not an IP address.
 *
 * @since 0.1.0
 */
export const addressClass = (raw: string): HostClass | undefined => {
  const address = unmapped(raw.replace(/^\[|\]$/g, "").toLowerCase())
  const version = isIP(address)
  if (version === 0) return undefined
  const type = version === 4 ? "ipv4" : "ipv6"
  if (LOOPBACK.check(address, type)) return "loopback"
  if (LINK_LOCAL.check(address, type)) return "link-local"
  if (PRIVATE.check(address, type)) return "private"
  return "public"
}

/**
 * The class of a URL's host name: `localhost` and literal loopback addresses are loopback (not
 * `*.localhost`, which any resolver may answer); a name is public (its addresses are checked again
 * when a download connects).
 *
 * @since 0.1.0
 */
export const hostClass = (hostname: string): HostClass =>
  hostname.toLowerCase() === "localhost" ? "loopback" : (addressClass(hostname) ?? "public")

/**
 * True for `localhost`, `127.0.0.0/8` and `::1` (literally: not `*.localhost`, which a resolver
 * may send anywhere).
 *
 * @since 0.1.0
 */
export const isLoopback = (hostname: string): boolean => hostClass(hostname) === "loopback"

const refuse = (rule: Refusal["rule"], message: string, hint: string): Either.Either<URL, Refusal> =>
  Either.left({ rule, message, hint })

const NAMES: Readonly<Record<Role, string>> = {
  base: "The API base URL",
  token: "The OAuth2 token URL",
  download: "The download URL"
}

/** True when every percent-escape of the path decodes. */
const decodes = (url: URL) => {
  try {
    decodeURIComponent(url.pathname)
    return true
  } catch {
    return false
  }
}

/**
 * Parses `raw` (relative to `base` when given) and checks the scheme (`http:`/`https:` only), the
 * path's percent-escapes and the absence of user info; a {@link Refusal} otherwise.
 *
 * @since 0.1.0
 */
export const parse = (role: Role, raw: string | URL, base?: URL): Either.Either<URL, Refusal> => {
  const name = NAMES[role]
  let url: URL
  try {
    url = new URL(raw, base)
  } catch {
    return refuse("malformed", `${name} is not a valid URL`, "Use a full URL such as https://host/path.")
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return refuse(
      "scheme",
      `${name} uses the ${url.protocol.replace(/:$/, "")} scheme: only https (and http where allowed) are fetched`,
      "Use an https:// URL."
    )
  }
  if (!decodes(url)) {
    return refuse("malformed", `${name} has a malformed percent-escape in its path`, "Use a well-formed URL.")
  }
  if (url.username !== "" || url.password !== "") {
    return refuse(
      "userinfo",
      `${name} carries a user name or password, which this client never sends in a URL`,
      "Remove the user:password@ part and configure the credentials as auth instead."
    )
  }
  return Either.right(url)
}

/**
 * Checks a token or download URL against the API: no plain `http` from an `https` API; plain
 * `http` otherwise only to loopback or the explicitly allowed origin; for downloads, no internal
 * host unless the API is on the same kind of host or it is allowed. A download URL may be relative
 * to the base URL.
 *
 * @since 0.1.0
 */
export const check = (role: Role, raw: string | URL, context: Context): Either.Either<URL, Refusal> =>
  Either.flatMap(parse(role, raw, role === "download" ? context.baseUrl : undefined), (url) => {
    const name = NAMES[role]
    if (url.protocol === "http:") {
      if (context.baseUrl.protocol === "https:") {
        return refuse(
          "downgrade",
          `${name} is plain http while the API is https: nothing is sent to it`,
          "The API or its configuration hands out an insecure URL; use https."
        )
      }
      if (!isLoopback(url.hostname) && url.origin !== context.insecureOrigin) {
        return refuse(
          "insecure",
          `${name} is plain http to a host plain http was not allowed for`,
          "Use https; the insecure-http opt-out covers only the base URL's own origin."
        )
      }
    }
    if (role === "download" && !context.allowPrivateDownloadHosts) {
      const target = hostClass(url.hostname)
      if (!acceptsAddress(url.hostname === "localhost" ? "127.0.0.1" : url.hostname, context.baseUrl)) {
        return refuse(
          "private-host",
          `${name} points at a ${target} address while the API is not on one: refused`,
          "If the storage really is on such a network, allow it explicitly (allowPrivateDownloadHosts)."
        )
      }
    }
    return Either.right(url)
  })

/**
 * Whether a URL handed out by the server at `trusted` may be connected to at `address` (an IP a
 * name resolved to, or a literal host): public addresses always, internal ones only when `trusted`
 * is on the same kind of network. The rule downloads follow, and `booster-mcp` for an issuer's keys.
 *
 * @since 0.1.0
 */
export const acceptsAddress = (address: string, trusted: URL): boolean => {
  const target = addressClass(address) ?? "public"
  return target === "public" || target === hostClass(trusted.hostname)
}

/**
 * The error code of a connection refused by {@link guardedLookup}.
 *
 * @since 0.1.0
 */
export const REFUSED_ADDRESS = "EBOOSTERREFUSEDADDRESS"

/**
 * A `lookup` for Node's HTTP stack that fails a connection whose host name resolves to an address
 * `accept` refuses (a name pointing at a private or metadata address: DNS rebinding), with the code
 * {@link REFUSED_ADDRESS}. `resolve` is the system resolver (`dns.lookup`); tests give it the DNS
 * answer an attacker would.
 *
 * @since 0.1.0
 */
export const guardedLookup =
  (accept: (address: string) => boolean, resolve: typeof dns.lookup = dns.lookup): LookupFunction =>
  (hostname, options, callback) =>
    resolve(hostname, options, (error, address, family) => {
      if (error !== null) return callback(error, address, family)
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address]
      if (addresses.some((a) => !accept(a))) {
        return callback(
          Object.assign(new Error("The host resolves to a refused address"), { code: REFUSED_ADDRESS }),
          address,
          family
        )
      }
      callback(null, address, family)
    })

/**
 * True when a request to `url` uses the insecure-http opt-out (plain http to a non-loopback host).
 *
 * @since 0.1.0
 */
export const usesInsecureOptOut = (url: URL | string): boolean => {
  const parsed = typeof url === "string" ? new URL(url) : url
  return parsed.protocol === "http:" && !isLoopback(parsed.hostname)
}

/**
 * Logs a warning for every request sent under the insecure-http opt-out; nothing otherwise.
 *
 * @since 0.1.0
 */
export const warnIfInsecure = (url: URL | string): Effect.Effect<void> =>
  Effect.suspend(() =>
    usesInsecureOptOut(url)
      ? Effect.logWarning(
          `Plain http to ${new URL(url).origin} (allowInsecureHttp): credentials and personal data travel unencrypted`
        )
      : Effect.void
  )
