/**
 * The core of the start-up launchers of `booster` and `booster-mcp` (bundled into each app's
 * `dist/*.cjs` launcher): runs the program's bundle (`dist/main.cjs`) through a V8 code cache, so
 * that start-up skips parsing and compiling it.
 *
 * Which cache is used:
 *
 * - the cache built with the bundle (`dist/main.cache`), whenever V8 accepts it: its header names the
 *   V8 version and flags of this process and the source's length (checked against a tiny probe
 *   compiled here, so that V8 never has to reject it);
 * - otherwise the user's own, under `$XDG_CACHE_HOME/booster-export/` (else `~/.cache/…`), used only
 *   when the cache root, that folder and the file (opened without following a symbolic link and
 *   checked with `fstat` on the open file) are owned by the current user (root may own the cache
 *   root) and writable by nobody else, and when the file starts with a header naming the SHA-256 of
 *   this program's bundle (computed when it is built). A cache in a folder that fails these checks is
 *   ignored, and nothing is written there. When no cache was accepted, one is written when the
 *   process exits (file `0600`, folder `0700`, a temporary file renamed into place).
 *
 * V8 itself checks only the source's length, its own version and its flags: a cache compiled from
 * another script of the same length would run that script. The checks above are what keeps a cache
 * planted by another local user from running.
 *
 * A cache that cannot be read, is refused or cannot be written only costs start-up time; nothing is
 * printed.
 */
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  type Stats,
  unlinkSync,
  writeSync
} from "node:fs"
import Module from "node:module"
import { homedir } from "node:os"
import { join } from "node:path"
import { Script } from "node:vm"

/** What a launcher says about the program it starts. */
export interface Options {
  /** The folder of the launcher and of the bundle (`__dirname` of the launcher). */
  readonly dir: string
  /** Names the user's cache files (`<name>-….cache`), e.g. `booster`. */
  readonly name: string
  /**
   * The bundle's name in `dir`: `<bundle>.cjs`, its code cache built with it `<bundle>.cache`.
   * Default `main`.
   */
  readonly bundle?: string
  /** The SHA-256 of the bundle (`main.cjs`), hex, computed when the bundle was built. */
  readonly contentHash: string
  /**
   * Further parameters of the function the bundle runs in, after CommonJS's five, with their values
   * (e.g. booster-mcp's `__lazy`). Default: none.
   */
  readonly parameters?: Readonly<Record<string, unknown>>
  /** The `require` the bundle gets, made from the bundle's own. Default: the bundle's own. */
  readonly require?: (own: NodeJS.Require) => NodeJS.Require
  /** Runs just before a cache is created, e.g. to put back V8 flags changed since start. */
  readonly beforeCacheWrite?: () => void
}

/** The first bytes of a user cache: this magic, then the 32 bytes of the bundle's SHA-256. */
const MAGIC = Buffer.from("booster-v8cache1", "latin1")
const HEADER_SIZE = MAGIC.length + 32
/** Larger files are not read as caches (the bundled ones are a few MB). */
const MAX_CACHE_SIZE = 256 * 1024 * 1024

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants

/** Owned by `uid` (or by root, where `root` allows it) and writable by nobody else. */
const trusted = (stats: Stats, uid: number, root: boolean): boolean =>
  (stats.uid === uid || (root && stats.uid === 0)) && (stats.mode & 0o022) === 0

/**
 * `fstat` of the folder at `path`, opened without following a symbolic link: "absent" when there is
 * nothing there, undefined when it cannot be opened as a folder (a symbolic link, a file…).
 */
const statFolder = (path: string): Stats | "absent" | undefined => {
  let fd: number
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_DIRECTORY)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "absent" : undefined
  }
  try {
    return fstatSync(fd)
  } finally {
    closeSync(fd)
  }
}

interface Folders {
  /** `$XDG_CACHE_HOME`, else `~/.cache`. */
  readonly root: string
  /** Its `booster-export` folder. */
  readonly folder: string
}

