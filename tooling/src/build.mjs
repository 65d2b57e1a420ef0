/**
 * The build helpers shared by `apps/cli/build.mjs` and `apps/mcp-server/build.mjs`: esbuild plugins
 * that keep the start path small (lazily loaded built-ins, stubs for modules a program never runs,
 * slim barrels), the checks a bundle must pass, and the launcher and code-cache steps.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmodSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { build } from "esbuild"

const require = createRequire(import.meta.url)

/** esbuild options every bundle of the apps starts from: Node 20, no legal comments, warnings shown. */
export const common = {
  bundle: true,
  platform: /** @type {const} */ ("node"),
  target: "node20",
  legalComments: /** @type {const} */ ("none"),
  logLevel: /** @type {const} */ ("warning")
}

/**
 * esbuild options for a CommonJS bundle of ES modules that read `import.meta.url`: it becomes the
 * bundle's own file URL.
 */
export const importMetaUrl = {
  define: { "import.meta.url": "__import_meta_url" },
  banner: { js: 'var __import_meta_url=require("node:url").pathToFileURL(__filename).href;' }
}

/**
 * An esbuild plugin: imports of the Node built-in modules matching `filter` (e.g.
 * `/^node:(http|https)$/`) resolve to a stand-in that requires the real module on first use, so that
 * starting does not load what only some runs need. The module's export names are listed at build
 * time, so that namespace imports see every member.
 * @param {RegExp} filter
 * @returns {import("esbuild").Plugin}
 */
export const lazyBuiltin = (filter) => ({
  name: "lazy-builtin",
  setup(b) {
    b.onResolve({ filter }, (args) =>
      args.namespace === "lazy-builtin" ? undefined : { path: args.path, namespace: "lazy-builtin" }
    )
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => {
      const keys = JSON.stringify(Object.keys(require(args.path)))
      return {
        loader: "js",
        contents: `let real
const load = () => (real ??= require(${JSON.stringify(args.path)}))
const keys = ${keys}
module.exports = new Proxy({}, {
  get: (_, key) => (key === "__esModule" ? undefined : load()[key]),
  has: (_, key) => keys.includes(key),
  ownKeys: () => [...keys],
  getOwnPropertyDescriptor: (_, key) =>
    keys.includes(key) ? { configurable: true, enumerable: true, get: () => load()[key] } : undefined
})`
      }
    })
  }
})

/**
 * An esbuild plugin: the modules matching `filter` (packages a program never runs) are replaced with
 * a stub that throws on use, which saves their parse time.
 * @param {RegExp} filter
 * @returns {import("esbuild").Plugin}
 */
export const stubUnused = (filter) => ({
  name: "stub-unused",
  setup(b) {
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: "unused" }))
    b.onLoad({ filter: /.*/, namespace: "unused" }, (args) => ({
      loader: "js",
      contents: `module.exports = new Proxy({}, { get(_, key) { if (key === "__esModule") return false; throw new Error(${JSON.stringify(`${args.path} is not bundled`)}) } })`
    }))
  }
})

/**
 * An esbuild plugin: a barrel (`effect`, `@effect/cli`, the platform packages) initialises every
 * module it re-exports once any module imports it; imports of the barrels named in `barrels` resolve
 * to the namespaces listed for them instead (`export * as Name from "barrel/Name"`), plus `extra`
 * lines of their own. A namespace missing from a list fails the build, loudly.
 * @param {Readonly<Record<string, ReadonlyArray<string>>>} barrels
 * @param {Readonly<Record<string, ReadonlyArray<string>>>} [extra]
 * @returns {import("esbuild").Plugin}
 */
export const slimBarrels = (barrels, extra = {}) => {
  const names = Object.keys(barrels).map((name) => name.replace(/[/.]/g, "\\$&"))
  return {
    name: "slim-barrels",
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(${names.join("|")})$`) }, (args) => ({
        path: args.path,
        namespace: "barrel",
        pluginData: { resolveDir: args.resolveDir }
      }))
      b.onLoad({ filter: /.*/, namespace: "barrel" }, (args) => ({
        loader: "js",
        resolveDir: args.pluginData.resolveDir,
        contents: [
          ...(barrels[args.path] ?? []).map((name) => `export * as ${name} from "${args.path}/${name}"`),
          ...(extra[args.path] ?? [])
        ].join("\n")
      }))
    }
  }
}

/**
 * Fails when `file` holds a byte above 127: the launcher reads the bundle as latin1 (no UTF-8
 * validation), which esbuild's default charset allows.
 * @param {string} file
 * @param {string} [text] the file's text, when already read as latin1
 */
export const assertAscii = (file, text) => {
  const bytes = text === undefined ? readFileSync(file) : Buffer.from(text, "latin1")
  const index = bytes.findIndex((byte) => byte > 127)
  if (index !== -1) throw new Error(`${file} is not ASCII (byte ${index})`)
}

/**
 * The SHA-256 of a finished bundle, hex: a launcher accepts only user caches whose header names it.
 * @param {string} file
 */
export const contentHash = (file) => createHash("sha256").update(readFileSync(file)).digest("hex")

/**
 * Bundles a launcher (`entry`, a TypeScript file calling `Launcher.run`) into `outfile`, executable,
 * with the SHA-256 of the finished bundle `main` as `__BOOSTER_MAIN_SHA256__`: the launcher accepts
 * only user caches whose header names it.
 * @param {{ entry: string, outfile: string, main: string, define?: Record<string, string> }} options
 */
export const bundleLauncher = async ({ entry, outfile, main, define = {} }) => {
  const hash = contentHash(main)
  await build({
    ...common,
    format: "cjs",
    entryPoints: [entry],
    outfile,
    define: { ...define, __BOOSTER_MAIN_SHA256__: JSON.stringify(hash) },
    banner: { js: "#!/usr/bin/env node" }
  })
  chmodSync(outfile, 0o755)
}

/**
 * Writes the code cache built with the bundle (`cache`, mode 0644): runs `launcher` once with `args`
 * (and `input` on stdin) so that V8 compiles what a start uses, and saves it when the process exits.
 * @param {{ launcher: string, cache: string, args?: ReadonlyArray<string>, input?: string, env: Record<string, string | undefined> }} options
 */
export const warmCodeCache = ({ launcher, cache, args = [], input, env }) => {
  execFileSync(process.execPath, [launcher, ...args], {
    ...(input === undefined ? { stdio: "ignore" } : { input, stdio: ["pipe", "ignore", "inherit"] }),
    env: { ...env, BOOSTER_WRITE_CODE_CACHE: cache }
  })
  chmodSync(cache, 0o644)
}
