import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { afterAll, beforeAll } from "vitest"
import { Destination } from "../src/index.js"
import { expectCreateOnly, localFile } from "./delivery.js"
import { deliverOneRun } from "./env.js"
import { type RunningSftp, startSftp } from "./sftp-server.js"

describe("sftp: destination (an in-process SSH server)", () => {
  let server: RunningSftp
  beforeAll(async () => {
    server = await startSftp()
  })
  afterAll(() => server.close())

  const options = (extra: Partial<Destination.Options["sftp"]> = {}): Destination.Options => ({
    sftp: { privateKeyFile: server.keyFile, knownHostsFile: server.knownHosts, ...extra }
  })
  const uri = () => `sftp://drop@127.0.0.1:${server.port}/drop/`

  it.effect(
    "delivers create-only with a key file and a known host: 0600 file, 0700 folders, once; the same file again accepted, another refused",
    () =>
      Effect.gen(function* () {
        const destination = yield* Destination.openWith(options())(uri())
        const file = localFile("a,b\n1,2\n")
        const delivered = yield* destination.deliver("weekly/2026-03-30T05-00-00Z/customers.csv", file)
        expect(delivered).toMatchObject({ alreadyThere: false, bytes: file.bytes, sha256: file.sha256 })
        expect(delivered.location).toBe(`${uri()}weekly/2026-03-30T05-00-00Z/customers.csv`)
        const target = join(server.root, "drop", "weekly", "2026-03-30T05-00-00Z", "customers.csv")
        expect(readFileSync(target, "utf8")).toBe("a,b\n1,2\n")
        expect(statSync(target).mode & 0o777).toBe(0o600)
        expect(statSync(join(server.root, "drop", "weekly")).mode & 0o777).toBe(0o700)
        yield* expectCreateOnly(destination, "weekly/2026-03-30T05-00-00Z/customers.csv", file)
        expect(readFileSync(target, "utf8")).toBe("a,b\n1,2\n")
        expect(readdirSync(join(server.root, "drop", "weekly", "2026-03-30T05-00-00Z"))).toEqual([
          "customers.csv"
        ])
        expect(yield* destination.check).toContain("writable")
      })
  )

  it.effect(
    "refuses a server whose host key is not the known one, or not known at all, before sending anything",
    () =>
      Effect.gen(function* () {
        const before = server.logins()
        for (const knownHostsFile of [server.wrongKnownHosts, join(tmpdir(), "no-such-known-hosts")]) {
          const destination = yield* Destination.openWith(options({ knownHostsFile }))(uri())
          const result = yield* Effect.either(destination.deliver("x/y.csv", localFile("x\n")))
          expect(Either.isLeft(result) && result.left.reason).toBe("denied")
        }
        expect(server.logins()).toBe(before)
        expect(readdirSync(server.root).includes("x")).toBe(false)
      })
  )

  it.effect("refuses a key the server does not accept, a key file others can read, and no key at all", () =>
    Effect.gen(function* () {
      const readable = join(mkdtempSync(join(tmpdir(), "sftp-key-")), "id")
      writeFileSync(readable, readFileSync(server.keyFile))
      chmodSync(readable, 0o644)
      for (const sftp of [
        { privateKeyFile: server.otherKeyFile },
        { privateKeyFile: readable },
        { privateKeyFile: undefined, agent: undefined }
      ]) {
        const destination = yield* Destination.openWith(options(sftp))(uri())
        const result = yield* Effect.either(destination.deliver("z/y.csv", localFile("x\n")))
        expect(Either.isLeft(result) && result.left.reason).toBe("denied")
      }
    })
  )

  it.effect(
    "check (booster doctor): passes for a known host, an accepted key and a writable folder, leaving no file; fails for an unknown host key or a refused key",
    () =>
      Effect.gen(function* () {
        const destination = yield* Destination.openWith(options())(
          `sftp://drop@127.0.0.1:${server.port}/checked/`
        )
        expect(yield* destination.check).toBe(
          `sftp://drop@127.0.0.1:${server.port}/checked/ is reachable, its host key known, and writable`
        )
        expect(readdirSync(join(server.root, "checked"))).toEqual([])
        for (const extra of [
          { knownHostsFile: server.wrongKnownHosts },
          { privateKeyFile: server.otherKeyFile }
        ]) {
          const refused = yield* Destination.openWith(options(extra))(uri())
          const result = yield* Effect.either(refused.check)
          expect(Either.isLeft(result) && result.left.reason).toBe("denied")
        }
      })
  )

  it("delivers a scheduled run's file over SFTP", async () => {
    const sb = await Sandbox.start({ customers: 100, taskDurationMs: 0, brands: ["CAR"] })
    try {
      const handled = await deliverOneRun(
        sb,
        { id: "sftp-1", name: "to-sftp", kind: "customers", filter: { brand: "CAR", posCodes: ["ES100"] } },
        uri(),
        options()
      )
      expect(handled).toMatchObject([
        { status: "delivered", outcome: { location: `${uri()}to-sftp/2026-03-30T07-00-00Z/customers.csv` } }
      ])
      expect(
        statSync(join(server.root, "drop", "to-sftp", "2026-03-30T07-00-00Z", "customers.csv")).size
      ).toBe(handled[0]!.outcome!.bytes)
    } finally {
      await sb.close()
    }
  })
})