/** The folders of the user's cache; undefined when the cache root is not an absolute path. */
const cacheFolders = (): Folders | undefined => {
  const root = process.env.XDG_CACHE_HOME?.trim() || join(process.env.HOME?.trim() || homedir(), ".cache")
  return root.startsWith("/") ? { root, folder: join(root, "booster-export") } : undefined
}

/**
 * The state of the cache folders: "trusted" when both exist and pass the checks, "absent" when
 * one is missing and whatever exists passes them (they may be created), else "untrusted".
 */
const checkFolders = (folders: Folders, uid: number): "trusted" | "absent" | "untrusted" => {
  const root = statFolder(folders.root)
  if (root === "absent") return "absent"
  if (root === undefined || !trusted(root, uid, true)) return "untrusted"
  const folder = statFolder(folders.folder)
  if (folder === "absent") return "absent"
  return folder !== undefined && trusted(folder, uid, false) ? "trusted" : "untrusted"
}

/**
 * Reads the V8 bytes of the user cache at `path`, if the file passes the checks and its header names
 * this bundle; says whether the file may be replaced (absent, or the user's own and not of this bundle).
 */
const readUserCache = (
  path: string,
  uid: number,
  header: Buffer
): { readonly data?: Buffer; readonly replaceable: boolean } => {
  let fd: number
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW)
  } catch (error) {
    // a symbolic link or anything else that cannot be opened is left alone
    return { replaceable: (error as NodeJS.ErrnoException).code === "ENOENT" }
  }
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile() || !trusted(stats, uid, false)) return { replaceable: false }
    if (stats.size <= HEADER_SIZE || stats.size > MAX_CACHE_SIZE) return { replaceable: true }
    const bytes = Buffer.allocUnsafe(stats.size)
    let read = 0
    while (read < bytes.length) {
      const count = readSync(fd, bytes, read, bytes.length - read, read)
      if (count === 0) break
      read += count
    }
    if (read !== bytes.length || !bytes.subarray(0, HEADER_SIZE).equals(header)) return { replaceable: true }
    return { data: bytes.subarray(HEADER_SIZE), replaceable: true }
  } catch {
    return { replaceable: false }
  } finally {
    closeSync(fd)
  }
}

/** Writes `chunks` to `path` through a new temporary file (`mode`) renamed into place. */
const writeAtomically = (path: string, chunks: ReadonlyArray<Buffer>, mode: number) => {
  const temp = `${path}.${process.pid}.tmp`
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, mode)
  try {
    for (const chunk of chunks) {
      let written = 0
      while (written < chunk.length) written += writeSync(fd, chunk, written)
    }
  } catch (error) {
    closeSync(fd)
    unlinkSync(temp)
    throw error
  }
  closeSync(fd)
  renameSync(temp, path)
}

/** Creates the missing folders (`0700`) where the existing ones pass the checks, checks them again, and writes `bytes` to `path`. */
const writeUserCache = (folders: Folders, path: string, uid: number, bytes: ReadonlyArray<Buffer>) => {
  const state = checkFolders(folders, uid)
  if (state === "untrusted") return
  if (state === "absent") mkdirSync(folders.folder, { recursive: true, mode: 0o700 })
  if (checkFolders(folders, uid) !== "trusted") return
  writeAtomically(path, bytes, 0o600)
}

/**
 * Whether V8 would accept `cache` for a classic script of `length` characters in this process: the
 * header of a V8 code cache holds a magic number, V8's version hash, the source's length and V8's
 * flag hash, the same as in the cache of a tiny probe compiled here (apart from the length).
 */
const acceptable = (cache: Buffer | undefined, probe: Buffer, length: number): cache is Buffer =>
  cache !== undefined &&
  cache.length > 16 &&
  cache.subarray(0, 8).equals(probe.subarray(0, 8)) &&
  cache.readUInt32LE(8) === length &&
  cache.subarray(12, 16).equals(probe.subarray(12, 16))

