/**
 * Text from elsewhere (the API, the storage host, files) made safe to show: terminal escape
 * sequences and C0/C1 control characters removed, so that a hostile server cannot write to the
 * clipboard (OSC 52), retitle the window (OSC 0/2), move the cursor or hide text, on a terminal or
 * through a script that prints `--json` output.
 */

import * as Redact from "./redact.js"

// OSC / DCS / SOS / PM / APC strings (ESC ] … BEL or ST, and their C1 forms), then CSI sequences,
// then two-character escapes.
const STRINGS = /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)/g
const CSI = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?/g
const ESCAPE = /\u001b[ -~]?/g
// C0 except tab and line feed, DEL, and C1
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g
const LINE_BREAKS = /[\t\n]+/g

/** Removes escape sequences and control characters; keeps tabs and line feeds. */
export const stripControl = (text: string): string =>
  text.replace(STRINGS, "").replace(CSI, "").replace(ESCAPE, "").replace(CONTROL, "")

/** {@link stripControl}, and tabs and line feeds become spaces: for text shown on one line. */
export const oneLine = (text: string): string => stripControl(text).replace(LINE_BREAKS, " ")

/** A JSON value with {@link stripControl} applied to every string in it (keys included). */
export const deep = (value: unknown): unknown => {
  if (typeof value === "string") return stripControl(value)
  if (Array.isArray(value)) return value.map(deep)
  if (value !== null && typeof value === "object") {
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
      return deep((value as { toJSON: () => unknown }).toJSON())
    }
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [stripControl(key), deep(member)]))
  }
  return value
}

/** {@link deep}, keeping the value's static type (every string in it is cleaned, the shape is kept). */
export const clean = <A>(value: A): A => deep(value) as A

/**
 * A value ready for `--json` output: {@link deep}, and every presigned URL member
 * (`signedDownloadUrl`) with its signature redacted.
 */
export const forJson = (value: unknown): unknown => {
  const cleaned = deep(value)
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk)
    if (node === null || typeof node !== "object") return node
    return Object.fromEntries(
      Object.entries(node).map(([key, member]) => [
        key,
        Redact.isSignedUrlMember(key) && typeof member === "string" ? Redact.signedUrl(member) : walk(member)
      ])
    )
  }
  return walk(cleaned)
}
