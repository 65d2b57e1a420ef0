import { execFile } from "node:child_process"
import { readdir, readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { it as plain } from "vitest"
import { bundleFixture, raceAtGate, temporaryFolders } from "../../transport/test/files.js"
import { ConsentTokens } from "../src/index.js"

const tempDir = temporaryFolders("booster-consent-")

/** The rules every store keeps, on the test clock. */
const rules = (tokens: ConsentTokens.Service) =>
  Effect.gen(function* () {
    const issue = (token: string, ttlMs = 60_000) =>
      tokens.issue({ token, kind: "confirmation", fingerprint: "fp-1", ttlMs })
    const redeem = (token: string, fingerprint = "fp-1", kind = "confirmation") =>
      tokens.redeem({ token, kind, fingerprint })

    expect(yield* issue("t1")).toBe(60_000)
    // another filter or another kind: refused, and the token stays usable for its own
    expect(yield* redeem("t1", "fp-2")).toBe("other-filter")
    expect(yield* redeem("t1", "fp-1", "question")).toBe("unknown")
    expect(yield* redeem("never-issued")).toBe("unknown")
    expect(yield* redeem("t1")).toBeUndefined()
    expect(yield* redeem("t1")).toBe("used")

    yield* issue("t2", 1_000)
    yield* TestClock.adjust("1 second")
    expect(yield* redeem("t2")).toBe("expired")
    // forgotten once expired for longer than its validity, when the next one is issued
    yield* TestClock.adjust("2 seconds")
    yield* issue("t3", 1_000)
    expect(yield* redeem("t2")).toBe("unknown")
    expect(yield* redeem("t3")).toBeUndefined()
  })

describe("ConsentTokens.makeMemory", () => {
  it.effect("redeems a token once, for its kind and fingerprint, until it expires", () =>
    rules(ConsentTokens.makeMemory())
  )
})

describe("ConsentTokens.makeFile", () => {
  it.effect("redeems a token once, for its kind and fingerprint, until it expires", () =>
    Effect.flatMap(
      Effect.promise(() => tempDir()),
      (directory) => rules(ConsentTokens.makeFile(directory))
    )
  )

  plain(
    "keeps a token for another process (a restarted server): hashed, in a private file, used once",
    async () => {
      const directory = await tempDir()
      const token = "bxc_secret-token-value"
      await Effect.runPromise(
        ConsentTokens.makeFile(directory).issue({
          token,
          kind: "confirmation",
          fingerprint: "fp",
          ttlMs: 60_000
        })
      )
      const path = join(directory, ConsentTokens.FILE)
      expect((await stat(path)).mode & 0o777).toBe(0o600)
      expect((await stat(directory)).mode & 0o777).toBe(0o700)
      expect(await readFile(path, "utf8")).not.toContain(token)

      // a new store over the same folder, as a new process has
      const again = ConsentTokens.makeFile(directory)
      const redeem = () => Effect.runPromise(again.redeem({ token, kind: "confirmation", fingerprint: "fp" }))
      expect(await redeem()).toBeUndefined()
      expect(await redeem()).toBe("used")
      expect(
        await Effect.runPromise(
          ConsentTokens.makeFile(directory).redeem({ token, kind: "confirmation", fingerprint: "fp" })
        )
      ).toBe("used")
      expect((await readdir(directory)).sort()).toEqual([ConsentTokens.FILE, "locks"])
      expect(await readdir(join(directory, "locks"))).toEqual([])
    }
  )

  plain("refuses every token of a file it cannot read as tokens, and keeps working", async () => {
    const directory = await tempDir()
    const tokens = ConsentTokens.makeFile(directory)
    await Effect.runPromise(
      tokens.issue({ token: "t", kind: "confirmation", fingerprint: "fp", ttlMs: 60_000 })
    )
    await writeFile(join(directory, ConsentTokens.FILE), '{"tokens": {"torn', { mode: 0o600 })
    expect(
      await Effect.runPromise(tokens.redeem({ token: "t", kind: "confirmation", fingerprint: "fp" }))
    ).toBe("unknown")
    await Effect.runPromise(
      tokens.issue({ token: "u", kind: "confirmation", fingerprint: "fp", ttlMs: 60_000 })
    )
    expect(
      await Effect.runPromise(tokens.redeem({ token: "u", kind: "confirmation", fingerprint: "fp" }))
    ).toBeUndefined()
  })

  plain("fails with JournalError naming the file when its folder cannot be written", async () => {
    const parent = await tempDir()
    const blocked = join(parent, "file-not-folder")
    await writeFile(blocked, "")
    const failed = await Effect.runPromise(
      Effect.flip(
        ConsentTokens.makeFile(join(blocked, "state")).issue({
          token: "t",
          kind: "confirmation",
          fingerprint: "fp",
          ttlMs: 60_000
        })
      )
    )
    expect(failed._tag).toBe("JournalError")
    expect(failed.message).toContain(blocked)
    expect(failed.message).not.toContain('"t"')
  })

  plain(
    "lets one of several processes redeeming the same token at the same instant have it",
    async () => {
      const directory = await tempDir()
      const gate = await tempDir()
      const script = await bundleFixture(
        new URL("./fixtures/redeem-race.ts", import.meta.url),
        await tempDir()
      )
      await Effect.runPromise(
        ConsentTokens.makeFile(directory).issue({
          token: "raced",
          kind: "confirmation",
          fingerprint: "fp",
          ttlMs: 60_000
        })
      )
      const outcomes = (
        await raceAtGate(gate, 6, () =>
          promisify(execFile)(process.execPath, [script, directory, "raced", "fp", gate], {
            encoding: "utf8"
          }).then((out) => out.stdout.trim())
        )
      ).sort()
      expect(outcomes).toEqual(["redeemed", "used", "used", "used", "used", "used"])
    },
    60_000
  )
})
