/**
 * The attacker of the launchers' code-cache tests: another local user who can write where a launcher
 * reads its user code cache plants a V8 code cache compiled from another script of the same length as
 * the program. V8 checks only the source's length, its own version and flags, so a launcher that
 * takes such a file runs the planted script with its user's credentials.
 */
import { execFile } from "node:child_process"
import { cp, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"

/** The planted caches, in the two shapes an attacker can give them. */
export interface PlantedCache {
  /** The V8 code cache of the planted script, as V8 wrote it. */
  readonly bare: Buffer
  /** The same, behind the header the launcher writes in front of its own caches (empty for none). */
  readonly asTheLaunchersOwn: Buffer
}

/**
 * Compiles a script that writes `marker` when it runs, of exactly the length of `dist/main.cjs`,
 * through the launcher `dist/<launcher>` itself (its build mode, `BOOSTER_WRITE_CODE_CACHE`), so that
 * V8 wraps it as it wraps the program. `legitimate` is a user cache the launcher wrote for this
 * program: whatever it puts in front of V8's bytes is copied in front of the planted ones, as an
 * attacker reading the program and a cache of their own would. The marker the compilation itself
 * wrote is removed.
 */
export const plant = async (options: {
  readonly dist: string
  readonly launcher: string
  readonly legitimate: Buffer
  readonly marker: string
}): Promise<PlantedCache> => {
  const evil = await mkdtemp(join(tmpdir(), "booster-planted-"))
  try {
    await cp(options.dist, evil, { recursive: true })
    const length = (await stat(join(options.dist, "main.cjs"))).size
    const code = `require("node:fs").writeFileSync(${JSON.stringify(options.marker)}, "planted");//`
    if (code.length > length) throw new Error("the program is shorter than the planted script")
    await writeFile(join(evil, "main.cjs"), code.padEnd(length, " "), "latin1")
    const cache = join(evil, "planted.cache")
    await promisify(execFile)(process.execPath, [join(evil, options.launcher)], {
      env: { PATH: process.env.PATH ?? "", HOME: evil, BOOSTER_WRITE_CODE_CACHE: cache }
    })
    await rm(options.marker, { force: true })
    const bare = await readFile(cache)
    // V8's own header starts with a magic number and its version hash, the same in every cache
    const start = options.legitimate.indexOf(bare.subarray(0, 8))
    if (start === -1) throw new Error("the launcher's cache holds no V8 code cache of this Node")
    return { bare, asTheLaunchersOwn: Buffer.concat([options.legitimate.subarray(0, start), bare]) }
  } finally {
    await rm(evil, { recursive: true, force: true })
  }
}
