/**
 * The libraries as another team gets them: packed from a clean build, installed from the tarballs
 * into a project outside the workspace with npm, type-checked, run against the sandbox, bundled for
 * the browser, and linted with publint and Are the Types Wrong.
 */
import { createHash } from "node:crypto"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { catalogVersion, installProject, libraries, root, run as runIn } from "../src/project.js"

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url))
const work = mkdtempSync(join(tmpdir(), "booster-consumer-"))
const project = join(work, "project")
const tarballs = inject("tarballs")

const run = (command: string, args: ReadonlyArray<string>, cwd = project) => runIn(command, args, cwd)
const bin = (name: string) => join(project, "node_modules", ".bin", name)

/** The ```ts blocks of the root README and of each library's README, one module per block. */
const readmeBlocks = (): Array<{ file: string; code: string }> =>
  ["README.md", ...libraries.map(({ dir }) => `packages/${dir}/README.md`)].flatMap((readme) => {
    const text = readFileSync(join(root, readme), "utf8")
    return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match, index) => ({
      file: `${readme.replace(/\W+/g, "-")}-${index + 1}.ts`,
      code: match[1] ?? ""
    }))
  })

const tsconfig = (
  module: "NodeNext" | "ESNext",
  moduleResolution: "NodeNext" | "Bundler",
  include: Array<string>,
  skipLibCheck: boolean
) =>
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022"],
      module,
      moduleResolution,
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      types: ["node"],
      outDir: "out",
      skipLibCheck
    },
    include
  })

