// Bundles `booster`: dist/main.cjs (the program, minified CommonJS) and dist/booster.cjs (a small
// launcher that loads it through a V8 code cache), warms the cache (dist/main.cache) by running
// `export --dry-run` (`--help` is served from text rendered at build time), and renders every command's `--help` (dist/help/*.txt) with the
// program itself. See the README's performance section for the measurements.
import { execFileSync } from "node:child_process"
import { chmodSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"
import { lazyBuiltin } from "../../scripts/esbuild-lazy-builtin.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, "dist")

// Modules the program never runs: fast-check (Schema's Arbitrary), the YAML/TOML/INI readers of
// @effect/cli's config files, and ws and msgpackr (platform sockets and MsgPack). Replacing them with a stub that throws on use saves parse time.
const unused = /^(fast-check|yaml|toml|ini|ws|msgpackr)$/
const stubUnused = {
  name: "stub-unused",
  setup(build) {
    build.onResolve({ filter: unused }, (args) => ({ path: args.path, namespace: "unused" }))
    build.onLoad({ filter: /.*/, namespace: "unused" }, (args) => ({
      loader: "js",
      contents: `module.exports = new Proxy({}, { get(_, key) { if (key === "__esModule") return false; throw new Error(${JSON.stringify(`${args.path} is not bundled`)}) } })`
    }))
  }
}

// A barrel (`effect`, `@effect/cli`, the platform packages) initialises every module it re-exports
// once any lazily loaded module imports it (Effect's STM, Cron, BigDecimal…; platform sockets,
// workers, MsgPack…): imports of a barrel resolve to the namespaces this program uses instead. A
// namespace missing here fails the build, loudly.
const barrels = {
  "@effect/platform": [
    "HttpBody",
    "HttpClient",
    "HttpClientRequest",
    "HttpClientResponse",
    "HttpClientError",
    "Terminal"
  ],
  "@effect/platform-node": ["NodeHttpClient", "NodeFileSystem", "NodePath", "NodeTerminal"],
  "@effect/cli": ["Args", "Command", "HelpDoc", "Options", "Prompt"],
  effect: [
    "Arbitrary",
    "Cause",
    "Chunk",
    "Clock",
    "Config",
    "ConfigError",
    "Console",
    "Context",
    "Data",
    "DateTime",
    "Duration",
    "Effect",
    "Either",
    "Exit",
    "Fiber",
    "FiberRef",
    "JSONSchema",
    "Layer",
    "Logger",
    "LogLevel",
    "ManagedRuntime",
    "Option",
    "ParseResult",
    "Random",
    "Redacted",
    "Ref",
    "Schedule",
    "Schema",
    "SchemaAST",
    "Scope",
    "Stream"
  ]
}
const slimBarrels = {
  name: "slim-barrels",
  setup(build) {
    build.onResolve({ filter: /^(effect|@effect\/(platform|platform-node|cli))$/ }, (args) => ({
      path: args.path,
      namespace: "barrel",
      pluginData: { resolveDir: args.resolveDir }
    }))
    build.onLoad({ filter: /.*/, namespace: "barrel" }, (args) => ({
      loader: "js",
      resolveDir: args.pluginData.resolveDir,
      contents: [
        ...barrels[args.path].map((name) => `export * as ${name} from "${args.path}/${name}"`),
        ...(args.path === "effect"
          ? ['export { absurd, flow, hole, identity, pipe, unsafeCoerce } from "effect/Function"']
          : [])
      ].join("\n")
    }))
  }
}

// undici (transport's HTTP engine) is half the size of everything else and needed only by commands
// that reach the network: it is bundled on its own (dist/undici.cjs), and the launcher hands the
// program a stand-in that loads it on first use. Its export names are listed at build time.
const undiciApart = {
  name: "undici-apart",
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: "./undici.cjs", external: true }))
  }
}

// node:http and node:https (with tls and net behind them) serve only requests, which a dry run never
// sends: they load on first use.
const lazyHttp = lazyBuiltin(/^node:(http|https)$/)

rmSync(dist, { recursive: true, force: true })
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  logLevel: "warning",
  legalComments: "none"
}
await esbuild.build({
  ...common,
  entryPoints: [join(here, "src/bin.ts")],
  outfile: join(dist, "main.cjs"),
  minify: process.env.BOOSTER_BUILD_READABLE === undefined,
  keepNames: false,
  plugins: [stubUnused, slimBarrels, undiciApart, lazyHttp],
  define: { "import.meta.url": "__import_meta_url" },
  banner: { js: 'var __import_meta_url=require("node:url").pathToFileURL(__filename).href;' }
})
// The launcher reads the bundle as latin1 (no UTF-8 validation): it must stay ASCII, which esbuild's
// default charset gives; a byte above 127 fails the build.
const nonAscii = readFileSync(join(dist, "main.cjs")).findIndex((byte) => byte > 127)
if (nonAscii !== -1) throw new Error(`dist/main.cjs is not ASCII (byte ${nonAscii})`)
await esbuild.build({
  ...common,
  // resolved where @effect/platform-node (its user) resolves it, so the version is the same
  stdin: {
    contents: 'module.exports = require("undici")',
    resolveDir: realpathSync(join(here, "node_modules/@effect/platform-node"))
  },
  outfile: join(dist, "undici.cjs"),
  minify: true
})
const undiciKeys = Object.keys(createRequire(import.meta.url)(join(dist, "undici.cjs")))
await esbuild.build({
  ...common,
  define: { __UNDICI_KEYS__: JSON.stringify(undiciKeys) },
  entryPoints: [join(here, "src/launcher/launcher.ts")],
  outfile: join(dist, "booster.cjs"),
  banner: { js: "#!/usr/bin/env node" }
})
chmodSync(join(dist, "booster.cjs"), 0o755)

const warm = (args) =>
  execFileSync(process.execPath, [join(dist, "booster.cjs"), ...args], {
    stdio: "ignore",
    env: {
      ...process.env,
      BOOSTER_WRITE_CODE_CACHE: join(dist, "main.cache"),
      BOOSTER_BASE_URL: "https://booster.example.com/api",
      BOOSTER_API_KEY: "warm-up",
      XDG_CONFIG_HOME: join(dist, ".warm"),
      XDG_STATE_HOME: join(dist, ".warm")
    }
  })
warm(["export", "--brand", "CAR", "--pos-code", "ES100", "--interest", "Watches=CA-1", "--dry-run", "--json"])
warm(["export", "--brand", "CAR", "--pos-code", "ES100", "--dry-run"])
rmSync(join(dist, ".warm"), { recursive: true, force: true })

// Every command's --help, rendered by @effect/cli in the bundle (with colour; the launcher strips
// it when stdout is not a colour terminal).
// The command paths come from the program's own command tree.
const commands = JSON.parse(
  execFileSync(process.execPath, [join(dist, "main.cjs")], {
    encoding: "utf8",
    env: { ...process.env, BOOSTER_HELP_PATHS: "1" }
  })
)
mkdirSync(join(dist, "help"))
for (const command of commands) {
  const text = execFileSync(process.execPath, [join(dist, "main.cjs"), ...command, "--help"], {
    encoding: "utf8",
    env: { ...process.env, BOOSTER_RENDER_HELP: "1" }
  })
  writeFileSync(join(dist, "help", `${["booster", ...command].join("-")}.txt`), text)
}