const readOrUndefined = (path: string): Buffer | undefined => {
  try {
    return readFileSync(path)
  } catch {
    return undefined
  }
}

/**
 * Runs `dir/main.cjs` (or `dir/<bundle>.cjs`) as a CommonJS module through a V8 code cache (see the
 * module's description).
 * With `BOOSTER_WRITE_CODE_CACHE` set (when building), compiles without a cache and writes the
 * cache to that path when the process exits.
 */
export const run = (options: Options): void => {
  const bundle = options.bundle ?? "main"
  const main = join(options.dir, `${bundle}.cjs`)
  const parameters = Object.entries(options.parameters ?? {})
  // The bundle is ASCII (checked when it is built): latin1 decodes it without UTF-8 validation
  const source = `(function (exports, require, module, __filename, __dirname${parameters
    .map(([name]) => `, ${name}`)
    .join("")}) {${readFileSync(main, "latin1")}\n})`

  const building = process.env.BOOSTER_WRITE_CODE_CACHE || undefined
  let cachedData: Buffer | undefined
  let writeTo: (() => void) | undefined
  let script: Script
  if (building !== undefined) {
    script = new Script(source, { filename: main })
    writeTo = () => writeAtomically(building, [script.createCachedData()], 0o644)
  } else {
    // One compilation only: once V8 has compiled the source, another Script of it comes from V8's
    // in-memory compilation cache and ignores the data it is given. So the choice is made first.
    const probe = new Script("0").createCachedData()
    const bundled = readOrUndefined(join(options.dir, `${bundle}.cache`))
    if (acceptable(bundled, probe, source.length)) {
      cachedData = bundled
    } else {
      const uid = process.getuid?.()
      const folders = cacheFolders()
      if (uid !== undefined && folders !== undefined) {
        const header = Buffer.concat([MAGIC, Buffer.from(options.contentHash, "hex")])
        const file = join(
          folders.folder,
          `${options.name}-${options.contentHash.slice(0, 16)}-${probe.subarray(4, 8).toString("hex")}${probe
            .subarray(12, 16)
            .toString("hex")}.cache`
        )
        const folderState = checkFolders(folders, uid)
        const own = folderState === "trusted" ? readUserCache(file, uid, header) : undefined
        cachedData = own?.data
        if (folderState === "absent" || own?.replaceable === true) {
          writeTo = () => writeUserCache(folders, file, uid, [header, script.createCachedData()])
        }
      }
    }
    script = new Script(source, { filename: main, ...(cachedData !== undefined ? { cachedData } : {}) })
    if (cachedData !== undefined && script.cachedDataRejected !== true) writeTo = undefined
  }
  if (writeTo !== undefined) {
    const write = writeTo
    process.once("exit", () => {
      try {
        options.beforeCacheWrite?.()
        write()
      } catch {
        // a cache that cannot be written only costs start-up time
      }
    })
  }

  const own = Module.createRequire(main)
  const wrapper = script.runInThisContext() as (...args: ReadonlyArray<unknown>) => void
  const module_ = { exports: {} }
  wrapper.call(
    module_.exports,
    module_.exports,
    options.require?.(own) ?? own,
    module_,
    main,
    options.dir,
    ...parameters.map(([, value]) => value)
  )
}

/**
 * A stand-in for a module that loads it on first use of a member: `keys` (its export names, known
 * when the bundle is built) make namespace imports and `in` see every member without loading it.
 */
export const lazyModule = (load: () => Record<string, unknown>, keys: ReadonlyArray<string>): object => {
  let loaded: Record<string, unknown> | undefined
  const real = () => {
    loaded ??= load()
    return loaded
  }
  return new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" ? undefined : real()[key as string]),
      has: (_, key) => keys.includes(key as string),
      ownKeys: () => [...keys],
      getOwnPropertyDescriptor: (_, key) =>
        keys.includes(key as string)
          ? { configurable: true, enumerable: true, get: () => real()[key as string] }
          : undefined
    }
  )
}
