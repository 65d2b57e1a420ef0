/**
 * Who the audit trail names for a call over HTTP with OAuth: the access token's subject and client,
 * never the token. Kept apart from the token checks so that serving does not load them.
 */
import { createHash } from "node:crypto"
import * as Scrub from "@booster-export/transport/Scrub"
import type { AuthInfo } from "@modelcontextprotocol/server"

/** The longest subject or client shown in full; a longer one is cut and tagged with its digest. */
export const MAX_NAME_LENGTH = 200

/**
 * A claim as the audit trail shows it: printable, on one line and bounded, yet still telling two
 * claims apart — a control, bidirectional or invisible character is written as `\u{…}` and a
 * backslash as `\\` (`Scrub.escaped`: so `alice` and `alice` followed by a zero-width space never
 * read alike), and a name longer than {@link MAX_NAME_LENGTH} is cut and ends with `…#` and 16 hex
 * digits of its SHA-256.
 */
export const printable = (text: string): string => {
  const shown = Scrub.escaped(text)
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
