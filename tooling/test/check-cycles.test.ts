import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"

const repository = join(dirname(fileURLToPath(import.meta.url)), "..", "..")
const script = join(repository, "tooling", "src", "check-cycles.mjs")
const trees: Array<string> = []
afterEach(() => {
  for (const tree of trees.splice(0)) rmSync(tree, { recursive: true, force: true })
})

/**
 * A workspace in a temporary folder: the repository's compiler options, the given packages (each
 * with `exports` "." → src/index.ts, linked into the others' node_modules) and source files.
 */
const workspace = (packages: ReadonlyArray<string>, files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), "booster-structure-"))
  trees.push(root)
  writeFileSync(join(root, "tsconfig.base.json"), readFileSync(join(repository, "tsconfig.base.json")))
  for (const pkg of packages) {
    const name = pkg.split("/")[1]
    mkdirSync(join(root, pkg, "src"), { recursive: true })
    writeFileSync(
      join(root, pkg, "package.json"),
      JSON.stringify({ name: `@booster-export/${name}`, type: "module", exports: { ".": "./src/index.ts" } })
    )
    writeFileSync(join(root, pkg, "src", "index.ts"), "export const here = 1\n")
  }
  for (const pkg of packages) {
    mkdirSync(join(root, pkg, "node_modules", "@booster-export"), { recursive: true })
    for (const other of packages) {
      if (other !== pkg)
        symlinkSync(
          join(root, other),
          join(root, pkg, "node_modules", "@booster-export", other.split("/")[1]!)
        )
    }
  }
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true })
    writeFileSync(join(root, file), text)
  }
  return root
}

/**
 * Runs the check on `root` as CI does, in a process of its own (its graph walk is synchronous, and
 * would hold up the test worker): the exit code, and the problems it printed, one per line.
 */
const run = (root: string) =>
  new Promise<{ code: number | null; output: string; problems: ReadonlyArray<string> }>((resolve) => {
    execFile(process.execPath, [script, root], (error, stdout, stderr) =>
      resolve({
        code: error === null ? 0 : (error.code as number),
        output: stdout + stderr,
        problems: stderr.split("\n").filter((line) => line !== "" && !line.startsWith("structure check:"))
      })
    )
  })

/** The problems the check finds in `root`. */
const check = async (root: string) => (await run(root)).problems

const LAYERED = ["packages/core", "packages/transport", "packages/journal", "packages/sandbox", "apps/cli"]

describe("the structure check", () => {
  it("fails on a planted value-import cycle, naming it, and passes once it is type-only", async () => {
    const cycle = workspace(["packages/core"], {
      "packages/core/src/A.ts": 'import { b } from "./B.js"\nexport const a = () => b\n',
      "packages/core/src/B.ts": 'import { a } from "./A.js"\nexport const b = () => a\n'
    })
    const failed = await run(cycle)
    expect(failed.code).toBe(1)
    expect(failed.output).toContain("value-import cycle: packages/core/src/A.ts → packages/core/src/B.ts")

    const typeOnly = workspace(["packages/core"], {
      "packages/core/src/A.ts": 'import type { B } from "./B.js"\nexport interface A { readonly b?: B }\n',
      "packages/core/src/B.ts": 'import type { A } from "./A.js"\nexport interface B { readonly a?: A }\n'
    })
    const passed = await run(typeOnly)
    expect(passed.output).toContain("no value-import cycle")
    expect(passed.code).toBe(0)
  })

  it("holds for dependencies that point down: journal on transport, transport and sandbox on core, apps on all", async () => {
    const root = workspace(LAYERED, {
      "packages/transport/src/Client.ts": 'export * from "@booster-export/core"\n',
      "packages/journal/src/Journal.ts": 'export * from "@booster-export/transport"\n',
      "packages/sandbox/src/Sandbox.ts": 'export * from "@booster-export/core"\n',
      "apps/cli/src/bin.ts": 'import "@booster-export/journal"\nimport "@booster-export/sandbox"\n'
    })
    expect(await check(root)).toEqual([])
  })

  it("fails when transport imports the journal, or the sandbox imports transport", async () => {
    const root = workspace(LAYERED, {
      "packages/transport/src/Client.ts": 'export * from "@booster-export/journal"\n',
      "packages/sandbox/src/Sandbox.ts": 'export * from "@booster-export/transport"\n'
    })
    expect(await check(root)).toEqual([
      "packages/sandbox/src/Sandbox.ts imports packages/transport/src/index.ts: packages/sandbox may import packages/core",
      "packages/transport/src/Client.ts imports packages/journal/src/index.ts: packages/transport may import packages/core"
    ])
  })

  it("fails when an app reaches into a package's sources instead of its entry points", async () => {
    const root = workspace(LAYERED, {
      "packages/core/src/internal/secret.ts": "export const secret = 1\n",
      "apps/cli/src/bin.ts":
        'import { secret } from "../../../packages/core/src/internal/secret.js"\nconsole.log(secret)\n',
      "apps/cli/src/other.ts": 'import "@booster-export/core/src/internal/secret.js"\n'
    })
    expect(await check(root)).toEqual([
      "apps/cli/src/bin.ts imports packages/core/src/internal/secret.ts: other packages use packages/core through its entry points (package.json exports) only",
      "unresolved workspace import: @booster-export/core/src/internal/secret.js"
    ])
  })

  it("holds for the repository itself", async () => {
    expect(await check(repository)).toEqual([])
  })
})
