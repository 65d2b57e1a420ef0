import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { appDir, booster, ensureBuilt, freshHome } from "./helpers.js"

const dist = join(appDir, "dist")
const made: Array<string> = []

beforeAll(ensureBuilt)
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

/** A dry run of an export through the given launcher: it loads the whole program. */
const dryRun = async (bin: string, home: Record<string, string>) => {
  const env = { ...home, BOOSTER_BASE_URL: "https://booster.example.com", BOOSTER_API_KEY: "k-test" }
  const result = await booster(["export", "--dry-run", "--brand", "CAR", "--pos-code", "P1", "--json"], {
    env,
    binary: bin
  })
  expect(result.stderr).not.toMatch(/cache|error/i)
  expect(result.code).toBe(0)
}

const cacheFiles = async (cacheHome: string): Promise<ReadonlyArray<string>> =>
  (await readdir(join(cacheHome, "booster-export")).catch(() => [])).filter((name) =>
    name.startsWith("main-")
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
    expect(written).toMatch(new RegExp(`^main-${process.version.replaceAll(".", "\\.")}-\\d+-\\d+\\.cache$`))
    const folder = join(home.env.XDG_CACHE_HOME, "booster-export")
    const file = join(folder, written!)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(folder)).mode & 0o777).toBe(0o700)
    const first = await readFile(file)
    await dryRun(bin, home.env)
    expect(await cacheFiles(home.env.XDG_CACHE_HOME)).toEqual([written])
    expect((await readFile(file)).equals(first)).toBe(true)
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
