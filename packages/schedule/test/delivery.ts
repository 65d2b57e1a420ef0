/** Helpers of the destination tests (they use vitest's expect: not for the race fixture's processes). */
import { createHash } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either } from "effect"
import { expect } from "vitest"
import type { Destination } from "../src/index.js"

/** A local file of `text` as a destination takes it (path, size, SHA-256), in a fresh folder. */
export const localFile = (text: string): Destination.LocalFile => {
  const path = join(mkdtempSync(join(tmpdir(), "sched-work-")), "file.csv")
  writeFileSync(path, text)
  return { path, bytes: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex") }
}

/** Create-only: the same file again under `name` is accepted as already there, another one refused. */
export const expectCreateOnly = (
  destination: Destination.Destination,
  name: string,
  file: Destination.LocalFile
) =>
  Effect.gen(function* () {
    expect((yield* destination.deliver(name, file)).alreadyThere).toBe(true)
    const other = yield* Effect.either(destination.deliver(name, localFile("x\n")))
    expect(Either.isLeft(other) && other.left.reason).toBe("exists")
  })
