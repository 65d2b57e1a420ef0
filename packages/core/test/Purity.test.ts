import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import type { Metafile } from "esbuild"
import { describe, expect, it } from "vitest"
import { browserBundle, browserEntry } from "./browser-bundle.js"

const src = fileURLToPath(new URL("../src/", import.meta.url))
const sources = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"))

/** The import specifiers of a module: `import … from "x"`, `export … from "x"`, `import("x")`. */
const importsOf = (code: string): ReadonlyArray<string> =>
  [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((match) => match[1]!)

/** The names a module imports from `effect`. */
const effectNamesOf = (code: string): ReadonlyArray<string> =>
  [...code.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*["']effect["']/g)].flatMap((match) =>
    match[1]!.split(",").map((name) =>
      name
        .trim()
        .split(/\s+as\s+/)[0]!
        .replace(/^type\s+/, "")
    )
  )

/** The modules of which some code is in the (single) output of a bundle. */
const bundled = (metafile: Metafile): ReadonlyArray<string> =>
  Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path)
  )

describe("core is pure", () => {
  it("finds the sources it checks", () => {
    expect(sources).toContain("index.ts")
    expect(sources).toContain("Field.ts")
  })

  it.each(sources)("%s imports no node: module, no fast-check and no effect Arbitrary", (file) => {
    const code = readFileSync(`${src}${file}`, "utf8")
    const imports = importsOf(code)
    expect(imports.filter((name) => name.startsWith("node:"))).toEqual([])
    expect(imports.filter((name) => name === "fast-check" || name.startsWith("fast-check/"))).toEqual([])
    expect(imports.filter((name) => name === "effect/Arbitrary" || name === "effect/FastCheck")).toEqual([])
    expect(effectNamesOf(code).filter((name) => name === "Arbitrary" || name === "FastCheck")).toEqual([])
    expect(code).not.toMatch(/\barbitrary\s*:/)
  })

  it("a browser bundle that validates and prepares an export of any kind is at most 125 KiB gzip", async () => {
    const result = await browserBundle(browserEntry)
    expect(result.errors).toEqual([])
    const inputs = result.metafile.inputs
    expect(Object.keys(inputs)).toContain("src/Field.ts")
    // effect's own Schema module keeps a little of fast-check; core's modules must add none of it
    const testOnly = Object.entries(inputs)
      .filter(([path]) => path.startsWith("src/"))
      .flatMap(([path, input]) => input.imports.map((imported) => `${path} -> ${imported.path}`))
      .filter((edge) =>
        /fast-check|effect\/dist\/esm\/(Arbitrary|FastCheck)\.js|^node:/.test(edge.split(" -> ")[1]!)
      )
    expect(testOnly).toEqual([])
    // the summary is left out of a bundle that does not use it
    expect(bundled(result.metafile).filter((path) => /Summary|tally/.test(path))).toEqual([])
    const output = result.outputFiles[0]!.contents
    const gzipped = gzipSync(output).length
    console.log(
      `core for the browser: ${(output.length / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzip`
    )
    expect(gzipped).toBeLessThanOrEqual(125 * 1024)
  })
  it("a browser bundle that summarises an export file is at most 125 KiB gzip", async () => {
    const result = await browserBundle(`import { Summary } from "../src/index.js"
export const summarize = (chunks) => Summary.summarize(chunks, { minimumGroupSize: 10 })`)
    expect(result.errors).toEqual([])
    expect(
      bundled(result.metafile)
        .filter((path) => path.startsWith("src/"))
        .sort()
    ).toEqual(["src/Summary.ts", "src/SummaryScanner.ts", "src/internal/tally.ts"])
    const output = result.outputFiles[0]!.contents
    const gzipped = gzipSync(output).length
    console.log(
      `core's summary for the browser: ${(output.length / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzip`
    )
    expect(gzipped).toBeLessThanOrEqual(125 * 1024)
  })
})
