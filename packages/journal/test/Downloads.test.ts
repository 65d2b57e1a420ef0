import { appendFile, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { temporaryFolders } from "../../transport/test/files.js"
import { Downloads, Journal } from "../src/index.js"

const tempDir = temporaryFolders("booster-downloads-")
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

describe("Downloads", () => {
  it("reads the downloads of the local journal file as this install's own, each download once", async () => {
    const directory = await tempDir()
    const journal = Journal.make(directory)
    const own = Downloads.make(directory)
    // an older version's download: in the journal file only
    await run(
      journal.append({
        at: "2026-01-01T00:00:00.000Z",
        source: "cli",
        event: "downloaded",
        asyncTaskId: "old",
        file: "/exports/old.csv",
        bytes: 1,
        sha256: "aa"
      })
    )
    // a start names no file; another event about a file is not a download
    await run(journal.append({ source: "cli", event: "started", asyncTaskId: "new" }))
    // this version's download: in both
    const at = "2026-02-01T00:00:00.000Z"
    const download = { asyncTaskId: "new", file: "/exports/new.csv", bytes: 2, sha256: "bb" }
    await run(journal.append({ at, source: "mcp", event: "downloaded", ...download }))
    await run(own.append({ at, source: "mcp", event: "downloaded", folder: "/exports", ...download }))
    await run(own.append({ event: "deleted", asyncTaskId: "new", file: "/exports/new.csv" }))

    const entries = await run(own.entries)
    expect(entries.map((entry) => [entry.event, entry.file, entry.folder])).toEqual([
      ["downloaded", "/exports/old.csv", undefined],
      ["downloaded", "/exports/new.csv", "/exports"],
      ["deleted", "/exports/new.csv", undefined]
    ])
  })

  it("skips lines it cannot read and keeps a torn last line apart from the next one", async () => {
    const directory = await tempDir()
    const own = Downloads.make(directory)
    await run(own.append({ event: "downloaded", asyncTaskId: "a", file: "/x/a.csv" }))
    await appendFile(own.location, '{"at":"2026-01-01T00:00:00.000Z","event":"downl')
    await run(own.append({ event: "downloaded", asyncTaskId: "b", file: "/x/b.csv" }))
    expect((await readFile(own.location, "utf8")).split("\n")).toHaveLength(4)
    expect((await run(own.entries)).map((entry) => entry.asyncTaskId)).toEqual(["a", "b"])
    await writeFile(join(directory, Journal.FILE), "not json\n")
    expect(await run(own.entries)).toHaveLength(2)
  })

  it("fails with the path and the system's error code when the record cannot be written", async () => {
    const directory = await tempDir()
    const blocked = join(directory, "a-file")
    await writeFile(blocked, "")
    const error = await run(
      Effect.flip(Downloads.make(blocked).append({ event: "downloaded", asyncTaskId: "a", file: "/x" }))
    )
    expect(error).toMatchObject({ _tag: "JournalError", path: join(blocked, Downloads.FILE), code: "EEXIST" })
  })
})
