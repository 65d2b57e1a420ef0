// Bundles `booster`: dist/main.cjs (the program, minified CommonJS), dist/dry-run.cjs (the dry run's
// fast path) and dist/booster.cjs (a small launcher that loads one of them through a V8 code cache),
// warms the caches (dist/main.cache, dist/dry-run.cache) by running `export --dry-run` through each
// (`--help` is served from text rendered at build time), and renders every command's `--help`
// (dist/help/*.txt) with the program itself. See the README's performance section for the measurements.
import { execFileSync } from "node:child_process"
import { mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import {
  assertAscii,
  bundleLauncher,
  common,
  contentHash,
  importMetaUrl,
  lazyBuiltin,
  slimBarrels,
  stubUnused,
  warmCodeCache
} from "@booster-export/tooling/build"
import * as esbuild from "esbuild"

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, "dist")

// Modules the program never runs: fast-check (Schema's Arbitrary), the YAML/TOML/INI readers of
// @effect/cli's config files, and ws and msgpackr (platform sockets and MsgPack).
const unused = stubUnused(/^(fast-check|yaml|toml|ini|ws|msgpackr)$/)

// The barrels' namespaces this program uses (Effect's STM, Cron, BigDecimal…; platform sockets,
// workers, MsgPack… stay out).
const barrels = slimBarrels(
  {
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
      "Cron",
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
  },
  { effect: ['export { absurd, flow, hole, identity, pipe, unsafeCoerce } from "effect/Function"'] }
)

// The few namespaces of Effect the dry run's fast path uses.
const dryRunBarrels = slimBarrels(
  {
    effect: [
      "Cause",
      "Clock",
      "Config",
      "ConfigError",
      "Context",
      "Data",
      "DateTime",
      "Duration",
      "Effect",
      "Either",
      "Exit",
      "Fiber",
      "JSONSchema",
      "Layer",
      "Option",
      "ParseResult",
      "Redacted",
      "Schema",
      "SchemaAST",
      "Scope"
    ]
  },
  { effect: ['export { absurd, flow, hole, identity, pipe, unsafeCoerce } from "effect/Function"'] }
)

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
const cjs = { ...common, format: "cjs" }
await esbuild.build({
  ...cjs,
  ...importMetaUrl,
  entryPoints: [join(here, "src/bin.ts")],
  outfile: join(dist, "main.cjs"),
  minify: process.env.BOOSTER_BUILD_READABLE === undefined,
  keepNames: false,
  // the schedules' SQLite driver is a native module, and the SFTP and S3 clients are large and used
  // only by scheduled runs: loaded from the package's dependencies, so that start-up stays fast
  external: ["better-sqlite3", "ssh2", "@aws-sdk/client-s3"],
  plugins: [unused, barrels, undiciApart, lazyHttp]
})
assertAscii(join(dist, "main.cjs"))
await esbuild.build({
  ...cjs,
  // resolved where @effect/platform-node (its user) resolves it, so the version is the same
  stdin: {
    contents: 'module.exports = require("undici")',
    resolveDir: realpathSync(join(here, "node_modules/@effect/platform-node"))
  },
  outfile: join(dist, "undici.cjs"),
  minify: true
})
// The dry run's fast path (dist/dry-run.cjs): core, transport's request preparation and the dry run
// itself, without the command framework, the platform packages or the command tree.
await esbuild.build({
  ...cjs,
  ...importMetaUrl,
  entryPoints: [join(here, "src/dry-run.ts")],
  outfile: join(dist, "dry-run.cjs"),
  minify: process.env.BOOSTER_BUILD_READABLE === undefined,
  keepNames: false,
  plugins: [unused, dryRunBarrels]
})
assertAscii(join(dist, "dry-run.cjs"))
const undiciKeys = Object.keys(createRequire(import.meta.url)(join(dist, "undici.cjs")))
await bundleLauncher({
  entry: join(here, "src/launcher/launcher.ts"),
  outfile: join(dist, "booster.cjs"),
  main: join(dist, "main.cjs"),
  define: {
    __UNDICI_KEYS__: JSON.stringify(undiciKeys),
    __BOOSTER_DRY_RUN_SHA256__: JSON.stringify(contentHash(join(dist, "dry-run.cjs")))
  }
})

const warm = (args, bundle = "main") =>
  warmCodeCache({
    launcher: join(dist, "booster.cjs"),
    cache: join(dist, `${bundle}.cache`),
    args,
    env: {
      ...process.env,
      // the full program's cache is warmed on the export path too (a dry run it is handed)
      ...(bundle === "main" ? { BOOSTER_NO_FAST_PATH: "1" } : {}),
      BOOSTER_BASE_URL: "https://booster.example.com/api",
      BOOSTER_API_KEY: "warm-up",
      XDG_CONFIG_HOME: join(dist, ".warm"),
      XDG_STATE_HOME: join(dist, ".warm")
    }
  })
warm(["export", "--brand", "CAR", "--pos-code", "ES100", "--interest", "Watches=CA-1", "--dry-run", "--json"])
warm(["export", "--brand", "CAR", "--pos-code", "ES100", "--dry-run"])
warm(
  ["export", "--brand", "CAR", "--pos-code", "ES100", "--interest", "Watches=CA-1", "--dry-run", "--json"],
  "dry-run"
)
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
  const long = execFileSync(process.execPath, [join(dist, "main.cjs"), "help", ...command, "--long"], {
    encoding: "utf8",
    env: { ...process.env, BOOSTER_RENDER_HELP: "1" }
  })
  writeFileSync(join(dist, "help", `${["booster", ...command].join("-")}.long.txt`), long)
}
