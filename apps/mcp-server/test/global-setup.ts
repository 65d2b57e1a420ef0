import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { ensureBuilt } from "@booster-export/tooling/bundle"

/** Builds the bundle when it is missing or stale, once, so that the tests run the binary a user runs. */
export default function setup(): void {
  ensureBuilt(join(dirname(fileURLToPath(import.meta.url)), ".."), [
    "dist/main.cjs",
    "dist/booster-mcp.cjs",
    "dist/tools.json",
    "dist/main.cache"
  ])
}
