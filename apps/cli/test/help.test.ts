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
    "of %s, served from the build, is what the program renders, short and long",
    async (_, command) => {
      const home = freshHome()
      for (const args of [
        [...command, "--help"],
        ["help", ...command, "--long"]
      ]) {
        const cached = await booster(args, { env: home.env })
        const rendered = spawnSync(process.execPath, [join(appDir, "dist", "main.cjs"), ...args], {
          encoding: "utf8",
          env: { ...process.env, ...home.env }
        })
        expect(rendered.status).toBe(0)
        expect(cached.stdout).toBe(rendered.stdout)
      }
    }
  )

  it.each(commands.map((c) => [c.join(" ") || "(root)", c] as const))(
    "of %s follows the compact layout: full usage line, 100 columns, one line a flag, nothing cut short, no boilerplate",
    async (_, command) => {
      const result = await booster([...command, "--help"], { env: freshHome().env })
      const lines = result.stdout.trimEnd().split("\n")
      expect(lines[0]).toMatch(new RegExp(`^Usage: ${["booster", ...command].join(" ")}( |$)`))
      expect(lines.length).toBeLessThanOrEqual(70)
      for (const line of lines) {
        expect([...line].length, line).toBeLessThanOrEqual(100)
        expect(line, "a line cut short").not.toMatch(/[a-z]…$/)
        // a flag's line is never continued: the next line starts a flag, a note or a section
        if (/^ {2}-/.test(line)) expect(lines[lines.indexOf(line) + 1] ?? "", line).not.toMatch(/^ {6,}\S/)
      }
      const long = await booster(["help", ...command, "--long"], { env: freshHome().env })
      expect(long.code).toBe(0)
      for (const line of long.stdout.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(100)
      for (const phrase of BOILERPLATE) expect(result.stdout).not.toContain(phrase)
      expect(result.stdout).toContain("GLOBAL FLAGS")
      expect(result.stdout).toContain("ENVIRONMENT")
    }
  )

  it("of export fits 70 lines at 100 columns and points to the page with every flag in full", async () => {
    const result = await booster(["export", "--help"], { env: freshHome().env })
    expect(result.stdout.trimEnd().split("\n").length).toBeLessThanOrEqual(70)
    expect(result.stdout).toContain("booster help export --long")
    expect(result.stdout).toMatch(/^ {2}--can-be-contacted-by-maison BOOL +Agreed \(true\) or not \(false\)/m)
    expect(result.stdout).toMatch(
      /^ {2}--force +Start even if the same filter was started in the last 24 hours\.$/m
    )
  })

  it("of export, in full, lists every filter flag with its value form, required and repeatable ones marked", async () => {
    const result = await booster(["help", "export", "--long"], { env: freshHome().env })
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

  it("of doctor, in full, gives --contract its whole sentence", async () => {
    const result = await booster(["help", "doctor", "--long"], { env: freshHome().env })
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

  it("of config set lists only its own flags, retention and team journal among them", async () => {
    const result = await booster(["config", "set", "--help"], { env: freshHome().env })
    expect(result.stdout).not.toContain("FILTER FLAGS")
    expect(result.stdout).not.toContain("(required")
    expect(result.stdout).not.toContain("(repeatable). (repeatable)")
    expect(result.stdout).toMatch(/^ {2}--retention-days DAYS /m)
    expect(result.stdout).toMatch(/^ {2}--journal-url URL /m)
    expect(result.stdout).toMatch(/^ {2}--brand BRAND +Default brand of exports\.$/m)
  })

  it.each([["tasks"], ["config"], ["filters"], ["audit"], ["files"]])(
    "of the group %s is printed when it is given without a command",
    async (group) => {
      const env = freshHome().env
      const bare = await booster([group], { env })
      expect(bare.code).toBe(0)
      expect(bare.stdout).toBe((await booster([group, "--help"], { env })).stdout)
      expect(bare.stdout).toContain("COMMANDS")
      expect(bare.stderr).toBe("")
    }
  )

  it("names the closest command for a misspelt one (exit 2, nothing run)", async () => {
    const env = freshHome().env
    const result = await booster(["exprt", "--brand", "CAR"], { env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("Error: booster has no command exprt")
    expect(result.stderr).toContain("Did you mean `booster export`?")
    const sub = await booster(["tasks", "lsit"], { env })
    expect(sub.code).toBe(2)
    expect(sub.stderr).toContain("Did you mean `booster tasks list`?")
    const none = await booster(["frobnicate"], { env })
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("Its commands: export, filters, tasks")
  })

  it("names the closest flag for a misspelt one, in text and in --json (exit 2, nothing sent)", async () => {
    const env = freshHome().env
    const result = await booster(["export", "--brnd", "CAR", "--pos-code", "ES100", "--yes"], { env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("Error: booster export has no flag --brnd")
    expect(result.stderr).toContain("Did you mean --brand?")
    const json = await booster(["export", "--json", "--pos-cod", "ES100"], { env })
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stderr)).toMatchObject({
      _tag: "UsageError",
      hint: expect.stringContaining("--pos-code")
    })
  })

  it("never repeats a value typed where a command was expected", async () => {
    const result = await booster(["tasks", "ada@example.com"], { env: freshHome().env })
    expect(result.code).toBe(2)
    expect(result.stderr).not.toContain("ada")
    expect(result.stderr).toContain("booster tasks has no command")
  })

  it("accepts every flag and value form the commands take (clustered short flags, --flag=value, negative dates)", async () => {
    const env = freshHome().env
    const result = await booster(
      ["export", "--brand=CAR", "--pos-code", "ES100", "--creation-date-from", "-6m", "--dry-run", "--json"],
      { env: { ...env, BOOSTER_BASE_URL: "https://booster.example.com/api", BOOSTER_API_KEY: "k" } }
    )
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
  })
})
