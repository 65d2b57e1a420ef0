/**
 * Lock files shared by every process on a machine: the journal's appends, its start locks and the
 * consent token file take turns under them. A lock is a file created exclusively in a `locks` folder
 * (mode 0700, the file 0600) and removed afterwards; one left by a process that has ended (on this
 * host) or older than its stale age is taken over, by one taker only.
 */
import { createHash, randomUUID } from "node:crypto"
import type { BigIntStats } from "node:fs"
import { mkdir, open, readFile, stat, unlink } from "node:fs/promises"
import { hostname } from "node:os"
import { join } from "node:path"
import { Duration, Effect } from "effect"

const inProcess = new Map<string, Effect.Semaphore>()
const semaphoreFor = (path: string): Effect.Semaphore => {
  let semaphore = inProcess.get(path)
  if (semaphore === undefined) {
    semaphore = Effect.unsafeMakeSemaphore(1)
    inProcess.set(path, semaphore)
  }
  return semaphore
}

export const errorCodeOf = (error: unknown): unknown =>
  typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errorCodeOf(error) === "EPERM"
  }
}

type Attempt = "held" | "busy" | { readonly failed: unknown }

/**
 * How long a takeover marker may stand before it is judged left by a process that crashed while
 * taking over a stale lock: 10 seconds (a takeover takes a few file operations).
 */
const TAKEOVER_STALE_MS = 10_000

/** A short, file-name-safe digest of a text. */
const digest = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16)

/** One instance of a file: its inode and modification time (a new file at the same path differs). */
const instanceOf = (info: Pick<BigIntStats, "ino" | "mtimeNs">): string => `${info.ino}-${info.mtimeNs}`

/**
 * Removes the lock at `path`, judged stale as `instance`, when this process is the one taker of that
 * instance: the taker is whoever creates the marker `<lock>.<instance>.takeover` exclusively. It
 * removes the lock only if it is still that instance (no other process may remove it meanwhile), then
 * its marker. A marker older than {@link TAKEOVER_STALE_MS} (its taker crashed) is passed by creating
 * a marker named after it in the same way, so that of several processes only one passes it.
 */
const takeOver = async (path: string, instance: string): Promise<void> => {
  let marker = `${path}.${digest(instance)}.takeover`
  const passed: Array<string> = []
  for (;;) {
    try {
      await (await open(marker, "wx", 0o600)).close()
      break
    } catch (error) {
      if (errorCodeOf(error) !== "EEXIST") return
    }
    const info = await stat(marker, { bigint: true }).catch(() => undefined)
    // another process is taking it over (or has just done so): try again from the start
    if (info === undefined || Date.now() - Number(info.mtimeMs) <= TAKEOVER_STALE_MS) return
    if (passed.length >= 4) return
    passed.push(marker)
    marker = `${marker}.${digest(instanceOf(info))}`
  }
  try {
    const current = await stat(path, { bigint: true }).catch(() => undefined)
    if (current !== undefined && instanceOf(current) === instance) await unlink(path)
  } finally {
    await Promise.all([marker, ...passed].map((name) => unlink(name).catch(() => undefined)))
  }
}

/** A lock file's status and text, both of the one file opened. */
const readLock = async (path: string): Promise<{ readonly info: BigIntStats; readonly text: string }> => {
  const handle = await open(path, "r")
  try {
    return { info: await handle.stat({ bigint: true }), text: await handle.readFile("utf8") }
  } finally {
    await handle.close()
  }
}

/** One try at creating the lock file; a stale one (its process ended, or too old) is taken over. */
const tryLock = async (directory: string, path: string, token: string, staleMs: number): Promise<Attempt> => {
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 })
    const handle = await open(path, "wx", 0o600)
    try {
      await handle.writeFile(JSON.stringify({ token, pid: process.pid, host: hostname() }))
    } catch (error) {
      await unlink(path).catch(() => undefined)
      throw error
    } finally {
      await handle.close()
    }
    return "held"
  } catch (error) {
    if (errorCodeOf(error) !== "EEXIST") return { failed: error }
  }
  try {
    // the age, the owner and the instance all come from the one file opened
    const { info, text } = await readLock(path)
    let owner: { pid?: unknown; host?: unknown } = {}
    try {
      owner = JSON.parse(text) as typeof owner
    } catch {
      // being written: judged by its age only
    }
    const ended = owner.host === hostname() && typeof owner.pid === "number" && !isAlive(owner.pid)
    if (ended || Date.now() - Number(info.mtimeMs) > staleMs) await takeOver(path, instanceOf(info))
  } catch {
    // released or taken over meanwhile: try again
  }
  return "busy"
}

const unlock = async (path: string, token: string): Promise<void> => {
  try {
    const text = await readFile(path, "utf8")
    if ((JSON.parse(text) as { token?: unknown }).token === token) await unlink(path)
  } catch {
    // already gone, or taken over as stale
  }
}

/**
 * Runs `effect` holding the lock file `<locks>/<name>` (and an in-process semaphore for it), waiting
 * for it by polling every 20–100 ms (interruptible while waiting only). When no lock file can be
 * created (a full disk, a read-only folder), fails with `unwritable(cause)` (the system's error, which
 * names the lock) without running `effect`.
 */
export const withLockFile =
  <F>(locks: string, name: string, staleMs: number, unwritable: (cause: unknown) => F) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | F, R> => {
    const path = join(locks, name)
    // Interruptible only while waiting: between creating the lock file and arranging its removal
    // nothing can stop this fiber, so a lock is never left behind by an interruption.
    return Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        const token = randomUUID()
        let wait = 20
        for (;;) {
          const attempt = yield* Effect.promise(() => tryLock(locks, path, token, staleMs))
          if (attempt === "held") break
          if (attempt !== "busy") return yield* Effect.fail(unwritable(attempt.failed))
          yield* restore(Effect.sleep(Duration.millis(wait)))
          wait = Math.min(100, wait * 2)
        }
        return yield* restore(effect).pipe(Effect.ensuring(Effect.promise(() => unlock(path, token))))
      })
    ).pipe(semaphoreFor(path).withPermits(1))
  }
