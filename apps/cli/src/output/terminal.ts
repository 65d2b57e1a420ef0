/**
 * Writing to the terminal: data on stdout, messages and progress on stderr; colour only on a TTY and
 * without `NO_COLOR`; a progress bar on a TTY, plain lines otherwise.
 *
 * Everything written passes transport's one cleaner (`Scrub`), by construction: {@link out} and
 * {@link err} clean the text they are given (escape sequences with their payloads, control,
 * bidirectional and invisible characters; line breaks kept), and the only text they write as it is
 * is {@link Shown} text, which only this module makes — {@link line} (each value interpolated cleaned
 * and kept on one line) and the colour helpers (the program's own styling around cleaned text). A
 * command cannot print a journal row, a filter label or server text raw by forgetting a call.
 */

import * as Scrub from "@booster-export/transport/Scrub"
import { Effect } from "effect"
import * as Sanitize from "./sanitize.js"

const SHOWN: unique symbol = Symbol.for("@booster-export/cli/Shown")

/**
 * Text ready for the terminal: its foreign parts cleaned, the program's own styling kept. Made by
 * {@link line} and the colour helpers only. Put into a plain template string by mistake, it reads
 * as its text, and {@link out} then cleans it whole (the colour is lost, nothing else).
 */
export interface Shown {
  readonly [SHOWN]: true
  readonly text: string
}

/** What can be shown: foreign or own text (cleaned when shown), a number, or {@link Shown} text. */
export type Showable = string | number | Shown

const shown = (text: string): Shown => ({ [SHOWN]: true, text, toString: () => text }) as Shown

const isShown = (value: unknown): value is Shown =>
  typeof value === "object" && value !== null && SHOWN in value

/** A value on one line: {@link Shown} text as it is, anything else through `Scrub.line`. */
const onOneLine = (value: Showable): string => (isShown(value) ? value.text : Scrub.line(String(value)))

/** Text as written: {@link Shown} text as it is, anything else through `Scrub.text` (line breaks kept). */
const cleaned = (value: Showable): string => (isShown(value) ? value.text : Scrub.text(String(value)))

/**
 * One line from a template: the program's literal text, and each value cleaned with transport's
 * `Scrub.line` (escapes and their payloads, control, bidirectional and invisible characters removed,
 * line breaks and tabs made one space) unless it is {@link Shown} text (styling made here):
 * `` Term.line`${Term.bold("Exporting:")} ${description}` ``.
 */
export const line = (literals: TemplateStringsArray, ...values: ReadonlyArray<Showable>): Shown =>
  shown(
    literals.reduce(
      (text, literal, i) => `${text}${Scrub.text(literal)}${i < values.length ? onOneLine(values[i]!) : ""}`,
      ""
    )
  )

/** True when stderr is a terminal. */
export const stderrIsTty = (): boolean => process.stderr.isTTY === true

/** True when a person can answer a question: stdin and stderr are terminals. */
export const canPrompt = (): boolean => process.stdin.isTTY === true && process.stderr.isTTY === true

/** True when colour may be used on stderr. */
export const useColor = (): boolean =>
  stderrIsTty() &&
  (process.env.NO_COLOR === undefined || process.env.NO_COLOR === "") &&
  process.env.TERM !== "dumb"

const paint = (code: string, text: Showable): Shown => {
  const clean = cleaned(text)
  return shown(useColor() ? `\u001b[${code}m${clean}\u001b[0m` : clean)
}

/** Bold text (on a colour terminal), cleaned. */
export const bold = (text: Showable): Shown => paint("1", text)
/** Dim text (on a colour terminal), cleaned. */
export const dim = (text: Showable): Shown => paint("2", text)
/** Green text (on a colour terminal), cleaned. */
export const green = (text: Showable): Shown => paint("32", text)
/** Red text (on a colour terminal), cleaned. */
export const red = (text: Showable): Shown => paint("31", text)
/** Yellow text (on a colour terminal), cleaned. */
export const yellow = (text: Showable): Shown => paint("33", text)

const write = (stream: NodeJS.WriteStream, text: string): Effect.Effect<void> =>
  Effect.sync(() => void stream.write(`${text}\n`))

/** Writes to stdout: text cleaned (line breaks kept), {@link Shown} text as it is; then a line feed. */
export const out = (text: Showable): Effect.Effect<void> => write(process.stdout, cleaned(text))

/** Writes to stderr: text cleaned (line breaks kept), {@link Shown} text as it is; then a line feed. */
export const err = (text: Showable): Effect.Effect<void> => write(process.stderr, cleaned(text))

/**
 * Writes a JSON value as one line to stdout: control characters removed from every string and
 * presigned URLs (`signedDownloadUrl`) with their signature redacted (see `Sanitize.forJson`).
 */
export const json = (value: unknown): Effect.Effect<void> =>
  write(process.stdout, JSON.stringify(Sanitize.forJson(value)))

/** What the progress display shows. */
export interface ProgressState {
  readonly asyncTaskId: string
  readonly status: string
  readonly percentage: number
  readonly totalResults?: number | undefined
}

const WIDTH = 30

type Bar = import("cli-progress").SingleBar

const percentOf = (p: ProgressState): number => Math.max(0, Math.min(100, Math.round(p.percentage)))

/** The payload of the bar's format: `[#########---------]  45% INP  1,234 rows`. */
const barFields = (p: ProgressState) => ({
  pct: String(percentOf(p)).padStart(3),
  status: Scrub.line(p.status).padEnd(3),
  rows: p.totalResults !== undefined ? `  ${p.totalResults.toLocaleString("en-GB")} rows` : ""
})

/** Draws the bar with `cli-progress`, loaded on the first draw so that start-up never pays for it. */
const startBar = (p: ProgressState): Effect.Effect<Bar> =>
  Effect.promise(() => import("cli-progress")).pipe(
    Effect.map(({ SingleBar }) => {
      const bar = new SingleBar({
        stream: process.stderr,
        format: "[{bar}] {pct}% {status}{rows}",
        barsize: WIDTH,
        barCompleteChar: "#",
        barIncompleteChar: "-",
        hideCursor: false,
        clearOnComplete: false,
        gracefulExit: false
      })
      bar.start(100, percentOf(p), barFields(p))
      return bar
    })
  )

/** A progress display on stderr: a bar redrawn in place on a TTY, one line per change otherwise. */
export interface ProgressDisplay {
  readonly update: (p: ProgressState) => Effect.Effect<void>
  readonly done: Effect.Effect<void>
}

/**
 * Makes a progress display; `quiet` shows nothing (for `--json`). On a TTY the bar is drawn by
 * `cli-progress`; elsewhere each change is one plain line.
 */
export const progressDisplay = (quiet: boolean): ProgressDisplay => {
  const tty = stderrIsTty()
  let bar: Bar | undefined
  return {
    update: (p) =>
      quiet
        ? Effect.void
        : tty
          ? bar === undefined
            ? Effect.map(startBar(p), (started) => {
                bar = started
              })
            : Effect.sync(() => bar?.update(percentOf(p), barFields(p)))
          : err(
              line`task ${p.asyncTaskId}: ${p.status} ${Math.round(p.percentage)}%${p.totalResults !== undefined ? ` (${p.totalResults} rows)` : ""}`
            ),
    done: Effect.sync(() => {
      bar?.stop()
      bar = undefined
    })
  }
}

/** Formats a byte count: `1.2 MB`. */
export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`
  const units = ["KB", "MB", "GB", "TB"]
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}
