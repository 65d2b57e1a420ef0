import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { build, type Metafile } from "esbuild"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))
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

/** What a web form uses of core: validate, normalise, describe, wire-encode, keyed fingerprint — for every export kind. */
const browserEntry = `
import { Describe, ExportFilter, ExportKind, Fingerprint, JsonSchema, Validation, WireFormat } from "../src/index.js"
import { Either } from "effect"

export const check = (input, keyBytes) => {
  const normalised = ExportFilter.CustomerFilter.normalize(input)
  const filter = Validation.validate(ExportFilter.CustomerFilter, normalised)
  const prepared = ExportKind.prepare(
    ExportKind.Customer,
    { downloadRequestId: "form-1", ...input },
    { fingerprintKey: Fingerprint.key(keyBytes) }
  )
  return {
    description: Either.isRight(filter) ? Describe.describeCustomerFilter(filter.right) : undefined,
    body: Either.isRight(prepared) ? WireFormat.encodeBody(ExportFilter.CustomerExportRequest, prepared.right.request) : undefined,
    fingerprint: Either.isRight(prepared) ? prepared.right.fingerprint : undefined
  }
}

export const checkAny = (name, input, keyBytes) => {
  const kind = ExportKind.byName(name)
  if (kind === undefined) return { kinds: ExportKind.names }
  const prepared = ExportKind.prepare(kind, { downloadRequestId: "form-1", ...input }, { fingerprintKey: Fingerprint.key(keyBytes) })
  return Either.isRight(prepared) ? prepared.right : { issues: prepared.left.issues, schema: JsonSchema.ofFilter(kind.filter) }
}
`

/** A minified browser bundle of `contents`, a module in `test/`, with its metafile. */
const browserBundle = (contents: string) =>
  build({
    stdin: { contents, resolveDir: `${root}test`, loader: "js" },
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    logLevel: "silent"
  })

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