beforeAll(async () => {
  await installProject(project, tarballs, {
    typescript: catalogVersion("typescript"),
    "@types/node": catalogVersion("@types/node"),
    esbuild: catalogVersion("esbuild"),
    publint: catalogVersion("publint"),
    "@arethetypeswrong/cli": catalogVersion("@arethetypeswrong/cli")
  })
  cpSync(fixtures, join(project, "src"), { recursive: true })
  mkdirSync(join(project, "readme"))
  for (const block of readmeBlocks())
    writeFileSync(join(project, "readme", block.file), `${block.code}\nexport {}\n`)
  writeFileSync(join(project, "tsconfig.json"), tsconfig("NodeNext", "NodeNext", ["src"], false))
  writeFileSync(join(project, "tsconfig.bundler.json"), tsconfig("ESNext", "Bundler", ["src"], true))
  writeFileSync(join(project, "tsconfig.readme.json"), tsconfig("NodeNext", "NodeNext", ["readme"], true))
})

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe("the packed libraries", () => {
  it.each(libraries)(
    "$name: dist with types, a README, real ranges; no sources, source maps, tests or build caches",
    async ({ name }) => {
      const tarball = tarballs[name]!
      const files = (await run("tar", ["tzf", tarball])).stdout.split("\n").filter(Boolean)
      const manifest = JSON.parse((await run("tar", ["xzf", tarball, "-O", "package/package.json"])).stdout)
      expect(files).toEqual(
        expect.arrayContaining([
          "package/package.json",
          "package/README.md",
          "package/dist/index.js",
          "package/dist/index.d.ts"
        ])
      )
      expect(
        files.filter((file) =>
          /tsbuildinfo|\.test\.|\/test\/|__snapshots__|^package\/src\/|\.map$/.test(file)
        )
      ).toEqual([])
      const ranges = JSON.stringify([manifest.dependencies, manifest.peerDependencies])
      expect(ranges).not.toMatch(/workspace:|catalog:/)
      expect(manifest.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" })
      expect(manifest.engines.node).toBe(">=20.19")
      expect(manifest.peerDependencies.effect).toBe("^3.22.2")
      expect(manifest.license).toBeTruthy()
      // the README is complete where it is installed: no link out of the package
      const readme = (await run("tar", ["xzf", tarball, "-O", "package/README.md"])).stdout
      expect(readme).not.toMatch(/\]\((\.\.\/|\/)/)
    }
  )

  it.each(libraries)("$name passes publint (strict) and Are the Types Wrong (ESM-only)", async ({ name }) => {
    const publint = await run(bin("publint"), ["run", tarballs[name]!, "--strict"])
    expect(publint.out).toContain("All good!")
    expect(publint.code).toBe(0)
    const attw = await run(bin("attw"), [tarballs[name]!, "--profile", "esm-only", "--format", "ascii"])
    const problems = attw.out
      .split("\n")
      .filter((line) => /💀|❌|🥴|🎭|🐛|⚠️/.test(line) && !line.includes("ignored"))
    expect(problems).toEqual([])
    expect(attw.code).toBe(0)
  })
})

describe("a project installing the tarballs", () => {
  it("type-checks with moduleResolution nodenext, strict; a misspelt filter does not compile", async () => {
    const tsc = await run(bin("tsc"), ["-p", "tsconfig.json"])
    expect(tsc.out).toBe("")
    expect(tsc.code).toBe(0)
  })

  it("type-checks with moduleResolution bundler, strict", async () => {
    const tsc = await run(bin("tsc"), ["-p", "tsconfig.bundler.json", "--noEmit"])
    expect(tsc.out).toBe("")
    expect(tsc.code).toBe(0)
  })

  it("compiles every ts example of the READMEs", async () => {
    expect(readmeBlocks().length).toBeGreaterThanOrEqual(5)
    const tsc = await run(bin("tsc"), ["-p", "tsconfig.readme.json", "--noEmit"])
    expect(tsc.out).toBe("")
    expect(tsc.code).toBe(0)
  })

  it("exports against the sandbox with the Promise API, into a folder it creates", async () => {
    const destination = join(work, "promise-exports", "today/")
    const program = await run("node", ["out/promise-export.js", destination])
    expect(program.code, program.out).toBe(0)
    const { result, statuses, validateOk, refused } = JSON.parse(program.stdout)
    expect(statuses.at(-1)).toBe("completed")
    expect(validateOk).toBe(false)
    expect(refused).toEqual({ tag: "NotFoundError", status: 404 })
    expect(dirname(result.path)).toBe(join(work, "promise-exports", "today"))
    expect(statSync(dirname(result.path)).mode & 0o777).toBe(0o700)
    const bytes = readFileSync(result.path)
    expect(result.bytes).toBe(bytes.length)
    expect(result.sha256).toBe(createHash("sha256").update(bytes).digest("hex"))
    expect(result.rows).toBe(bytes.toString("utf8").trimEnd().split("\r\n").length - 1)
    expect(result.rows).toBeGreaterThan(0)
  })

  it("exports against the sandbox with the Effect API", async () => {
    const destination = join(work, "effect-exports/")
    const program = await run("node", ["out/effect-export.js", destination])
    expect(program.code, program.out).toBe(0)
    const { asyncTaskId, statuses, file, again } = JSON.parse(program.stdout)
    expect(statuses.at(-1)).toBe("completed")
    expect(file.path).toBe(join(work, "effect-exports", `${asyncTaskId}.csv`))
    expect(statSync(file.path).size).toBe(file.bytes)
    expect(again.rows).toBeGreaterThan(0)
    expect(again.path).not.toBe(file.path)
  })

  it("guards a start with the journal: the same filter again reuses the export; the download is recorded", async () => {
    const state = join(work, "journal-state")
    const program = await run("node", ["out/journal-export.js", state, join(work, "journal-exports/")])
    expect(program.code, program.out).toBe(0)
    const { first, second, tasks, entries } = JSON.parse(program.stdout)
    expect(first.outcome).toBe("Started")
    expect(second).toEqual({ outcome: "Reused", asyncTaskId: first.asyncTaskId })
    expect(tasks).toBe(1)
    const events = entries.map((entry: { event: string }) => entry.event)
    expect(events).toEqual(["requested", "started", "downloaded"])
    expect(entries[2]).toMatchObject({ fingerprint: entries[1].fingerprint, asyncTaskId: first.asyncTaskId })
    expect(statSync(join(state, "journal.jsonl")).mode & 0o777).toBe(0o600)
    expect(statSync(join(state, "downloads.jsonl")).mode & 0o777).toBe(0o600)
  })

  it("loads from CommonJS with require() (Node >= 20.19)", async () => {
    const program = await run("node", ["src/require.cjs"])
    expect(program.code, program.out).toBe(0)
    expect(JSON.parse(program.stdout)).toEqual({
      valid: true,
      createClient: "function",
      start: "function",
      guardedStart: "function",
      pgJournal: "function"
    })
  })

  it("bundles core for the browser within 125 KiB gzip", async () => {
    const bundle = await run(bin("esbuild"), [
      "src/browser.ts",
      "--bundle",
      "--minify",
      "--format=esm",
      "--platform=browser",
      "--outfile=out/browser.js"
    ])
    expect(bundle.code, bundle.out).toBe(0)
    const gzipped = gzipSync(readFileSync(join(project, "out", "browser.js"))).length
    console.log(`core for the browser: ${(gzipped / 1024).toFixed(1)} KiB gzip`)
    expect(gzipped).toBeLessThanOrEqual(125 * 1024)
  })
})
