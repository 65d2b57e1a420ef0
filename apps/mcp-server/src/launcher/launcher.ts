/**
 * The start-up launcher (`dist/booster-mcp.cjs`): runs the server's start path (`dist/main.cjs`: the
 * MCP SDK, the options, stdio and HTTP serving) through a V8 code cache, so that answering
 * `initialize` and `tools/list` skips parsing and compiling it (`@booster-export/tooling`'s
 * `Launcher`: the cache built with the bundle when this Node accepts it, else the user's own under
 * `$XDG_CACHE_HOME/booster-export/`, trusted only when it is provably this program's and no one else
 * can write it).
 *
 * The tools, Effect and the API client are ES modules (`dist/lazy/`), imported on first use through
 * the `__lazy` function this launcher hands the start path (a script run from a code cache has no
 * dynamic-import hook of its own).
 */
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as Launcher from "@booster-export/tooling/launcher"

declare const __BOOSTER_MAIN_SHA256__: string

Launcher.run({
  dir: __dirname,
  name: "booster-mcp",
  contentHash: __BOOSTER_MAIN_SHA256__,
  parameters: {
    __lazy: (specifier: string): Promise<unknown> => import(pathToFileURL(join(__dirname, specifier)).href)
  }
})
