/**
 * `booster-mcp --http` replicas as a team runs them: separate homes (separate local state, as on
 * separate machines), one PostgreSQL database for the journal, one fingerprint key file, one API.
 */
import { randomBytes } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import type { Sandbox } from "@booster-export/sandbox"
import {
  type Connected,
  connectHttp,
  type HttpProcess,
  sandboxEnv,
  serverEnv,
  startSandbox,
  tempDirs
} from "./harness.js"
import { freshDatabase } from "./pg.js"

/** The running replicas, their API and database; `close` stops and removes everything. */
export interface Team {
  readonly sandbox: Sandbox.RunningSandbox
  readonly journalUrl: string
  readonly replicas: ReadonlyArray<Connected & HttpProcess>
  readonly close: () => Promise<void>
}

/** Starts `count` replicas with the server arguments `args`, each connected with the SDK 1.x client. */
export const startTeam = async (count: number, args: ReadonlyArray<string>): Promise<Team> => {
  const sandbox = await startSandbox({ customers: 500, taskDurationMs: 60_000 })
  const cleanups: Array<() => Promise<void>> = []
  const replicas: Array<Connected & HttpProcess> = []
  const close = async () => {
    await Promise.allSettled(replicas.map((replica) => replica.close()))
    for (const replica of replicas) replica.process.kill("SIGKILL")
    await sandbox.close()
    for (const cleanup of cleanups) await cleanup()
  }
  try {
    const journalUrl = await freshDatabase()
    const shared = await tempDirs()
    cleanups.push(shared.remove)
    const keyFile = join(shared.root, "team.key")
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600 })
    for (let i = 0; i < count; i++) {
      const dirs = await tempDirs()
      cleanups.push(dirs.remove)
      const env = serverEnv(dirs, {
        ...sandboxEnv(sandbox),
        BOOSTER_JOURNAL_URL: journalUrl,
        BOOSTER_FINGERPRINT_KEY_FILE: keyFile
      })
      replicas.push(await connectHttp(args, env))
    }
    return { sandbox, journalUrl, replicas, close }
  } catch (error) {
    await close()
    throw error
  }
}
