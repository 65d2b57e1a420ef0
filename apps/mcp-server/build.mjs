// Bundles the server for a fast start (see the README's performance section for the measurements):
//
// - dist/main.cjs: the start path, everything that answers initialize and tools/list (the MCP SDK,
//   options, stdio and HTTP serving), as minified CommonJS;
// - dist/booster-mcp.cjs: a small launcher that runs main.cjs through a V8 code cache, dist/main.cache,
//   warmed here by answering initialize and tools/list once (dist/booster-mcp.mjs loads the launcher,
//   for configurations naming the former entry);
// - dist/lazy/*.mjs (and dist/chunks/): the tools, Effect, the API client, the sandbox and the
//   journal, ES modules imported on the first tool call (using the start path's SDK);
// - dist/ajv.cjs: the SDK's JSON Schema validator (Ajv), loaded when a client's answer to a question
//   is first checked;
// - dist/tools.json: the tools' wire descriptions (generated from core's schemas), read at start.
//
// `node build.mjs --floor DIR` bundles bench/floor.ts (a bare SDK server) the same way into DIR, for
// the start-up benchmark's second baseline.
import { readFileSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as Tooling from "@booster-export/tooling/build"
import { build } from "esbuild"

const here = dirname(fileURLToPath(import.meta.url))

const common = {
  ...Tooling.common,
  // pg's optional native binding (the team journal uses pg's JavaScript client); the schedules'
  // SQLite driver, a native module loaded from the package's dependencies
  external: ["pg-native", "better-sqlite3"]
}

// Dynamic imports that stay in the start path: the SDK's own and the HTTP transport (they use the
// SDK, of which there must be one copy). Every other dynamic import made by the server's sources
// leads out of it, to an ES module under dist/lazy/.
const inStartPath = (file) =>
  file === join(here, "src/server/http.ts") || file.includes("/@modelcontextprotocol/")
const lazyOut = (entries) => ({
  name: "lazy-out",
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.kind !== "dynamic-import" || args.pluginData === "lazy-out") return
      if (relative(join(here, "src"), args.importer).startsWith("..")) return
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "lazy-out"
      })
      if (resolved.errors.length > 0) return { errors: resolved.errors }
      if (inStartPath(resolved.path)) return
      const name = args.path.startsWith(".")
        ? `lazy/${relative(join(here, "src"), resolved.path).replace(/\.[cm]?[jt]s$/, "")}`
        : `lazy/${args.path.replace(/^@/, "").replaceAll("/", "-")}`
      entries.set(name, resolved.path)
      return { path: `./${name}.mjs`, external: true }
    })
  }
})

// The SDK's environment shim: on Node it loads Ajv (about a third of the SDK's code) for the default
// JSON Schema validator, which checks only a client's answer to a question (form elicitation). Here
// the default validator loads dist/ajv.cjs on first use.
const lazyAjv = {
  name: "lazy-ajv",
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({
      path: "shims",
      namespace: "shims"
    }))
    b.onLoad({ filter: /.*/, namespace: "shims" }, () => ({
      loader: "js",
      contents: `import process from "node:process"
let Ajv
/** The SDK's Ajv validator, loaded on first use. */
export class DefaultJsonSchemaValidator {
  #validator
  getValidator(schema) {
    Ajv ??= require("./ajv.cjs").AjvJsonSchemaValidator
    this.#validator ??= new Ajv()
    return this.#validator.getValidator(schema)
  }
}
export { process }`
    }))
  }
}

// node:crypto (hashing the HTTP bearer token, session ids) is not needed to answer initialize and
// tools/list over stdio: it loads on first use.
const lazyCrypto = Tooling.lazyBuiltin(/^node:crypto$/)

// The lazy modules use a few of the SDK's helpers (e.g. the consent's input-required results): they
// get them from the start path's copy of the SDK, which hands its namespace out through a global
// function, instead of bundling a second copy (and evaluating its schemas again).
const SHARED_SDK = 'Symbol.for("booster-mcp.sdk")'
const sharedSdk = {
  name: "shared-sdk",
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/server$/ }, () => ({
      path: "sdk",
      namespace: "shared-sdk"
    }))
    b.onLoad({ filter: /.*/, namespace: "shared-sdk" }, async () => {
      const names = Object.keys(await import("@modelcontextprotocol/server")).filter((name) =>
        /^[A-Za-z_$][\w$]*$/.test(name)
      )
      return {
        loader: "js",
        contents: `const sdk = await globalThis[${SHARED_SDK}]()\nexport const { ${names.join(", ")} } = sdk`
      }
    })
  }
}

/**
 * Bundles `entry` as a start path (DIR/main.cjs) with its launcher (DIR/booster-mcp.cjs) and the lazily
 * loaded Ajv (DIR/ajv.cjs); returns the lazy ES module entries it imports (name → source file).
 */
