#!/usr/bin/env node
/**
 * The Quickstart's first command as a newcomer meets it: `npm run demo` with an empty HOME (no npm
 * or pnpm cache, no settings). Fails when it does not finish with a downloaded file, or when it
 * prints anything but the demo: package-manager warnings, notices or update boxes, "Failed to
 * create bin", progress of the install or the build. Run by .ci/run on its fresh clone, first.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const home = mkdtempSync(join(tmpdir(), "booster-first-run-"))
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(npm_|pnpm_|XDG_|BOOSTER_)/i.test(name))
)
const result = spawnSync("npm", ["run", "demo"], {
  cwd: root,
  env: { ...env, HOME: home },
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024
})
rmSync(home, { recursive: true, force: true })
const lines = `${result.stdout}\n${result.stderr}`.split("\n").filter((line) => line.trim() !== "")
// npm's own two-line banner of the script it runs cannot be turned off without hiding npm's errors
const banner = (line) => line === "> demo" || line === "> node scripts/demo.mjs"
const noise = lines.filter(
  (line) =>
    !banner(line) &&
    /\bwarn|notice|update available|failed to create bin|deprecated|funding|progress:|packages:|turbo \d|tasks:/i.test(
      line
    )
)
const problems = [
  ...(result.status === 0 ? [] : [`npm run demo exited ${result.status}`]),
  ...(lines.some((line) => line.startsWith("Wrote ")) ? [] : ["no file was written"]),
  ...noise.map((line) => `noise: ${line}`)
]
if (problems.length > 0) {
  process.stderr.write(
    `The first run of npm run demo is not clean:\n${problems.join("\n")}\n\nIt printed:\n${lines.join("\n")}\n`
  )
  process.exit(1)
}
process.stdout.write(
  `npm run demo, first run: ${lines.filter((line) => !banner(line)).length} lines, no noise\n`
)
