import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { describe, expect, it } from "vitest"

// `booster-mcp` cleans every tool result on its start path and the CLI's launcher may use them:
// Scrub and Redact must bundle to a few kilobytes of their own code, without Effect.
describe("the safety modules are light enough for start-up paths", () => {
  it.each(["Scrub", "Redact"])("%s bundles alone, without effect or any other package", async (name) => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url))],
      bundle: true,
      write: false,
      minify: true,
      format: "esm",
      platform: "node",
      metafile: true,
      logLevel: "silent"
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.filter((input) => input.includes("node_modules"))).toEqual([])
    expect(inputs).toEqual([expect.stringContaining(`src/${name}.ts`)])
    expect(result.outputFiles[0]!.contents.byteLength).toBeLessThan(4096)
  })
})

// Importing the package must not load undici (the largest part of the client): the default HTTP
// layer imports it when a client is built.
describe("importing the package", () => {
  it("loads no undici until a client is built", async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
      bundle: true,
      write: false,
      splitting: true,
      format: "esm",
      platform: "node",
      outdir: "out",
      metafile: true,
      logLevel: "silent"
    })
    const outputs = result.metafile.outputs
    const entry = Object.keys(outputs).find((name) => outputs[name]!.entryPoint?.endsWith("src/index.ts"))
    // what `import "@booster-export/transport"` evaluates: the entry and its static imports
    const evaluated = new Set<string>()
    const pending = [entry!]
    while (pending.length > 0) {
      const output = pending.pop()!
      if (evaluated.has(output)) continue
      evaluated.add(output)
      for (const imported of outputs[output]!.imports) {
        if (imported.kind === "import-statement" && imported.external !== true) pending.push(imported.path)
      }
    }
    const undiciIn = (names: Iterable<string>) =>
      [...names]
        .flatMap((name) => Object.keys(outputs[name]!.inputs))
        .filter((input) => input.includes("/undici/"))
    expect(undiciIn(evaluated)).toEqual([])
    // it is still in the package, behind the layer's dynamic import
    expect(undiciIn(Object.keys(outputs)).length).toBeGreaterThan(0)
  })
})
