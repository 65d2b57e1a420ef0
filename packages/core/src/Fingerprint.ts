/**
 * A keyed fingerprint of a normalised filter, to recognise the same export asked twice without
 * keeping the filter: the HMAC-SHA-256, under a secret key, of the filter's canonical JSON (without
 * `downloadRequestId`, object keys sorted, list members sorted — every list of a filter means "any
 * of", so its order carries no meaning).
 *
 * The key matters: a filter may hold an email, a phone number or a search key, and an unkeyed hash
 * of it could be reversed by hashing guessed values. Without the key a fingerprint reveals nothing;
 * with the same key (one install, or a team sharing a key file) the same filter always has the same
 * fingerprint. Core does no I/O: the caller brings the key (`@booster-export/transport`'s
 * `FingerprintKey` reads or creates it).
 *
 * An export kind other than customers mixes its name into the text (`scope`), so that a stock export
 * is never the "same export" as a customer export with the same brand and POS codes. Customer
 * fingerprints have no scope: they are exactly what versions before the other kinds wrote, so the
 * journal entries written then still match.
 *
 * ```ts
 * const key = Fingerprint.key(bytes)            // 32 secret bytes, kept Redacted
 * Fingerprint.fingerprint(key, filter)          // "hmac-sha256:<64 hex digits>"
 * Fingerprint.fingerprint(key, filter, "stock") // another fingerprint for a stock export
 * Fingerprint.isKeyed("sha256:…")               // false: written by an older version, never matched
 * ```
 *
 * @since 0.1.0
 */
import { hmac } from "@noble/hashes/hmac.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js"
import { Redacted } from "effect"
import * as Field from "./Field.js"

/**
 * A fingerprint key: secret bytes, `Redacted` so that they never print.
 *
 * @since 0.1.0
 */
export type Key = Redacted.Redacted<Uint8Array>

/**
 * The size of a key, in bytes: keys created by the toolkit have 32 random bytes, and a shorter key
 * is refused by `@booster-export/transport`.
 *
 * @since 0.1.0
 */
export const KEY_BYTES = 32

/**
 * The prefix of a keyed fingerprint: `hmac-sha256:`.
 *
 * @since 0.1.0
 */
export const PREFIX = "hmac-sha256:"

/**
 * The prefix of the unkeyed fingerprints older versions wrote (`sha256:`). Such fingerprints are
 * still read and shown, but never match a keyed one.
 *
 * @since 0.1.0
 */
export const LEGACY_PREFIX = "sha256:"

/**
 * Wraps secret bytes as a {@link Key}.
 *
 * @since 0.1.0
 */
export const key = (bytes: Uint8Array): Key => Redacted.make(bytes)

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
 * The canonical text a fingerprint authenticates: the filter's canonical JSON, preceded by the
 * scope and a line break when there is one (`stock\n{…}`). JSON text starts with `{`, so a scoped
 * text never equals an unscoped one, and two scopes never give the same text.
 *
 * @since 0.1.0
 */
export const canonicalText = (filter: object, scope?: string): string => {
  const { downloadRequestId: _ignored, ...rest } = filter as Record<string, unknown>
  const json = JSON.stringify(Field.canonicalize(sortLists(rest)))
  return scope === undefined ? json : `${scope}\n${json}`
}

const keyed = (key: Key, filter: object, scope: string | undefined): string =>
  `${PREFIX}${bytesToHex(hmac(sha256, Redacted.value(key), utf8ToBytes(canonicalText(filter, scope))))}`

/**
 * The fingerprint of a validated, normalised filter under `key`: `hmac-sha256:` followed by 64
 * hexadecimal digits. `fingerprint(key, filter, scope?)`, or `fingerprint(key)` for a function of
 * customer filters (it takes no scope, so that `filters.map(fingerprint(key))` is safe). `scope` names the export kind for every kind but customers (see the module's notes;
 * `ExportKind.fingerprint` picks it).
 *
 * @since 0.1.0
 */
export function fingerprint(key: Key): (filter: object) => string
export function fingerprint(key: Key, filter: object, scope?: string): string
export function fingerprint(
  key: Key,
  filter?: object,
  scope?: string
): string | ((filter: object) => string) {
  return filter === undefined ? (f: object) => keyed(key, f, undefined) : keyed(key, filter, scope)
}

/**
 * True for a keyed fingerprint (`hmac-sha256:` and 64 hexadecimal digits); false for the unkeyed
 * `sha256:` ones of older versions and anything else.
 *
 * @since 0.1.0
 */
export const isKeyed = (value: string): boolean => /^hmac-sha256:[0-9a-f]{64}$/.test(value)

/**
 * A short form of a fingerprint for people: its first 12 hexadecimal digits, without the prefix.
 *
 * @since 0.1.0
 */
export const short = (value: string): string => value.replace(/^(?:hmac-sha256|sha256):/, "").slice(0, 12)
