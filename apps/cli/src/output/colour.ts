/**
 * The colour codes of the program's own output (SGR sequences of @effect/cli's help and errors, and
 * our bold headings), taken off when the stream is not a colour terminal or `NO_COLOR` is set.
 *
 * Not a safety rule, and not transport's `Scrub`: this removes only `ESC [ … m`-style styling from
 * text the program wrote itself, leaving everything else as it is; text from elsewhere (the API,
 * files, the journal) is cleaned with `Scrub` before it is printed.
 */

const STYLING = /\u001b\[[0-9;]*[A-Za-z]/g

/** `text` without the program's colour codes. */
export const uncoloured = (text: string): string => text.replace(STYLING, "")
