import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { appDir, booster, ensureBuilt, freshHome } from "./helpers.js"

beforeAll(() => ensureBuilt(), 120_000)

const commands = [
  [],
  ["export"],
  ["tasks"],
  ["tasks", "list"],
  ["tasks", "get"],
  ["tasks", "wait"],
  ["tasks", "download"],
  ["history"],
  ["config"],
  ["config", "set"],
  ["config", "show"],
  ["doctor"],
  ["sandbox"],
  ["demo"]
]

describe("--help", () => {
  it.each(commands.map((c) => [c.join(" ") || "(root)", c] as const))(
    "of %s is stable, plain when piped, and has examples",
    async (_, command) => {
      const home = freshHome()
      const result = await booster([...command, "--help"], { env: home.env })
      expect(result.code).toBe(0)
      expect(result.stdout).not.toContain("\u001b[")
      if (command.length !== 1 || !["tasks", "config"].includes(command[0]!))
        expect(result.stdout).toContain("EXAMPLES")
      expect(result.stdout).toMatchSnapshot()
    }
  )

  it.each(commands.map((c) => [c.join(" ") || "(root)", c] as const))(
    "of %s, served from the build, is what the program renders",
    async (_, command) => {
      const home = freshHome()
      const cached = await booster([...command, "--help"], { env: home.env })
      const rendered = spawnSync(process.execPath, [join(appDir, "dist", "main.cjs"), ...command, "--help"], {
        encoding: "utf8",
        env: { ...process.env, ...home.env }
      })
      expect(rendered.status).toBe(0)
      expect(cached.stdout).toBe(rendered.stdout)
    }
  )

  it("without arguments prints the root help", async () => {
    const home = freshHome()
    const bare = await booster([], { env: home.env })
    const help = await booster(["--help"], { env: home.env })
    expect(bare.code).toBe(0)
    expect(bare.stdout).toBe(help.stdout)
  })

  it("lists the exit codes", async () => {
    const result = await booster(["--help"], { env: freshHome().env })
    for (const code of ["0", "1", "2", "3", "4", "5", "130"])
      expect(result.stdout).toMatch(new RegExp(`^\\s+${code}\\s`, "m"))
  })

  it("prints shell completions", async () => {
    const result = await booster(["--completions", "bash"], { env: freshHome().env })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("complete")
    expect(result.stdout).toContain("export")
  })

  it("prints the version", async () => {
    const result = await booster(["--version"], { env: freshHome().env })
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it("shows usage (exit 2) for an unknown command", async () => {
    const result = await booster(["exprot"], { env: freshHome().env })
    expect(result.code).toBe(2)
  })
})
