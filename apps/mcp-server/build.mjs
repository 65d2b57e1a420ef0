// Bundles the server into ES modules for a fast start: the entry holds what answers initialize and
// tools/list; the tools, Effect, the API client, the sandbox and the HTTP transport are chunks
// loaded on first use. The tools' wire descriptions (generated from core's schemas) are written to
// dist/tools.json, read at start-up.
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { build } from "esbuild"

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  legalComments: "none",
  logLevel: "warning",
  // pg's optional native binding (the team journal uses pg's JavaScript client)
  external: ["pg-native"],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  }
}

await rm("dist", { recursive: true, force: true })
await build({
  ...common,
  entryPoints: { "booster-mcp": "src/bin.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  minify: true,
  sourcemap: "linked"
})

const scratch = await mkdtemp(join(tmpdir(), "booster-mcp-build-"))
try {
  const listingModule = join(scratch, "listing.mjs")
  await build({ ...common, entryPoints: ["src/tools/listing.ts"], outfile: listingModule })
  const { listing } = await import(pathToFileURL(listingModule).href)
  await writeFile("dist/tools.json", `${JSON.stringify(listing())}\n`)
} finally {
  await rm(scratch, { recursive: true, force: true })
}
