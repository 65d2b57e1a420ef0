/**
 * Writing to the terminal: data on stdout, messages and progress on stderr; colour only on a TTY and
 * without `NO_COLOR`; a progress bar on a TTY, plain lines otherwise.
 */

import * as Scrub from "@booster-export/transport/Scrub"
import { Effect } from "effect"
import * as Sanitize from "./sanitize.js"

/** True when stderr is a terminal. */
export const stderrIsTty = (): boolean => process.stderr.isTTY === true

/** True when a person can answer a question: stdin and stderr are terminals. */
export const canPrompt = (): boolean => process.stdin.isTTY === true && process.stderr.isTTY === true

/** True when colour may be used on stderr. */
export const useColor = (): boolean =>
  stderrIsTty() &&
  (process.env.NO_COLOR === undefined || process.env.NO_COLOR === "") &&
  process.env.TERM !== "dumb"

const paint = (code: string, text: string) => (useColor() ? `\u001b[${code}m${text}\u001b[0m` : text)

/** Bold text (on a colour terminal). */
export const bold = (text: string): string => paint("1", text)
/** Dim text (on a colour terminal). */
export const dim = (text: string): string => paint("2", text)
/** Green text (on a colour terminal). */
export const green = (text: string): string => paint("32", text)
/** Red text (on a colour terminal). */
export const red = (text: string): string => paint("31", text)
/** Yellow text (on a colour terminal). */
export const yellow = (text: string): string => paint("33", text)

/** Writes a line to stdout. */
export const out = (line: string): Effect.Effect<void> =>
  Effect.sync(() => void process.stdout.write(`${line}\n`))

/** Writes a line to stderr. */
export const err = (line: string): Effect.Effect<void> =>
  Effect.sync(() => void process.stderr.write(`${line}\n`))

/**
 * Writes a JSON value as one line to stdout: control characters removed from every string and
 * presigned URLs (`signedDownloadUrl`) with their signature redacted.
 */
export const json = (value: unknown): Effect.Effect<void> => out(JSON.stringify(Sanitize.forJson(value)))

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
          : Effect.sync(
              () =>
                void process.stderr.write(
                  `task ${p.asyncTaskId}: ${Scrub.line(p.status)} ${Math.round(p.percentage)}%${p.totalResults !== undefined ? ` (${p.totalResults} rows)` : ""}\n`
                )
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
