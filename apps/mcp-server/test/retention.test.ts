import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Journal from "@booster-export/journal/Journal"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { connectStdio, readJournal, serverEnv, tempDirs } from "./harness.js"

let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanup.map((f) => f()))
  cleanup = []
})

const DAY = 86_400_000

describe("retention in booster-mcp", () => {
  it("purges expired downloads at start, records each deletion, and leaves a changed file in place", async () => {
    const dirs = await tempDirs()
    cleanup.push(dirs.remove)
    await mkdir(dirs.exportDir, { recursive: true })
    const journal = Journal.make(join(dirs.stateHome, "booster-export"))
    const download = async (name: string, content: string, expiresInDays: number) => {
      const path = join(dirs.exportDir, name)
      await writeFile(path, content)
      await Effect.runPromise(
        journal.append({
          at: new Date(Date.now() - 40 * DAY).toISOString(),
          source: "mcp",
          event: "downloaded",
          asyncTaskId: name,
          file: path,
          bytes: Buffer.byteLength(content),
          sha256: createHash("sha256").update(content).digest("hex"),
          expiresAt: new Date(Date.now() + expiresInDays * DAY).toISOString()
        })
      )
      return path
    }
    const expired = await download("expired.csv", "a\n1\n", -1)
    const kept = await download("kept.csv", "a\n2\n", 5)
    const changed = await download("changed.csv", "a\n3\n", -1)
    await writeFile(changed, "a\n4\n")

    const server = await connectStdio([], serverEnv(dirs))
    cleanup.push(server.close)
    const deadline = Date.now() + 30_000
    while (existsSync(expired) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(existsSync(expired)).toBe(false)
    while (!server.stderr().includes("changed.csv") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(server.stderr()).toContain(`${changed} changed since its download; left in place`)
    expect(await readFile(kept, "utf8")).toBe("a\n2\n")
    expect(await readFile(changed, "utf8")).toBe("a\n4\n")
    const lines = await readJournal(dirs.journal)
    const deleted = lines.filter((line) => line.event === "deleted")
    expect(deleted).toEqual([
      expect.objectContaining({ source: "mcp", file: expired, asyncTaskId: "expired.csv" })
    ])
  })
})
