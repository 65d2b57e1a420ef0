import { existsSync } from "node:fs"
import { chmod, chown, cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { plant } from "@booster-export/tooling/planted-cache"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { appDir, booster, ensureBuilt, freshHome } from "./helpers.js"

const dist = join(appDir, "dist")
const made: Array<string> = []

beforeAll(() => ensureBuilt())
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true })
})

/** A copy of the built program whose bundled code cache is `cache` (removed when undefined). */
const copyWithCache = async (cache: string | undefined): Promise<string> => {
  const copy = await mkdtemp(join(tmpdir(), "booster-cli-launcher-"))
  made.push(copy)
  await cp(dist, copy, { recursive: true })
  if (cache === undefined) await rm(join(copy, "main.cache"))
  else await writeFile(join(copy, "main.cache"), cache)
  return join(copy, "booster.cjs")
}

/**
 * A dry run of an export through the given launcher: the whole program (`BOOSTER_NO_FAST_PATH`),
 * unless `fast`, which runs the dry run's fast path (dist/dry-run.cjs).
 */
const runDryRun = (bin: string, home: Record<string, string>, fast = false) => {
  const env = {
    ...home,
    BOOSTER_BASE_URL: "https://booster.example.com",
    BOOSTER_API_KEY: "k-test",
    ...(fast ? {} : { BOOSTER_NO_FAST_PATH: "1" })
  }
  return booster(["export", "--dry-run", "--brand", "CAR", "--pos-code", "P1", "--json"], {
    env,
    binary: bin
  })
}

/** The dry run worked: the program ran and showed the request it would send. */
const expectWorked = (result: Awaited<ReturnType<typeof runDryRun>>) => {
  expect(result.stderr).not.toMatch(/cache|error/i)
  expect(result.code).toBe(0)
  expect(JSON.parse(result.stdout)).toMatchObject({ method: "POST", body: { brand: "CAR" } })
}

const dryRun = async (bin: string, home: Record<string, string>, fast = false) =>
  expectWorked(await runDryRun(bin, home, fast))

const cacheFiles = async (cacheHome: string): Promise<ReadonlyArray<string>> =>
  (await readdir(join(cacheHome, "booster-export")).catch(() => [])).filter((name) =>
    name.startsWith("booster-")
  )

describe("the start-up launcher", () => {
  it("starts from the code cache built with the bundle and writes no cache of its own", async () => {
    const home = freshHome()
    made.push(home.root)
    await dryRun(join(dist, "booster.cjs"), home.env)
    expect(await cacheFiles(home.env.XDG_CACHE_HOME)).toEqual([])
  })

  it("without a usable bundled cache, writes one only its user can read and starts from it next time", async () => {
    const home = freshHome()
    made.push(home.root)
    const bin = await copyWithCache("not a V8 code cache")
    await dryRun(bin, home.env)
    const [written, ...others] = await cacheFiles(home.env.XDG_CACHE_HOME)
    expect(others).toEqual([])
    expect(written).toMatch(/^booster-[0-9a-f]{16}-[0-9a-f]{16}\.cache$/)
    const folder = join(home.env.XDG_CACHE_HOME, "booster-export")
    const file = join(folder, written!)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(folder)).mode & 0o777).toBe(0o700)
    const first = await readFile(file)
    await dryRun(bin, home.env)
    expect(await cacheFiles(home.env.XDG_CACHE_HOME)).toEqual([written])
    expect((await readFile(file)).equals(first)).toBe(true)
  })

  it("under a V8 flag the bundled cache was not built with, writes the user's cache and starts from it next time", async () => {
    const home = freshHome()
    made.push(home.root)
    const env = { ...home.env, NODE_OPTIONS: "--max-old-space-size=1000" }
    await dryRun(join(dist, "booster.cjs"), env)
    const [written, ...others] = await cacheFiles(home.env.XDG_CACHE_HOME)
    expect(others).toEqual([])
    const file = join(home.env.XDG_CACHE_HOME, "booster-export", written!)
    const first = await stat(file)
    await dryRun(join(dist, "booster.cjs"), env)
    expect((await stat(file)).mtimeMs).toBe(first.mtimeMs)
    // without the flag the bundled cache is used again, and the user's is left alone
    await dryRun(join(dist, "booster.cjs"), home.env)
    expect(await cacheFiles(home.env.XDG_CACHE_HOME)).toEqual([written])
  })

  it("runs the dry run's fast path from its own bundled cache, else from a cache of the user's named after it", async () => {
    const home = freshHome()
    made.push(home.root)
    await dryRun(join(dist, "booster.cjs"), home.env, true)
    expect(await cacheFiles(home.env.XDG_CACHE_HOME)).toEqual([])
    const copy = dirname(await copyWithCache(undefined))
    await writeFile(join(copy, "dry-run.cache"), "not a V8 code cache")
    await dryRun(join(copy, "booster.cjs"), home.env, true)
    const [written, ...others] = await cacheFiles(home.env.XDG_CACHE_HOME)
    expect(others).toEqual([])
    expect(written).toMatch(/^booster-dry-run-[0-9a-f]{16}-[0-9a-f]{16}\.cache$/)
    const file = join(home.env.XDG_CACHE_HOME, "booster-export", written!)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const first = await stat(file)
    await dryRun(join(copy, "booster.cjs"), home.env, true)
    expect((await stat(file)).mtimeMs).toBe(first.mtimeMs)
  })

  it("starts when the user's cache is damaged too, and replaces it", async () => {
    const home = freshHome()
    made.push(home.root)
    const bin = await copyWithCache(undefined)
    await dryRun(bin, home.env)
    const [written] = await cacheFiles(home.env.XDG_CACHE_HOME)
    const file = join(home.env.XDG_CACHE_HOME, "booster-export", written!)
    await writeFile(file, "damaged")
    await dryRun(bin, home.env)
    expect((await readFile(file)).length).toBeGreaterThan(1000)
  })
})

