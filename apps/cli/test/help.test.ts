import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { filterFlags } from "../src/export/filter-flags.js"
import { appDir, booster, ensureBuilt, freshHome } from "./helpers.js"

ensureBuilt()

/** Every command path, as the program lists them for the build. */
const commands = JSON.parse(
  spawnSync(process.execPath, [join(appDir, "dist", "main.cjs")], {
    encoding: "utf8",
    env: { ...process.env, BOOSTER_HELP_PATHS: "1" }
  }).stdout
) as Array<Array<string>>

const BOILERPLATE = [
  "A user-defined piece of text",
  "This setting is optional",
  "may be repeated zero or more times",
  "$ export",
  "$ booster",
  "An integer.",
  "A true or false value"
]

describe("--help", () => {
  it.each(commands.map((c) => [c.join(" ") || "(root)", c] as const))(
    "of %s is stable, plain when piped, and has examples",
    async (_, command) => {
      const home = freshHome()
      const result = await booster([...command, "--help"], { env: home.env })
      expect(result.code).toBe(0)
      expect(result.stdout).not.toContain("\u001b[")
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

  it.each(commands.map((c) => [c.join(" ") || "(root)", c] as const))(
    "of %s follows the compact layout: full usage line, 80 columns, nothing cut short, no boilerplate",
    async (_, command) => {
      const result = await booster([...command, "--help"], { env: freshHome().env })
      const lines = result.stdout.trimEnd().split("\n")
      expect(lines[0]).toMatch(new RegExp(`^Usage: ${["booster", ...command].join(" ")}( |$)`))
      expect(lines.length).toBeLessThanOrEqual(130)
      for (const line of lines) {
        expect([...line].length, line).toBeLessThanOrEqual(80)
        expect(line, "a line cut short").not.toMatch(/[a-z]…$/)
      }
      for (const phrase of BOILERPLATE) expect(result.stdout).not.toContain(phrase)
      expect(result.stdout).toContain("GLOBAL FLAGS")
      expect(result.stdout).toContain("ENVIRONMENT")
    }
  )

  it("of export lists every filter flag with its value form, required and repeatable ones marked", async () => {
    const result = await booster(["export", "--help"], { env: freshHome().env })
    /** A flag's entry: its line and the lines wrapped under it, joined. */
    const entryOf = (flag: string) => {
      const lines = result.stdout.split("\n")
      const first = lines.findIndex((l) => l.startsWith(`  --${flag} `) || l === `  --${flag}`)
      if (first === -1) return undefined
      const rest = lines.slice(first + 1)
      const end = rest.findIndex((l) => !/^ {6,}\S/.test(l))
      return [lines[first], ...rest.slice(0, end === -1 ? rest.length : end)].map((l) => l!.trim()).join(" ")
    }
    for (const flag of filterFlags) {
      const entry = entryOf(flag.flag)
      expect(entry, flag.flag).toBeDefined()
      if (flag.repeated) expect(entry).toMatch(/repeatable\)$/)
    }
    expect(entryOf("brand")).toMatch(/^--brand TEXT +.*\(required\)$/)
    expect(entryOf("pos-code")).toMatch(/^--pos-code TEXT +.*\(required, repeatable\)$/)
    // whole sentences, where they used to be cut short
    expect(entryOf("can-be-contacted-by-maison")).toContain(
      "or did not agree (false) to be contacted by the brand."
    )
    expect(entryOf("purpose")).toContain("no phone number and no date (else exit 2, nothing sent).")
    expect(result.stdout).toMatch(/^ {2}--creation-date-from DATE /m)
    expect(result.stdout).toContain("-30d")
    for (const group of ["FILTER FLAGS", "OUTPUT FLAGS", "CONNECTION FLAGS", "GLOBAL FLAGS", "EXAMPLES"])
      expect(result.stdout).toContain(`\n${group}\n`)
    expect(result.stdout).toContain("BOOSTER_BASE_URL")
  })

  it("of doctor gives --contract its whole sentence", async () => {
    const result = await booster(["doctor", "--help"], { env: freshHome().env })
    const lines = result.stdout.split("\n")
    const first = lines.findIndex((l) => l.startsWith("  --contract "))
    const entry = lines
      .slice(first, first + 4)
      .map((l) => l.trim())
      .join(" ")
    expect(entry).toContain("list every field added, removed or changed.")
  })

  it("is also `booster help COMMAND`, from the build and from the program", async () => {
    const env = freshHome().env
    for (const command of [["export"], ["tasks", "wait"], []]) {
      const flag = await booster([...command, "--help"], { env })
      const word = await booster(["help", ...command], { env })
      expect(word.code).toBe(0)
      expect(word.stdout).toBe(flag.stdout)
      const rendered = spawnSync(process.execPath, [join(appDir, "dist", "main.cjs"), "help", ...command], {
        encoding: "utf8",
        env: { ...process.env, ...env }
      })
      expect(rendered.stdout).toBe(flag.stdout)
    }
    const unknown = await booster(["help", "exprot"], { env })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("booster exprot")
    const late = await booster(["export", "--brand", "CAR", "--help"], { env })
    expect(late.stdout).toBe((await booster(["export", "--help"], { env })).stdout)
  })

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
