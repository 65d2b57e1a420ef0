/**
 * Test helpers for files, also used by the tests of the packages built on transport (journal,
 * journal-pg): temporary folders removed after each test, fixtures bundled to run as their own
 * Node process, and a race of such processes let go at one instant.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
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

/**
 * Starts `count` processes (`start(i)`), waits until each has announced itself by writing a file
 * into the folder `gate`, then lets them all go at once (the file `go`), and gives their outputs.
 */
export const raceAtGate = async <A>(
  gate: string,
  count: number,
  start: (i: number) => Promise<A>
): Promise<Array<A>> => {
  const runs = Array.from({ length: count }, (_, i) => start(i))
  while ((await readdir(gate)).length < count) await new Promise((resolve) => setTimeout(resolve, 10))
  await writeFile(join(gate, "go"), "")
  return Promise.all(runs)
}
