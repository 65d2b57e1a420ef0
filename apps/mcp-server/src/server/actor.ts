/**
 * Who the audit trail names for a call over HTTP with OAuth: the access token's subject and client,
 * never the token. Kept apart from the token checks so that serving does not load them.
 */
import type { AuthInfo } from "@modelcontextprotocol/server"

/** Printable text only, bounded: what goes into the audit trail from a token's claims. */
const printable = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "").slice(0, 200)

/**
 * The audit actor of a verified token: its subject, and the client it was issued to when known
 * (`sub via client`). `undefined` when the request carried no verified token.
 */
export const actorOf = (auth: AuthInfo | undefined): string | undefined => {
  const subject = auth?.extra?.subject
  if (auth === undefined || typeof subject !== "string" || subject === "") return undefined
  return auth.clientId === "" ? printable(subject) : `${printable(subject)} via ${printable(auth.clientId)}`
}
