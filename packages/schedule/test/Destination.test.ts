import { createHash } from "node:crypto"
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { Destination } from "../src/index.js"

const local = (folder: string, text: string) => {
  const path = join(folder, `${createHash("sha256").update(text).digest("hex").slice(0, 8)}.csv`)
  writeFileSync(path, text)
  return { path, bytes: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex") }
}

describe("file: destination", () => {
  it.effect(
    "writes create-only: the file appears complete (0600, folders 0700), once; the same file again is accepted, another refused and left alone",
    () =>
      Effect.gen(function* () {
        const work = mkdtempSync(join(tmpdir(), "dest-work-"))
        const root = join(mkdtempSync(join(tmpdir(), "dest-")), "drop")
        const destination = yield* Destination.open(`file://${root}/`)
        const first = local(work, "a,b\n1,2\n")
        const delivered = yield* destination.deliver("weekly/2026-03-30T05-00-00Z/customers.csv", first)
        const target = join(root, "weekly", "2026-03-30T05-00-00Z", "customers.csv")
        expect(delivered).toEqual({
          location: `file://${target}`,
          bytes: first.bytes,
          sha256: first.sha256,
          alreadyThere: false
        })
        expect(readFileSync(target, "utf8")).toBe("a,b\n1,2\n")
        expect(statSync(target).mode & 0o777).toBe(0o600)
        for (const folder of [root, join(root, "weekly"), join(root, "weekly", "2026-03-30T05-00-00Z")]) {
          expect(statSync(folder).mode & 0o777).toBe(0o700)
        }
        const again = yield* destination.deliver("weekly/2026-03-30T05-00-00Z/customers.csv", first)
        expect(again.alreadyThere).toBe(true)
        const other = yield* Effect.either(
          destination.deliver("weekly/2026-03-30T05-00-00Z/customers.csv", local(work, "a,b\n3,4\n"))
        )
        expect(Either.isLeft(other) && other.left.reason).toBe("exists")
        expect(readFileSync(target, "utf8")).toBe("a,b\n1,2\n")
        // no part file is left beside it
        expect(readdirSync(join(root, "weekly", "2026-03-30T05-00-00Z"))).toEqual(["customers.csv"])
        expect(yield* destination.check).toContain("writable")
      })
  )

  it.effect(
    "check (booster doctor): passes for a folder closed to others that can be written, leaving nothing; fails for a missing folder (not created), a file in its place, a folder open to others",
    () =>
      Effect.gen(function* () {
        const base = mkdtempSync(join(tmpdir(), "dest-check-"))
        const good = yield* Destination.open(`file://${base}/`)
        expect(yield* good.check).toBe(`file://${base}/ is writable (mode 0700)`)
        expect(readdirSync(base)).toEqual([])
        const missing = yield* Destination.open(`file://${base}/missing/`)
        const gone = yield* Effect.either(missing.check)
        expect(Either.isLeft(gone) && gone.left.reason).toBe("unreachable")
        expect(existsSync(join(base, "missing"))).toBe(false)
        writeFileSync(join(base, "a-file"), "x")
        const blocked = yield* Effect.either((yield* Destination.open(`file://${base}/a-file/`)).check)
        expect(Either.isLeft(blocked) && blocked.left.reason).toBe("io")
        mkdirSync(join(base, "open"), { mode: 0o755 })
        chmodSync(join(base, "open"), 0o755)
        const open = yield* Effect.either((yield* Destination.open(`file://${base}/open/`)).check)
        expect(Either.isLeft(open) && open.left.reason).toBe("denied")
        expect(Either.isLeft(open) && open.left.message).toContain("mode 0755")
        expect(readdirSync(join(base, "open"))).toEqual([])
      })
  )

  it.effect("refuses names that climb out of the folder", () =>
    Effect.gen(function* () {
      const work = mkdtempSync(join(tmpdir(), "dest-work-"))
      const destination = yield* Destination.open(`file://${mkdtempSync(join(tmpdir(), "dest-"))}/`)
      for (const name of ["../x.csv", "a/../../x.csv", "/etc/x.csv", "a//b.csv"]) {
        const result = yield* Effect.either(destination.deliver(name, local(work, "x\n")))
        expect(Either.isLeft(result) && result.left.reason).toBe("invalid")
      }
    })
  )

  it.effect(
    "refuses a URI with a password, an unknown scheme, a remote file: host or no URI at all, without repeating the password",
    () =>
      Effect.gen(function* () {
        for (const uri of [
          "sftp://me:hunter2@example.com/x",
          "ftp://example.com/x",
          "file://server/share/",
          "not a uri"
        ]) {
          const result = yield* Effect.either(Destination.parse(uri))
          expect(Either.isLeft(result)).toBe(true)
          if (Either.isLeft(result)) expect(result.left.message).not.toContain("hunter2")
        }
      })
  )
})
