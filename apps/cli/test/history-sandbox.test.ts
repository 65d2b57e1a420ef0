import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { binary, booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

let sandbox: Sandbox.RunningSandbox

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 2000, taskDurationMs: 200 })
}, 120_000)
afterAll(() => sandbox?.close())

describe("booster history", () => {
  it("records exports without any filter value or personal data", async () => {
    const home = freshHome()
    const env = { ...home.env, BOOSTER_BASE_URL: sandbox.baseUrl, BOOSTER_API_KEY: sandbox.apiKey }
    const result = await booster(
      [
        "export",
        "--brand",
        "CAR",
        "--pos-code",
        "IT100",
        "--email",
        "Jane.Doe@Example.com",
        "--phone-number",
        "+39 333 1234567",
        "--search-key",
        "Doe",
        "--sale-representative-email",
        "rep@example.com",
        "--output",
        join(home.root, "x.csv")
      ],
      { env }
    )
    expect(result.code).toBe(0)
    expect(result.stderr).toContain("with a given email address")
    for (const text of [result.stdout, result.stderr]) {
      expect(text.toLowerCase()).not.toContain("jane.doe")
      expect(text).not.toContain("1234567")
      expect(text).not.toContain("rep@example.com")
    }
    const journal = readFileSync(join(home.env.XDG_STATE_HOME, "booster-export", "history.jsonl"), "utf8")
    expect(journal.toLowerCase()).not.toContain("jane")
    expect(journal).not.toContain("1234567")
    expect(journal).not.toContain("Doe")
    expect(journal).not.toContain("example.com")
    expect(journal).not.toContain("CAR")
    const events = journal
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).event)
    expect(events).toEqual(["started", "completed", "downloaded"])
    const history = await booster(["history"], { env })
    expect(history.code).toBe(0)
    expect(history.stdout).toContain(join(home.root, "x.csv"))
    expect(history.stdout).toMatch(/[0-9a-f]{32}\s+COM/)
  })

  it("says so when nothing is recorded", async () => {
    const result = await booster(["history", "--json"], { env: freshHome().env })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual([])
  })
})

describe("booster sandbox", () => {
  it("serves the API with the printed key until interrupted", async () => {
    const home = freshHome()
    const child = spawn(
      process.execPath,
      [binary, "sandbox", "--customers", "500", "--task-seconds", "0", "--json"],
      {
        env: { ...process.env, ...home.env },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buffer = ""
        child.stdout.on("data", (chunk) => {
          buffer += chunk
          if (buffer.includes("\n")) resolve(buffer.split("\n")[0]!)
        })
        child.on("exit", () => reject(new Error("the sandbox exited early")))
      })
      const info = parseJson(line) as { baseUrl: string; apiKey: string }
      const env = { ...home.env, BOOSTER_BASE_URL: info.baseUrl, BOOSTER_API_KEY: info.apiKey }
      const exported = await booster(
        ["export", "--brand", "CAR", "--pos-code", "IT100", "--wait", "--json"],
        { env }
      )
      expect(exported.code).toBe(0)
      expect(parseJson(exported.stdout).task).toMatchObject({ status: "COM" })
    } finally {
      child.kill("SIGINT")
    }
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)))
    expect(code).toBe(130)
  })

  it("refuses bad --faults with exit 2 naming the token", async () => {
    const result = await booster(["sandbox", "--faults", "export:nope"], { env: freshHome().env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("export:nope")
  })
})

describe("booster demo", () => {
  it("runs a real export end to end: description, progress, download, summary naming the file", async () => {
    const home = freshHome()
    const out = join(home.root, "demo")
    const result = await booster(["demo", "--task-seconds", "1", "--customers", "2000", "--output", out], {
      env: home.env
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain("Exporting: Clients of CAR at 3 points of sale")
    expect(result.stderr).toMatch(/COM 100%/)
    const file = result.stdout.trim()
    expect(file.startsWith(out)).toBe(true)
    expect(result.stderr).toContain(`to ${file}`)
    expect(readFileSync(file, "utf8").length).toBeGreaterThan(0)
  })
})
