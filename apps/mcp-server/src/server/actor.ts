/**
 * Who the audit trail names for a call over HTTP with OAuth: the access token's subject and client,
 * never the token. Kept apart from the token checks so that serving does not load them.
 */
import { createHash } from "node:crypto"
import type { AuthInfo } from "@modelcontextprotocol/server"

/** The longest subject or client shown in full; a longer one is cut and tagged with its digest. */
export const MAX_NAME_LENGTH = 200

/** Control characters, bidirectional overrides and invisible characters that could fake a name. */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g

/**
 * A claim as the audit trail shows it: printable, on one line and bounded, yet still telling two
 * claims apart — a hidden character is written as `\u{…}` (so `alice` and `alice` followed by a
 * zero-width space never read alike), a backslash as `\\`, and a name longer than
 * {@link MAX_NAME_LENGTH} is cut and ends with `…#` and 16 hex digits of its SHA-256.
 */
export const printable = (text: string): string => {
  const shown = text
    .replace(/\\/g, "\\\\")
    .replace(HIDDEN, (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`)
  if (shown.length <= MAX_NAME_LENGTH) return shown
  const digest = createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16)
  return `${shown.slice(0, MAX_NAME_LENGTH)}…#${digest}`
}

/**
 * The audit actor of a verified token: its subject, and the client it was issued to when known
 * (`sub via client`), each shown by {@link printable}. `undefined` when the request carried no
 * verified token.
 */
export const actorOf = (auth: AuthInfo | undefined): string | undefined => {
  const subject = auth?.extra?.subject
  if (auth === undefined || typeof subject !== "string" || subject === "") return undefined
  return auth.clientId === "" ? printable(subject) : `${printable(subject)} via ${printable(auth.clientId)}`
}