const bundleStartPath = async (entry, dir) => {
  const entries = new Map()
  await build({
    ...common,
    format: "cjs",
    // The entry imports the program, so that the bundle starts without the program's hashbang
    stdin: {
      contents: `globalThis[${SHARED_SDK}] = () => import("@modelcontextprotocol/server")\nimport ${JSON.stringify(entry)}`,
      resolveDir: here,
      sourcefile: "start.ts"
    },
    outfile: join(dir, "main.cjs"),
    minify: true,
    sourcemap: "linked",
    plugins: [lazyOut(entries), lazyAjv, lazyCrypto],
    external: [...common.external, "./ajv.cjs"],
    ...Tooling.importMetaUrl
  })
  // The launcher reads the bundle as latin1, so it must stay ASCII. Imports of the lazy modules go
  // through the launcher's `__lazy` (a vm script run from a code cache loses its dynamic-import hook):
  // the call is renamed in place, to a name of the same length, so that the source map still holds.
  const mainFile = join(dir, "main.cjs")
  const main = readFileSync(mainFile, "latin1")
  Tooling.assertAscii(mainFile, main)
  const renamed = main.replace(/\bimport\((?="\.\/lazy\/)/g, "__lazy(")
  if (/\bimport\(/.test(renamed)) throw new Error(`${mainFile} imports a module other than dist/lazy/*`)
  await writeFile(mainFile, renamed, "latin1")

  await build({
    ...common,
    format: "cjs",
    stdin: {
      contents: 'module.exports = require("@modelcontextprotocol/server/validators/ajv")',
      resolveDir: here
    },
    outfile: join(dir, "ajv.cjs"),
    minify: true
  })
  await Tooling.bundleLauncher({
    entry: join(here, "src/launcher/launcher.ts"),
    outfile: join(dir, "booster-mcp.cjs"),
    main: mainFile
  })
  return entries
}

/** Writes DIR/main.cache: the launcher answers initialize and tools/list once and saves what V8 compiled. */
const warmCodeCache = async (dir) => {
  const scratch = await mkdtemp(join(tmpdir(), "booster-mcp-build-"))
  try {
    const line = (message) => `${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`
    Tooling.warmCodeCache({
      launcher: join(dir, "booster-mcp.cjs"),
      cache: join(dir, "main.cache"),
      input: [
        line({
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-11-25",
            capabilities: {},
            clientInfo: { name: "build", version: "0" }
          }
        }),
        line({ method: "notifications/initialized" }),
        line({ id: 2, method: "tools/list" })
      ].join(""),
      env: {
        PATH: process.env.PATH ?? "",
        HOME: scratch,
        XDG_STATE_HOME: join(scratch, "state"),
        XDG_DATA_HOME: join(scratch, "data"),
        XDG_CACHE_HOME: join(scratch, "cache")
      }
    })
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

const floor = process.argv.indexOf("--floor")
if (floor !== -1) {
  const dir = resolve(process.argv[floor + 1] ?? ".bench/floor")
  await rm(dir, { recursive: true, force: true })
  await bundleStartPath("./bench/floor.ts", dir)
  await warmCodeCache(dir)
} else {
  const dist = join(here, "dist")
  await rm(dist, { recursive: true, force: true })
  const lazyEntries = await bundleStartPath("./src/bin.ts", dist)
  await writeFile(join(dist, "booster-mcp.mjs"), 'import "./booster-mcp.cjs"\n')

  // The lazy modules. None may carry the SDK: it lives in the start path, and they share it.
  const lazy = await build({
    ...common,
    format: "esm",
    entryPoints: Object.fromEntries(lazyEntries),
    outdir: dist,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    minify: true,
    sourcemap: "linked",
    metafile: true,
    plugins: [sharedSdk],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
    }
  })
  for (const [file, output] of Object.entries(lazy.metafile.outputs)) {
    const sdk = Object.entries(output.inputs).find(
      ([input, used]) => input.includes("@modelcontextprotocol/") && used.bytesInOutput > 0
    )
    if (sdk !== undefined)
      throw new Error(`${file} carries the MCP SDK (${sdk[0]}); keep it in the start path`)
  }

  const scratch = await mkdtemp(join(tmpdir(), "booster-mcp-build-"))
  try {
    const listingModule = join(scratch, "listing.mjs")
    await build({ ...common, format: "esm", entryPoints: ["src/tools/listing.ts"], outfile: listingModule })
    const { listing } = await import(pathToFileURL(listingModule).href)
    await writeFile(join(dist, "tools.json"), `${JSON.stringify(listing())}\n`)
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  await warmCodeCache(dist)
}
