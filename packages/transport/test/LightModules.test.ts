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
