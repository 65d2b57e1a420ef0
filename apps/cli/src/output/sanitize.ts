/**
 * What `--json` prints: every string cleaned of terminal escapes and control, bidirectional and
 * invisible characters (transport's `Scrub`, keys included, line breaks kept as JSON escapes), so
 * that a hostile server cannot write to the clipboard (OSC 52), retitle the window or reorder text
 * through a script that prints the output; and each presigned URL member (`signedDownloadUrl`,
 * `downloadUrl`) shown as transport's `Redact.url` shows a URL.
 */
import * as Redact from "@booster-export/transport/Redact"
import * as Scrub from "@booster-export/transport/Scrub"

const withoutSignedUrls = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(withoutSignedUrls)
  if (node === null || typeof node !== "object") return node
  return Object.fromEntries(
    Object.entries(node).map(([key, member]) => [
      key,
      Redact.isSignedUrlMember(key) && typeof member === "string"
        ? Redact.url(member)
        : withoutSignedUrls(member)
    ])
  )
}

/** A value ready for `--json` output (see the module's description). */
export const forJson = (value: unknown): unknown => withoutSignedUrls(Scrub.deep(value))
