/**
 * The words shell completion offers that only this machine knows: the names of the saved filters
 * and the ids of recent tasks from the local journal. `booster __complete filters|tasks` prints
 * them, one a line, and is answered by the launcher without loading the program, so that a Tab
 * press stays quick. Neither holds personal data; a word that could carry anything else (control
 * characters, spaces, shell syntax) is skipped, and any error prints nothing.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import * as StateDirectory from "@booster-export/transport/StateDirectory"

type Env = Readonly<Record<string, string | undefined>>

/** At most this many task ids are offered, newest first. */
export const RECENT_TASKS = 20

/** Only the end of a journal file is read (the newest lines are at its end). */
const TAIL_BYTES = 256 * 1024

/**
 * A word safe to hand to a shell's completion: letters, digits, `.`, `_`, `-` (a saved filter's
 * name, a task id), no more than 128 characters. Anything else is skipped, never cleaned up.
 */
const WORD = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

const isWord = (value: unknown): value is string => typeof value === "string" && WORD.test(value)

/**
 * The saved filters file, `$XDG_CONFIG_HOME/booster-export/filters.json` (`Paths.filtersFile`),
 * found here without transport's `Profiles`, which would bring Effect into the launcher.
 */
const filtersFile = (env: Env): string => {
  const configHome = env.XDG_CONFIG_HOME?.trim()
  return join(configHome || join(env.HOME?.trim() || homedir(), ".config"), "booster-export", "filters.json")
}

/** The names of the saved filters, in the order of the file; none when it is absent or unreadable. */
export const filterNames = (env: Env = process.env): ReadonlyArray<string> => {
  try {
    const file: unknown = JSON.parse(readFileSync(filtersFile(env), "utf8"))
    const filters =
      typeof file === "object" && file !== null ? (file as { filters?: unknown }).filters : undefined
    if (typeof filters !== "object" || filters === null || Array.isArray(filters)) return []
    return Object.keys(filters).filter(isWord)
  } catch {
    return []
  }
}

/** The whole lines at the end of a file (at most {@link TAIL_BYTES}); none when it cannot be read. */
const lastLines = (path: string): ReadonlyArray<string> => {
  let fd: number | undefined
  try {
    fd = openSync(path, "r")
    const size = fstatSync(fd).size
    const length = Math.min(size, TAIL_BYTES)
    const buffer = Buffer.alloc(length)
    const read = readSync(fd, buffer, 0, length, size - length)
    const lines = buffer.subarray(0, read).toString("utf8").split("\n")
    // the first line of a cut read is a piece of a line
    return length < size ? lines.slice(1) : lines
  } catch {
    return []
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * The ids of the tasks the local journal (`journal.jsonl`) and this install's record of starts
 * (`starts.jsonl`) name last, newest first, each once, at most {@link RECENT_TASKS}.
 */
export const recentTaskIds = (env: Env = process.env): ReadonlyArray<string> => {
  const folder = StateDirectory.resolve(env)
  const seen: Array<{ readonly id: string; readonly at: string }> = []
  for (const file of ["journal.jsonl", "starts.jsonl"]) {
    for (const line of lastLines(join(folder, file))) {
      if (!line.includes("asyncTaskId")) continue
      try {
        const entry: unknown = JSON.parse(line)
        if (typeof entry !== "object" || entry === null) continue
        const { asyncTaskId, at } = entry as { asyncTaskId?: unknown; at?: unknown }
        if (isWord(asyncTaskId) && typeof at === "string") seen.push({ id: asyncTaskId, at })
      } catch {
        // a line cut short or not JSON: skipped
      }
    }
  }
  const newest = new Map<string, string>()
  for (const { at, id } of seen) {
    const known = newest.get(id)
    if (known === undefined || at > known) newest.set(id, at)
  }
  return [...newest]
    .sort(([, a], [, b]) => (a < b ? 1 : a > b ? -1 : 0))
    .slice(0, RECENT_TASKS)
    .map(([id]) => id)
}

/**
 * Answers `booster __complete WHAT`: the words for `filters` or `tasks`, one a line; nothing for
 * anything else, and nothing on any error.
 */
export const print = (what: string | undefined, env: Env = process.env): void => {
  try {
    const words = what === "filters" ? filterNames(env) : what === "tasks" ? recentTaskIds(env) : []
    if (words.length > 0) process.stdout.write(`${words.join("\n")}\n`)
  } catch {
    // completion never fails loudly
  }
}
