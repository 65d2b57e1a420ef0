/**
 * Test helpers for files, also used by the tests of the packages built on transport (journal,
 * journal-pg): temporary folders removed after each test, and fixtures bundled to run as their own
 * Node process.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { afterEach } from "vitest"

/** A maker of temporary folders for one test file; they are removed after each test. */
export const temporaryFolders = (prefix: string): (() => Promise<string>) => {
  let roots: Array<string> = []
  afterEach(async () => {
    await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
    roots = []
  })
  return async () => {
    const root = await mkdtemp(join(tmpdir(), prefix))
    roots.push(root)
    return root
  }
}

/**
 * Bundles the fixture `entry` (a `.ts` file, e.g. `new URL("./fixtures/x.ts", import.meta.url)`) into
 * `<folder>/<name>.mjs`, to be run as its own Node process.
 */
export const bundleFixture = async (entry: URL, folder: string): Promise<string> => {
  const path = fileURLToPath(entry)
  const outfile = join(folder, `${basename(path, ".ts")}.mjs`)
  await build({
    entryPoints: [path],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "error",
    // pg's optional native binding
    external: ["pg-native"],
    banner: {
      js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);'
    }
  })
  return outfile
}
