import * as dns from "node:dns"
import { BlockList, isIP, type LookupFunction } from "node:net"
import { Effect, Either, Option } from "effect"
import type * as BoosterConfig from "../BoosterConfig.js"

/**
 * One policy for every URL the client fetches: the API base, the OAuth2 token endpoint and the
 * download URLs a task hands out. Only `http:` and `https:`; no user info; no plain `http` reached
 * from an `https` API; plain `http` otherwise only to a loopback host or to the one origin the
 * insecure opt-out was given for; and no download from a loopback, private or link-local host when
 * the API is not on such a host itself (unless allowed).
 */

/** Which URL is checked: the API base URL, the OAuth2 token URL, or a download URL from a task. */
export type Role = "base" | "token" | "download"

/** Why a URL is refused. The text never repeats the URL's user info or query. */
export interface Refusal {
  readonly rule: "scheme" | "malformed" | "userinfo" | "downgrade" | "insecure" | "private-host"
  readonly message: string
  readonly hint: string
}

/** What the policy needs to know about the API. */
export interface Context {
  /** The API base URL (already checked). */
  readonly baseUrl: URL
  /** The origin plain `http` was explicitly allowed for, if any. */
  readonly insecureOrigin: string | undefined
  /** Allow downloads from loopback, private and link-local hosts whatever the API host is. */
  readonly allowPrivateDownloadHosts: boolean
}

/** The kind of network a host is on, from its literal name or address. */
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

/** The class of an IP address (`undefined` when `address` is not one). */
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
 */
export const hostClass = (hostname: string): HostClass =>
  hostname.toLowerCase() === "localhost" ? "loopback" : (addressClass(hostname) ?? "public")

/** True for `localhost`, `127.0.0.0/8` and `::1` only. */
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

/** Parses `raw` (relative to `base` when given) and checks the scheme, the escapes and the user info. */
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
 * host unless the API is on the same kind of host or it is allowed.
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
      if (
        !acceptsDownloadAddress(url.hostname === "localhost" ? "127.0.0.1" : url.hostname, context.baseUrl)
      ) {
        return refuse(
          "private-host",
          `${name} points at a ${target} address while the API is not on one: refused`,
          "If the storage really is on such a network, allow it explicitly (allowPrivateDownloadHosts)."
        )
      }
    }
    return Either.right(url)
  })

/** True when a download may connect to `address` (an IP a download host name resolved to). */
export const acceptsDownloadAddress = (address: string, baseUrl: URL): boolean => {
  const target = addressClass(address) ?? "public"
  return target === "public" || target === hostClass(baseUrl.hostname)
}

/** The error code of a connection refused by {@link guardedLookup}. */
export const REFUSED_ADDRESS = "EBOOSTERREFUSEDADDRESS"

/**
 * A `lookup` for Node's HTTP stack that fails a connection whose host name resolves to an address
 * `accept` refuses (a name pointing at a private or metadata address: DNS rebinding), with the code
 * {@link REFUSED_ADDRESS}. `resolve` is the system resolver (`dns.lookup`); tests give it the DNS
 * answer an attacker would.
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

/** The URL of an API route (`tasks/…`, `customer/{brand}/export`), under the configured base URL. */
export const apiUrl = (config: BoosterConfig.Resolved, relative: string): URL =>
  new URL(relative.replace(/^\//, ""), config.baseUrl)

/** The policy context of a resolved configuration. */
export const contextOf = (config: BoosterConfig.Resolved): Context => ({
  baseUrl: config.baseUrl,
  insecureOrigin: config.insecureOrigin,
  allowPrivateDownloadHosts: config.allowPrivateDownloadHosts
})

/** The raw download URL of a task, if it has one. */
export const rawDownloadUrl = (raw: string | undefined): Option.Option<string> =>
  raw === undefined || raw.trim() === "" ? Option.none() : Option.some(raw.trim())

/** True when a request to `url` uses the insecure-http opt-out (plain http to a non-loopback host). */
export const usesInsecureOptOut = (url: URL | string): boolean => {
  const parsed = typeof url === "string" ? new URL(url) : url
  return parsed.protocol === "http:" && !isLoopback(parsed.hostname)
}

/** Logs a warning for every request sent under the insecure-http opt-out; nothing otherwise. */
export const warnIfInsecure = (url: URL | string): Effect.Effect<void> =>
  Effect.suspend(() =>
    usesInsecureOptOut(url)
      ? Effect.logWarning(
          `Plain http to ${new URL(url).origin} (allowInsecureHttp): credentials and personal data travel unencrypted`
        )
      : Effect.void
  )
