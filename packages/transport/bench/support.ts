import { type ChildProcess, spawn } from "node:child_process"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))

/** Starts the sandbox in its own process, so its work does not share this process's event loop. */
export const startSandboxProcess = (args: ReadonlyArray<string>) =>
  new Promise<{ baseUrl: string; apiKey: string; child: ChildProcess; stop: () => void }>(
    (resolve, reject) => {
      const require = createRequire(import.meta.url)
      const tsx = path.join(path.dirname(require.resolve("tsx/package.json")), "dist", "cli.mjs")
      const bin = path.join(here, "..", "..", "sandbox", "src", "bin.ts")
      const child = spawn(process.execPath, [tsx, bin, ...args], { stdio: ["ignore", "pipe", "inherit"] })
      let out = ""
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString()
        const baseUrl = /export BOOSTER_BASE_URL=(\S+)/.exec(out)?.[1]
        const apiKey = /export BOOSTER_API_KEY=(\S+)/.exec(out)?.[1]
        if (baseUrl !== undefined && apiKey !== undefined) {
          resolve({ baseUrl, apiKey, child, stop: () => child.kill("SIGINT") })
        }
      })
      child.on("exit", (code) => reject(new Error(`sandbox exited with ${code}`)))
    }
  )
