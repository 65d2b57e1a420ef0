/**
 * Each library installed exactly as its README says — the `npm install …` line with npm, the
 * `pnpm add …` line with pnpm — on Node 20, 22 and 24, from the packed tarballs (the packages are not
 * on the registry: the README's `@booster-export/…` words become the tarballs, and the libraries they
 * depend on are pointed at theirs with `overrides`). Everything else comes from the registry, as for
 * a user: the test fails when a README line would install Effect 4.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { cleanEnv, libraries, root } from "../src/project.js"
import { installLines, packagesOf } from "../src/readme.js"

const tarballs = inject("tarballs")
const work = mkdtempSync(join(tmpdir(), "booster-install-"))
const { packageManager } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  packageManager: string
}

/** What each library's program does once installed: a little of its API, and the versions it ran on. */
const smoke: Record<string, string> = {
  core: `import { ExportFilter, Task, Validation } from "@booster-export/core"
const checked = Validation.validate(ExportFilter.CustomerFilter, { brand: "CAR", posCodes: ["IT100"] })
report({ valid: checked._tag === "Right", date: Task.isoDate("/Date(1709287200000+0100)/") })`,
  transport: `import { BoosterClient } from "@booster-export/transport"
import { createClient, validate } from "@booster-export/transport/Promise"
const client = createClient({ baseUrl: "https://booster.example.com/api", apiKey: "key" })
await client.close()
report({ valid: validate({ brand: "CAR", posCodes: ["IT100"] }).ok, layer: typeof BoosterClient.layer })`,
  journal: `import { GuardedStart, Journal } from "@booster-export/journal"
report({ valid: typeof GuardedStart.run === "function", layer: typeof Journal.layer })`,
  "journal-pg": `import { PgJournal } from "@booster-export/journal-pg"
report({ valid: typeof PgJournal.connect === "function", layer: typeof PgJournal.layerClient })`,
  sandbox: `import { Sandbox } from "@booster-export/sandbox"
const sandbox = await Sandbox.start({ customers: 10, brands: ["CAR"] })
const answer = await fetch(sandbox.baseUrl + "/tasks", { headers: { authorization: "Bearer " + sandbox.apiKey } })
await sandbox.close()
report({ valid: answer.status === 200, layer: typeof Sandbox.layer })`
}

const preamble = `import { createRequire } from "node:module"
const require = createRequire(import.meta.url)
const report = (result) => console.log(JSON.stringify({
  ...result,
  node: process.versions.node,
  effect: require("effect/package.json").version
}))
`

/** Runs a command with the Node of `bin` first on the PATH; answers its exit code and output. */
const run = async (
  bin: string,
  command: string,
  args: ReadonlyArray<string>,
  cwd: string
): Promise<{ code: number; stdout: string; out: string }> => {
  const { execFile } = await import("node:child_process")
  const env = cleanEnv()
  env.PATH = `${dirname(bin)}${delimiter}${env.PATH ?? ""}`
  return new Promise((resolve) =>
    execFile(
      command,
      [...args],
      { cwd, env, encoding: "utf8", maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
          stdout,
          out: `${stdout}${stderr}`
        })
    )
  )
}

const nodeBinaries: Record<number, string> = {}

beforeAll(async () => {
  for (const major of [20, 22, 24]) {
    if (Number(process.versions.node.split(".")[0]) === major) {
      nodeBinaries[major] = process.execPath
      continue
    }
    const found = await run(
      process.execPath,
      "npx",
      ["--yes", "-p", `node@${major}`, "node", "-p", "process.execPath"],
      work
    )
    if (found.code !== 0) throw new Error(`node@${major} could not be fetched:\n${found.out}`)
    nodeBinaries[major] = found.stdout.trim()
  }
}, 600_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe("the README install lines", () => {
  it.each(libraries)(
    "$name: pin every peer dependency at its exact range, with npm and with pnpm",
    ({ dir, name }) => {
      const manifest = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"))
      const lines = installLines(dir)
      for (const words of [lines.npm, lines.pnpm]) {
        const pinned = packagesOf(words)
        expect(pinned[name]).toBe("")
        for (const [peer, range] of Object.entries(manifest.peerDependencies as Record<string, string>))
          expect(pinned[peer], `${peer} in ${words.join(" ")}`).toBe(range)
        expect(pinned.effect).toMatch(/^\^3\./)
      }
      expect(lines.pnpm.slice(2)).toEqual(lines.npm.slice(2))
    }
  )
})

const matrix = (["npm", "pnpm"] as const).flatMap((manager) =>
  [20, 22, 24].flatMap((node) => libraries.map(({ dir, name }) => ({ manager, node, dir, name })))
)

// One test per (package manager, Node, library), a few at a time: each stays well under a minute.
describe.concurrent("each library installed as its README says", () => {
  it.each(matrix)(
    "$name with $manager on Node $node: installs Effect 3 and runs",
    async ({ manager, node, dir }) => {
      const bin = nodeBinaries[node]!
      const project = join(work, `${manager}-${node}`, dir)
      mkdirSync(project, { recursive: true })
      const words = installLines(dir)[manager]
      const named = Object.keys(packagesOf(words))
      // the libraries this one depends on, which the registry does not have: their tarballs (npm
      // refuses an override of a package the command names; pnpm needs one for each library, or it
      // asks the registry for a named one that another depends on)
      const overrides = (all: boolean) =>
        Object.fromEntries(
          Object.entries(tarballs)
            .filter(([library]) => all || !named.includes(library))
            .map(([library, file]) => [library, `file:${file}`])
        )
      const manifest = {
        name: "booster-consumer",
        private: true,
        type: "module",
        overrides: overrides(false),
        pnpm: { overrides: overrides(true) }
      }
      writeFileSync(join(project, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`)
      const args = words.slice(2).map((word) => tarballs[word] ?? word)
      const installed =
        manager === "npm"
          ? await run(
              bin,
              "npm",
              ["install", ...args, "--no-audit", "--no-fund", "--loglevel=error"],
              project
            )
          : await run(
              bin,
              "npx",
              ["--yes", packageManager, "add", ...args, "--reporter=append-only"],
              project
            )
      expect(installed.code, installed.out).toBe(0)
      expect(installed.out).not.toMatch(/unmet peer|ERESOLVE|Could not resolve dependency/i)
      writeFileSync(join(project, "smoke.mjs"), `${preamble}${smoke[dir]}\n`)
      const ran = await run(bin, "node", ["smoke.mjs"], project)
      expect(ran.code, ran.out).toBe(0)
      const result = JSON.parse(ran.stdout.trim().split("\n").at(-1) ?? "{}")
      expect(result).toMatchObject({ valid: true, node: expect.stringMatching(new RegExp(`^${node}\\.`)) })
      expect(result.effect).toMatch(/^3\./)
      if (dir === "core") expect(result.date).toBe("2024-03-01T10:00:00.000Z")
      else expect(result.layer).toBe("function")
    },
    600_000
  )
})