/**
 * Another local user who can write where `booster` keeps its own code cache plants one compiled from
 * another script of the program's length, which writes a marker file when it runs. The bundled cache
 * is unusable (removed), so that the launcher turns to the user's cache.
 */
const attacked = async () => {
  const home = freshHome()
  made.push(home.root)
  const bin = await copyWithCache(undefined)
  await dryRun(bin, home.env)
  const cacheRoot = home.env.XDG_CACHE_HOME
  const folder = join(cacheRoot, "booster-export")
  const [name, ...others] = await readdir(folder)
  expect(others).toEqual([])
  const file = join(folder, name!)
  const marker = join(home.root, "planted-script-ran")
  const planted = await plant({
    dist: dirname(bin),
    launcher: "booster.cjs",
    legitimate: await readFile(file),
    marker
  })
  return { home, bin, cacheRoot, folder, file, marker, planted }
}

describe("a code cache planted by another local user", () => {
  it("is not used while the bundled cache is usable, even when it passes every check", async () => {
    const { home, file, marker, planted } = await attacked()
    await writeFile(file, planted.asTheLaunchersOwn)
    const result = await runDryRun(join(dist, "booster.cjs"), home.env)
    expect(existsSync(marker)).toBe(false)
    expectWorked(result)
  })

  it.each([
    { where: "in a cache folder its group can write", open: "folder", mode: 0o770 },
    { where: "below a cache root others can write", open: "cacheRoot", mode: 0o777 }
  ] as const)("is ignored $where, and nothing is written there", async ({ open, mode }) => {
    const scene = await attacked()
    const { home, bin, folder, file, marker, planted } = scene
    await writeFile(file, planted.asTheLaunchersOwn)
    await chmod(scene[open], mode)
    const result = await runDryRun(bin, home.env)
    expect(existsSync(marker)).toBe(false)
    expectWorked(result)
    expect(await readdir(folder)).toEqual([file.slice(folder.length + 1)])
    expect((await readFile(file)).equals(planted.asTheLaunchersOwn)).toBe(true)
  })

  it("is ignored when the file belongs to another user, and left as it is", async () => {
    const { home, bin, file, marker, planted } = await attacked()
    await writeFile(file, planted.asTheLaunchersOwn)
    await chown(file, 65534, 65534)
    const result = await runDryRun(bin, home.env)
    expect(existsSync(marker)).toBe(false)
    expectWorked(result)
    expect((await stat(file)).uid).toBe(65534)
    expect((await readFile(file)).equals(planted.asTheLaunchersOwn)).toBe(true)
  })

  it("is ignored, though the user's own file, without the header naming this program's content", async () => {
    const { home, bin, file, marker, planted } = await attacked()
    await writeFile(file, planted.bare, { mode: 0o600 })
    const result = await runDryRun(bin, home.env)
    expect(existsSync(marker)).toBe(false)
    expectWorked(result)
  })

  it("runs a user cache that passes every check: the start-up path the checks keep", async () => {
    const { home, bin, file, marker, planted } = await attacked()
    await writeFile(file, planted.asTheLaunchersOwn)
    await booster(["--version"], { env: home.env, binary: bin })
    expect(existsSync(marker)).toBe(true)
  })
})
