import { chmod, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { temporaryFolders } from "../../transport/test/files.js"
import { AuditTrail, Checkpoint, Journal } from "../src/index.js"
import { fill } from "./tamper.js"

const tempDir = temporaryFolders("booster-checkpoint-")
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

const setUp = async () => {
  const state = await tempDir()
  const folder = join(await tempDir(), "checkpoints")
  const journal = Journal.make(state)
  const key = await run(Checkpoint.loadKey({ env: {}, directory: state }))
  const take = () => run(Checkpoint.take(journal, { folder, key }))
  const check = async () => run(Checkpoint.verify(folder, await run(journal.trail)))
  return { state, folder, journal, key, take, check }
}

describe("signed checkpoints of the file journal", () => {
  it("signs the head with a per-install Ed25519 key, 0600 files in a 0700 folder, each linked to the one before", async () => {
    const { state, folder, journal, key, take, check } = await setUp()
    await fill(journal)
    const first = await take()
    expect(first.checkpoint).toMatchObject({
      version: 1,
      seq: 5,
      journal: journal.path,
      previous: null,
      keyId: key.keyId
    })
    await run(journal.append({ source: "cli", event: "started", asyncTaskId: "later" }))
    const second = await take()
    expect(second.checkpoint.previous).toBe(Checkpoint.digestOf(first.checkpoint))
    expect((await stat(folder)).mode & 0o777).toBe(0o700)
    expect((await stat(second.path)).mode & 0o777).toBe(0o600)
    expect((await stat(join(state, Checkpoint.KEY_FILE))).mode & 0o777).toBe(0o600)
    expect(await check()).toMatchObject({ ok: true, checkpoints: 2, keyIds: [key.keyId], newest: { seq: 6 } })
    // the same key next time
    expect((await run(Checkpoint.loadKey({ env: {}, directory: state }))).keyId).toBe(key.keyId)
  })

  it("detects a tail cut off, a trail rewritten whole with valid hashes, a forged signature and a removed checkpoint", async () => {
    const { folder, journal, take, check } = await setUp()
    await fill(journal)
    await take()
    await run(journal.append({ source: "cli", event: "downloaded", asyncTaskId: "task-3", file: "/x.csv" }))
    await take()
    const text = await readFile(journal.path, "utf8")
    const lines = text.split("\n").filter((line) => line !== "")

    // the newest entry removed: the chain alone still verifies, the checkpoint does not
    await writeFile(journal.path, `${lines.slice(0, 5).join("\n")}\n`)
    expect(await run(journal.verify)).toMatchObject({ ok: true, entries: 5 })
    expect(await check()).toMatchObject({ ok: false, problem: "truncated", seq: 6 })

    // entry 3 removed and every later entry relinked: a valid chain, but not the one signed
    let previous: { seq: number; hash: string } | undefined
    const relinked = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.seq !== 3)
      .map(({ seq: _s, prev: _p, hash: _h, ...rest }) => {
        const linked = AuditTrail.link(previous, rest)
        previous = linked
        return JSON.stringify(linked)
      })
    await writeFile(journal.path, `${relinked.join("\n")}\n`)
    expect(await run(journal.verify)).toMatchObject({ ok: true, entries: 5 })
    expect(await check()).toMatchObject({ ok: false, problem: "rewritten", seq: 5 })
    await writeFile(journal.path, text)
    expect(await check()).toMatchObject({ ok: true })

    const files = (await readdir(folder)).sort()
    const newest = join(folder, files[1]!)
    const signed = await readFile(newest, "utf8")
    await writeFile(newest, signed.replace(/"seq": 6/, '"seq": 4'))
    expect(await check()).toMatchObject({ ok: false, problem: "signature" })
    await writeFile(newest, signed)
    const oldest = await readFile(join(folder, files[0]!), "utf8")
    await writeFile(join(folder, files[0]!), "{}")
    expect(await check()).toMatchObject({ ok: false, problem: "unreadable" })
    await writeFile(join(folder, files[0]!), oldest)
    await rm(join(folder, files[0]!))
    expect(await check()).toMatchObject({ ok: false, problem: "removed", seq: 6 })
  })

  it("refuses to sign a broken trail, and a key file others can read", async () => {
    const { state, journal } = await setUp()
    await fill(journal)
    const lines = (await readFile(journal.path, "utf8")).split("\n").filter((line) => line !== "")
    await writeFile(journal.path, `${[lines[0], ...lines.slice(2)].join("\n")}\n`)
    const { folder } = { folder: join(state, "unused") }
    const broken = await run(
      Effect.flip(
        Checkpoint.take(journal, {
          folder,
          key: await run(Checkpoint.loadKey({ env: {}, directory: state }))
        })
      )
    )
    expect(broken).toMatchObject({ _tag: "CheckpointError", reason: "trail" })
    await chmod(join(state, Checkpoint.KEY_FILE), 0o644)
    const refused = await run(Effect.flip(Checkpoint.loadKey({ env: {}, directory: state })))
    expect(refused).toMatchObject({ reason: "key" })
    expect(refused.message).toContain("chmod 600")
    expect(refused.message).not.toContain("PRIVATE KEY")
  })
})
