// Bundles the server into one ES module with its dependencies, for a fast start.
import { build } from "esbuild"

await build({
  entryPoints: ["src/bin.ts"],
  outfile: "dist/booster-mcp.mjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  }
})
