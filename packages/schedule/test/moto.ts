/**
 * An S3-compatible server on 127.0.0.1 for the tests: `moto_server` (Python's moto, which honours
 * `If-None-Match: *` on PutObject as S3 does). `.ci/run` installs it when missing; outside CI a
 * missing one skips the S3 tests, saying why, and under CI=true it is an error.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { createServer } from "node:net"

export const motoCheck = (): { readonly available: boolean; readonly reason: string } => {
  const probe = spawnSync("moto_server", ["--help"], { encoding: "utf8" })
  if (probe.error === undefined && probe.status === 0) return { available: true, reason: "" }
  const reason = "moto_server is not installed, so the S3 tests cannot run (pip install 'moto[server]')"
  if (process.env.CI === "true") throw new Error(`CI=true: ${reason}`)
  console.warn(`Skipping S3 tests: ${reason}`)
  return { available: false, reason }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

export interface RunningMoto {
  readonly endpoint: string
  readonly close: () => Promise<void>
}

export const startMoto = async (): Promise<RunningMoto> => {
  const port = await freePort()
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore"
  })
  const endpoint = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    const up = await fetch(`${endpoint}/moto-api/`).then(
      () => true,
      () => false
    )
    if (up) break
    if (Date.now() > deadline) throw new Error("moto_server did not start")
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return {
    endpoint,
    close: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
      })
  }
}
