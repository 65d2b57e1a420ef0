import { execFileSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** Bundles the server once, so that the tests run the binary a user runs. */
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..")
  execFileSync(process.execPath, ["build.mjs"], { cwd: root, stdio: "inherit" })
}
