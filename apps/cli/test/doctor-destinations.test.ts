import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { Engine, ScheduleStore } from "@booster-export/schedule"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningSftp, startSftp } from "../../../packages/schedule/test/sftp-server.js"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

let sandbox: Sandbox.RunningSandbox
let sftp: RunningSftp
beforeAll(async () => {
  ensureBuilt()
  ;[sandbox, sftp] = await Promise.all([Sandbox.start({ customers: 20 }), startSftp()])
}, 120_000)
afterAll(() => Promise.all([sandbox?.close(), sftp?.close()]))

type Check = { name: string; status: string; summary: string; hint?: string }

const schedule = (name: string, destination: string) => ({
  id: `doctor-${name}`,
  name,
  kind: "customers",
  filter: { brand: "CAR", posCodes: ["ES100"] },
  cron: "0 7 * * MON",
  timeZone: "Europe/Paris",
  destination,
  catchUp: "latest" as const,
  paused: false,
  createdAt: "2026-03-20T00:00:00.000Z"
})

/** A home whose schedule store holds schedules to the given destinations, as `booster schedule add` leaves it. */
const homeWith = async (destinations: Record<string, string>) => {
  const home = freshHome()
  const folder = join(home.root, "state", "booster-export")
  mkdirSync(folder, { recursive: true, mode: 0o700 })
  await Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* ScheduleStore.ScheduleStore
      for (const [name, to] of Object.entries(destinations)) yield* store.add(schedule(name, to))
    }).pipe(
      Effect.provide(
        ScheduleStore.layer.pipe(Layer.provide(Engine.sqlite(join(folder, ScheduleStore.SQLITE_FILE))))
      )
    )
  )
  // as the store's files are kept (the journal's check reads every file of the state folder)
  for (const file of readdirSync(folder)) chmodSync(join(folder, file), 0o600)
  return {
    home,
    env: {
      ...home.env,
      BOOSTER_BASE_URL: sandbox.baseUrl,
      BOOSTER_API_KEY: sandbox.apiKey,
      BOOSTER_SFTP_KEY_FILE: sftp.keyFile,
      BOOSTER_SFTP_KNOWN_HOSTS: sftp.knownHosts
    }
  }
}

const schedulesOf = (stdout: string) =>
  (parseJson(stdout).checks as Array<Check>).filter((check) => check.name.startsWith("schedule"))

describe("booster doctor and the schedules' destinations", () => {
  it("checks each schedule's destination on a line of its own: a folder and an SFTP server that pass, leaving nothing behind (exit 0)", async () => {
    const home = freshHome()
    const out = join(home.root, "drop")
    mkdirSync(out, { mode: 0o700 })
    const { env: withSchedules } = await homeWith({
      local: `file://${out}/`,
      remote: `sftp://drop@127.0.0.1:${sftp.port}/doctor/`
    })
    const result = await booster(["doctor", "--json"], {
      env: { ...withSchedules, BOOSTER_EXPORT_DIR: home.root }
    })
    expect(result.code).toBe(0)
    expect(schedulesOf(result.stdout)).toEqual([
      { name: "schedule:local", status: "pass", summary: `file://${out}/ is writable (mode 0700)` },
      {
        name: "schedule:remote",
        status: "pass",
        summary: `sftp://127.0.0.1:${sftp.port}/doctor/ is reachable, its host key known, and writable`
      }
    ])
    expect(readdirSync(out)).toEqual([])
    expect(readdirSync(join(sftp.root, "doctor"))).toEqual([])
    expect(result.stdout).not.toContain("drop@")
    // without schedules, no line and no store is created
    const bare = freshHome()
    const none = await booster(["doctor", "--json"], {
      env: { ...bare.env, BOOSTER_BASE_URL: sandbox.baseUrl, BOOSTER_API_KEY: sandbox.apiKey }
    })
    expect(none.code).toBe(0)
    expect(schedulesOf(none.stdout)).toEqual([])
    expect(existsSync(join(bare.root, "state", "booster-export", ScheduleStore.SQLITE_FILE))).toBe(false)
  })

  it("fails a missing folder (not created), a file in the folder's place, a folder open to others, and an SFTP server whose host key is unknown, each with a hint (exit 1)", async () => {
    const { home, env } = await homeWith({})
    const root = join(home.root, "targets")
    mkdirSync(root, { mode: 0o700 })
    writeFileSync(join(root, "a-file"), "x")
    mkdirSync(join(root, "open"))
    chmodSync(join(root, "open"), 0o755)
    const { env: withSchedules } = await homeWith({
      blocked: `file://${root}/a-file/`,
      missing: `file://${root}/missing/`,
      open: `file://${root}/open/`,
      stranger: `sftp://drop@127.0.0.1:${sftp.port}/doctor/`
    })
    const result = await booster(["doctor", "--json"], {
      env: {
        ...withSchedules,
        BOOSTER_EXPORT_DIR: env.BOOSTER_EXPORT_DIR,
        BOOSTER_SFTP_KNOWN_HOSTS: sftp.wrongKnownHosts
      }
    })
    expect(result.code).toBe(1)
    const lines = schedulesOf(result.stdout)
    expect(lines.map((line) => [line.name, line.status])).toEqual([
      ["schedule:blocked", "fail"],
      ["schedule:missing", "fail"],
      ["schedule:open", "fail"],
      ["schedule:stranger", "fail"]
    ])
    expect(lines[1]!.summary).toContain("does not exist")
    expect(lines[1]!.hint).toContain("Create the folder (mode 0700)")
    expect(lines[2]!.summary).toContain("mode 0755")
    expect(lines[2]!.hint).toContain("chmod 700")
    expect(lines[3]!.hint).toContain("BOOSTER_SFTP_KNOWN_HOSTS")
    expect(existsSync(join(root, "missing"))).toBe(false)
    expect(parseJson(result.stderr)).toMatchObject({
      reason: "check-failed",
      failed: ["schedule:blocked", "schedule:missing", "schedule:open", "schedule:stranger"]
    })
    const human = await booster(["doctor"], {
      env: { ...withSchedules, BOOSTER_SFTP_KNOWN_HOSTS: sftp.wrongKnownHosts }
    })
    expect(human.stdout).toMatch(/✘ schedule:missing +file:\/\/.*\/missing\/: The folder/)
    expect(human.stdout).toContain("hint: Create the folder (mode 0700)")
  })
})
