import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { raceAtGate } from "../../../packages/transport/test/files.js"
import { binary, booster, ensureBuilt, freshHome } from "./helpers.js"

const atGate = join(import.meta.dirname, "fixtures", "at-gate.cjs")

let sandbox: Sandbox.RunningSandbox
beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 300, taskDurationMs: 0, brands: ["CAR"] })
})
afterAll(() => sandbox.close())

/** `booster args`, started now and let go through the gate folder with the others. */
const gated = (gate: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  booster([gate, binary, ...args], { env, binary: atGate })

const addArgs = (name: string, out: string) => [
  "schedule",
  "add",
  name,
  "--brand",
  "CAR",
  "--pos-code",
  "ES100",
  "--cron",
  "0 7 * * *",
  "--tz",
  "Europe/Paris",
  "--to",
  `file://${out}/`,
  "--yes"
]

const ROUNDS = 4

describe("the first use of a brand-new schedule store, by two processes at once", () => {
  it("two `schedule add` on an empty state folder both succeed, and both schedules are listed", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const home = freshHome()
      const gate = mkdtempSync(join(tmpdir(), "first-add-gate-"))
      const results = await raceAtGate(gate, 2, (i) =>
        gated(gate, addArgs(`race-${i}`, join(home.root, "out")), home.env)
      )
      for (const result of results) {
        expect(result.stderr).not.toMatch(/already exists|SQLITE_BUSY|database is locked/i)
        expect(result.code).toBe(0)
      }
      const listed = await booster(["schedule", "list", "--json"], { env: home.env })
      expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual([
        "race-0",
        "race-1"
      ])
    }
  })

  it("two `schedule run-due` at once, where the engine's tables do not exist yet, both succeed and run each due time once", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const home = freshHome()
      const out = join(home.root, "out")
      // the state folder as the first run-due finds it: the schedule's row, no engine table yet
      expect((await booster(addArgs("daily", out), { env: home.env })).code).toBe(0)
      const env = {
        ...home.env,
        BOOSTER_BASE_URL: sandbox.baseUrl,
        BOOSTER_API_KEY: sandbox.apiKey,
        BOOSTER_SCHEDULE_TAKEOVER_MS: "3000"
      }
      const due = new Date(Date.now() + 3 * 86_400_000).toISOString()
      const before = sandbox.tasksCreated()
      const gate = mkdtempSync(join(tmpdir(), "first-run-due-gate-"))
      const results = await raceAtGate(gate, 2, () =>
        gated(gate, ["schedule", "run-due", "--as-of", due, "--json"], env)
      )
      for (const result of results) {
        expect(result.stderr).not.toMatch(/already exists|SQLITE_BUSY|database is locked/i)
        expect(result.code).toBe(0)
      }
      expect(sandbox.tasksCreated() - before).toBe(1)
      expect(readdirSync(join(out, "daily"))).toHaveLength(1)
    }
  })
})
