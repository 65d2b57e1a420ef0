import { execFile } from "node:child_process"
import { chmod, readdir, readFile, stat, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { promisify } from "node:util"
import { Fingerprint } from "@booster-export/core"
import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { Auth, BoosterClient, FingerprintKey } from "../src/index.js"
import { bundleFixture, raceAtGate, temporaryFolders } from "./files.js"

const tempDir = temporaryFolders("booster-key-")

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

/** The fingerprint the client reports for `filter` with the key of the install in `stateHome`. */
const fingerprintOf = (stateHome: string, filter: BoosterClient.ExportInput) =>
  run(
    Effect.gen(function* () {
      const { key } = yield* FingerprintKey.load({ env: { XDG_STATE_HOME: stateHome } })
      const client = yield* BoosterClient.make({
        baseUrl: "https://booster.example.com/api",
        auth: Auth.bearer("k"),
        fingerprintKey: key
      })
      return (yield* client.dryRun(filter)).fingerprint
    }).pipe(Effect.provide(BoosterClient.httpLayer))
  )

const filter = { brand: "CAR", posCodes: ["ES100", "IT200"], email: "ada@example.com" }

describe("FingerprintKey", () => {
  it("gives two installs different fingerprints for the same filter", async () => {
    const [a, b] = [await tempDir(), await tempDir()]
    const first = await fingerprintOf(a, filter)
    expect(first).toMatch(/^hmac-sha256:[0-9a-f]{64}$/)
    expect(await fingerprintOf(b, filter)).not.toBe(first)
  })

  it("gives one install one fingerprint per filter, however it is written, and one per email", async () => {
    const home = await tempDir()
    const first = await fingerprintOf(home, filter)
    expect(
      await fingerprintOf(home, {
        posCodes: [" IT200", "ES100", "ES100"],
        brand: "CAR ",
        email: "ADA@example.com"
      })
    ).toBe(first)
    expect(await fingerprintOf(home, { ...filter, email: "grace@example.com" })).not.toBe(first)
  })

  it("creates 32 random bytes with mode 0600 in a 0700 folder beside the journal, once", async () => {
    const home = await tempDir()
    const loaded = await run(FingerprintKey.load({ env: { XDG_STATE_HOME: home } }))
    const directory = join(home, "booster-export")
    expect(loaded).toMatchObject({ path: join(directory, "fingerprint.key"), origin: "install" })
    expect((await stat(loaded.path)).mode & 0o777).toBe(0o600)
    expect((await stat(directory)).mode & 0o777).toBe(0o700)
    expect((await readFile(loaded.path)).length).toBe(32)
    expect(await readdir(directory)).toEqual(["fingerprint.key"])
    const again = await run(FingerprintKey.load({ env: { XDG_STATE_HOME: home } }))
    expect(Fingerprint.fingerprint(again.key, filter)).toBe(Fingerprint.fingerprint(loaded.key, filter))
  })

  it("uses the key file named by BOOSTER_FINGERPRINT_KEY_FILE, so that machines can share fingerprints", async () => {
    const file = join(await tempDir(), "team.key")
    await writeFile(file, "a shared team key of at least 32 bytes", { mode: 0o600 })
    const env = (home: string) => ({ XDG_STATE_HOME: home, BOOSTER_FINGERPRINT_KEY_FILE: file })
    const [a, b] = await Promise.all([
      run(FingerprintKey.load({ env: env(dirname(file)) })),
      run(FingerprintKey.load({ env: env(await tempDir()) }))
    ])
    expect(a).toMatchObject({ path: file, origin: "file" })
    expect(Fingerprint.fingerprint(a.key, filter)).toBe(Fingerprint.fingerprint(b.key, filter))
    expect(await readdir(dirname(file))).toEqual(["team.key"])
  })

  const refusal = async (content: string, mode: number) => {
    const file = join(await tempDir(), "team.key")
    await writeFile(file, content)
    await chmod(file, mode)
    const result = await run(
      Effect.either(FingerprintKey.load({ env: { BOOSTER_FINGERPRINT_KEY_FILE: file } }))
    )
    if (Either.isRight(result)) throw new Error("the key file was accepted")
    expect(result.left._tag).toBe("InvalidConfigError")
    expect(result.left.field).toBe("BOOSTER_FINGERPRINT_KEY_FILE")
    expect(result.left.message).toContain("BOOSTER_FINGERPRINT_KEY_FILE")
    expect(result.left.message).toContain(file)
    expect(`${result.left.message} ${result.left.hint}`).not.toContain(content)
    return result.left
  }

  it("refuses a key file other users can read, naming the variable and never the content", async () => {
    const secret = "a world-readable secret of at least 32 bytes"
    expect((await refusal(secret, 0o644)).message).toContain("other users")
    expect((await refusal(secret, 0o640)).message).toContain("other users")
    expect((await refusal("short secret", 0o600)).message).toContain("too short")
  })

  it("refuses an existing per-install key that others can read", async () => {
    const home = await tempDir()
    const loaded = await run(FingerprintKey.load({ env: { XDG_STATE_HOME: home } }))
    await chmod(loaded.path, 0o644)
    const result = await run(Effect.either(FingerprintKey.load({ env: { XDG_STATE_HOME: home } })))
    expect(Either.isLeft(result) && result.left.message).toContain("other users")
  })

  it("gives processes creating the key at the same instant one and the same key", async () => {
    const directory = join(await tempDir(), "booster-export")
    const script = await bundleFixture(new URL("./fixtures/key-race.ts", import.meta.url), await tempDir())
    const gate = await tempDir()
    const prints = await raceAtGate(gate, 6, () =>
      promisify(execFile)(process.execPath, [script, directory, gate], { encoding: "utf8" }).then((out) =>
        out.stdout.trim()
      )
    )
    expect(prints[0]).toMatch(/^hmac-sha256:/)
    expect(new Set(prints).size).toBe(1)
    expect(await readdir(directory)).toEqual(["fingerprint.key"])
  }, 60_000)
})
