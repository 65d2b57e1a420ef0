import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { isStart, Journal, parseLines } from "../src/journal/journal.js"
import { tempDirs } from "./harness.js"

let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined

afterEach(async () => {
  await dirs?.remove()
  dirs = undefined
})

describe("journal", () => {
  it("skips lines it cannot read and keeps members it knows", () => {
    const entries = parseLines(
      [
        '{"at":"2026-01-01T00:00:00.000Z","source":"cli","asyncTaskId":"a","fingerprint":"sha256:1","extra":true}',
        "{torn",
        '{"at":"2026-01-01T00:00:01.000Z"}',
        "[]",
        '{"at":"2026-01-01T00:00:02.000Z","event":"downloaded","asyncTaskId":"a","file":"/x","bytes":3}',
        ""
      ].join("\n")
    )
    expect(entries).toEqual([
      { at: "2026-01-01T00:00:00.000Z", source: "cli", asyncTaskId: "a", fingerprint: "sha256:1" },
      { at: "2026-01-01T00:00:02.000Z", event: "downloaded", asyncTaskId: "a", file: "/x", bytes: 3 }
    ])
    expect(entries.map(isStart)).toEqual([true, false])
  })

  it("appends lines with private permissions and reads its own file and the command line's, oldest first", async () => {
    dirs = await tempDirs()
    const directory = join(dirs.stateHome, "booster-export")
    const journal = Journal.make(directory)
    await Effect.runPromise(
      journal.append({ at: "2026-01-01T00:00:05.000Z", source: "mcp", asyncTaskId: "m" })
    )
    await mkdir(directory, { recursive: true })
    await writeFile(
      join(directory, "history.jsonl"),
      '{"at":"2026-01-01T00:00:01.000Z","event":"started","asyncTaskId":"c"}\n'
    )
    const entries = await Effect.runPromise(journal.entries)
    expect(entries.map((entry) => entry.asyncTaskId)).toEqual(["c", "m"])
    expect(await readFile(journal.path, "utf8")).toBe(
      '{"at":"2026-01-01T00:00:05.000Z","source":"mcp","asyncTaskId":"m"}\n'
    )
    const { stat } = await import("node:fs/promises")
    expect((await stat(journal.path)).mode & 0o777).toBe(0o600)
    expect((await stat(directory)).mode & 0o777).toBe(0o700)
  })

  it("reads an absent journal as empty", async () => {
    dirs = await tempDirs()
    const entries = await Effect.runPromise(Journal.make(join(dirs.root, "nowhere")).entries)
    expect(entries).toEqual([])
  })
})
