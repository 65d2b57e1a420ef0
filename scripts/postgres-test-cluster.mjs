/**
 * A vitest globalSetup: starts a throw-away PostgreSQL cluster on a free 127.0.0.1 port for the
 * tests of the team journal, and removes it afterwards. The URL (with a password, so that tests can
 * check it never leaks) is put in `BOOSTER_TEST_PG_URL` for the test workers and the processes they
 * spawn. One cluster serves the whole run: when the URL (or the reason to skip) is already set — by
 * another package's setup in the same `vitest` run, or by the caller — it is used as it is. Every
 * test creates its own database in it (`CREATE DATABASE` with a random name), so that packages and
 * files running side by side never share one.
 *
 * Without PostgreSQL on the machine the tests that need it are skipped, with the reason in
 * `BOOSTER_TEST_PG_SKIP`; with `CI=true` a missing PostgreSQL fails the run instead.
 * PostgreSQL refuses to run as root: as root, the cluster is created and run as the `postgres` user.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

const PASSWORD = "s3cret-journal-pw"

const binDir = () => {
  try {
    return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim()
  } catch {
    // Debian keeps each major version's programs apart: take the newest
    const base = "/usr/lib/postgresql"
    const versions = existsSync(base)
      ? readdirSync(base)
          .filter((name) => existsSync(join(base, name, "bin", "initdb")))
          .sort((a, b) => Number(b) - Number(a))
      : []
    return versions.length > 0 ? join(base, versions[0], "bin") : undefined
  }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const userIds = (name) => {
  const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim())
  const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim())
  return { uid, gid }
}

export default async function setup() {
  if (process.env.BOOSTER_TEST_PG_URL !== undefined || process.env.BOOSTER_TEST_PG_SKIP !== undefined) {
    return () => {}
  }
  const bin = binDir()
  if (bin === undefined) {
    const reason =
      "PostgreSQL is not installed (neither pg_config nor /usr/lib/postgresql/*/bin/initdb): the team-journal tests were skipped"
    if (process.env.CI === "true") throw new Error(`${reason}; CI needs it (apt-get install -y postgresql)`)
    process.env.BOOSTER_TEST_PG_SKIP = reason
    console.warn(reason)
    return () => {}
  }
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0
  const root = mkdtempSync(join(tmpdir(), "booster-pg-"))
  chmodSync(root, 0o755)
  const data = join(root, "data")
  const pwfile = join(root, "pw")
  writeFileSync(pwfile, `${PASSWORD}\n`)
  if (asRoot) {
    const { uid, gid } = userIds("postgres")
    chownSync(root, uid, gid)
    chownSync(pwfile, uid, gid)
  }
  const run = (program, args) => {
    const command = asRoot ? "runuser" : join(bin, program)
    const argv = asRoot ? ["-u", "postgres", "--", join(bin, program), ...args] : args
    const result = spawnSync(command, argv, { encoding: "utf8", cwd: root })
    if (result.status !== 0) {
      throw new Error(`${program} failed: ${result.stderr || result.stdout || result.error?.message}`)
    }
  }
  const port = await freePort()
  run("initdb", [
    "-D",
    data,
    "-U",
    "booster",
    `--pwfile=${pwfile}`,
    "--auth-host=scram-sha-256",
    "--auth-local=trust",
    "-E",
    "UTF8",
    "--no-sync"
  ])
  run("pg_ctl", [
    "-D",
    data,
    "-w",
    "-l",
    join(root, "log"),
    "-o",
    `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400`,
    "start"
  ])
  process.env.BOOSTER_TEST_PG_URL = `postgres://booster:${PASSWORD}@127.0.0.1:${port}/postgres`
  process.env.BOOSTER_TEST_PG_PASSWORD = PASSWORD
  return () => {
    try {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }
}
