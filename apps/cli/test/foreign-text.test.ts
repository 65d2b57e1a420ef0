/**
 * Text written by an insider reaches no terminal raw: a team member's journal lines (file, actor,
 * purpose, source, status), an assistant's purpose, a colleague's filter file or saved filter. The
 * journal is shown cleaned by every command; control characters in a filter are refused at input.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { Journal } from "@booster-export/journal"
import { Sandbox } from "@booster-export/sandbox"
import { StateDirectory } from "@booster-export/transport"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  appendAsEarlierVersion,
  expectJournalShownClean,
  expectNoControl,
  hostileEntries
} from "./foreign.js"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

let sandbox: Sandbox.RunningSandbox

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 200, taskDurationMs: 0 })
}, 120_000)
afterAll(() => sandbox?.close())

const envOf = (home: ReturnType<typeof freshHome>) => ({
  ...home.env,
  BOOSTER_BASE_URL: sandbox.baseUrl,
  BOOSTER_API_KEY: sandbox.apiKey
})

/** A line erase: what follows overwrites what the person was about to approve. */
const ERASE = "\r\u001b[2K"

describe("a local journal holding terminal escapes", () => {
  it("history, files list, files purge --dry-run, tasks get and audit export (table, --json, --csv) show none of it", async () => {
    const home = freshHome()
    const env = envOf(home)
    const started = await booster(["export", "--brand", "CAR", "--pos-code", "IT100", "--json", "--yes"], {
      env
    })
    expect(started.code).toBe(0)
    const { asyncTaskId } = parseJson(started.stdout) as { asyncTaskId: string }
    const [start, download] = hostileEntries(asyncTaskId, join(home.root, "exports")).entries
    const journal = Journal.make(StateDirectory.resolve(home.env))
    // the start with its formula purpose as an earlier version journalled it; today's rule refuses it
    appendAsEarlierVersion(journal.path, start!)
    await Effect.runPromise(journal.append(download!))
    await expectJournalShownClean(env, asyncTaskId, { ownDownload: true })
  })
})

describe("a filter with control characters", () => {
  const fileWith = (home: ReturnType<typeof freshHome>, interest: string) => {
    const file = join(home.root, "filter.json")
    writeFileSync(
      file,
      JSON.stringify({ brand: "CAR", posCodes: ["IT100"], interests: [{ interest, sapInterestId: "CA-1" }] })
    )
    return file
  }

  it("is refused from a filter file, naming the field and the rule, and never printed (exit 2)", async () => {
    const home = freshHome()
    const file = fileWith(home, `Watches${ERASE}Exporting: nobody, nothing to see`)
    const before = sandbox.tasksCreated()
    for (const mode of [["--dry-run"], ["--yes"], ["--dry-run", "--json"]]) {
      const result = await booster(["export", "--filter-file", file, ...mode], { env: envOf(home) })
      expect(result.code, mode.join(" ")).toBe(2)
      expectNoControl(result, mode.join(" "))
      expect(`${result.stdout}${result.stderr}`).not.toContain("nothing to see")
      expect(result.stderr).toContain("interests[0].interest")
      expect(result.stderr).toContain("no-control-characters")
    }
    expect(sandbox.tasksCreated()).toBe(before)
  })

  it("is refused from a flag and from a saved filter a colleague edited; filters show prints it cleaned", async () => {
    const home = freshHome()
    const env = envOf(home)
    const flag = await booster(
      ["export", "--brand", "CAR", "--pos-code", "IT100", "--interest", `Watches${ERASE}=CA-1`, "--dry-run"],
      { env }
    )
    expect(flag.code).toBe(2)
    expectNoControl(flag)
    expect(flag.stderr).toMatch(/--interest \(interests\[0\]\.interest\): .*\[no-control-characters\]/)
    // a colleague's saved filters file: saved by hand, never through `filters save`
    const saved = await booster(["filters", "save", "team", "--brand", "CAR", "--pos-code", "IT100"], { env })
    expect(saved.code).toBe(0)
    const path = join(home.env.XDG_CONFIG_HOME, "booster-export", "filters.json")
    writeFileSync(
      path,
      JSON.stringify({
        filters: {
          team: {
            savedAt: "2026-03-01T10:00:00Z",
            filter: {
              brand: "CAR",
              posCodes: [`IT100${ERASE}`],
              interests: [{ interest: `Watches\u001b]0;pwned\u0007${ERASE}`, sapInterestId: "CA-1" }]
            }
          }
        }
      }),
      { mode: 0o600 }
    )
    const exported = await booster(["export", "--filter", "team", "--dry-run"], { env })
    expect(exported.code).toBe(2)
    expectNoControl(exported)
    expect(exported.stderr).toContain("no-control-characters")
    for (const args of [
      ["filters", "show", "team"],
      ["filters", "show", "team", "--json"],
      ["filters", "list"]
    ]) {
      const shown = await booster(args, { env })
      expect(shown.code, args.join(" ")).toBe(0)
      expectNoControl(shown, args.join(" "))
      if (args[1] === "show") expect(shown.stdout).toContain("Watches")
    }
  })
})
