import { existsSync } from "node:fs"
import { chmod, chown, cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { plant } from "@booster-export/tooling/planted-cache"
import { afterEach, describe, expect, it } from "vitest"
import { BIN, type Connected, connectStdio, filter, serverEnv, tempDirs } from "./harness.js"

const dist = dirname(BIN)
let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
let copy: string | undefined
let server: Connected | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
  await dirs?.remove()
  dirs = undefined
  if (copy !== undefined) await rm(copy, { recursive: true, force: true })
  copy = undefined
})

/** Lists the tools and previews a filter (which loads the tools and the sandbox), then disconnects. */
const use = async (bin: string, cacheHome: string): Promise<string> => {
  server = await connectStdio(["--sandbox"], serverEnv(dirs!, { XDG_CACHE_HOME: cacheHome }), undefined, bin)
  const { tools } = await server.client.listTools()
  expect(tools.map((tool) => tool.name)).toContain("preview_export")
  const preview = await server.client.callTool("preview_export", filter())
  expect(preview.isError).not.toBe(true)
  expect((preview.structuredContent as { valid?: boolean }).valid).toBe(true)
  await server.close()
  const stderr = server.stderr()
  server = undefined
  return stderr
}

/** Fresh folders and a copy of the server without its bundled code cache. */
const withoutBundledCache = async () => {
  dirs = await tempDirs()
  copy = await mkdtemp(join(tmpdir(), "booster-mcp-dist-"))
  await cp(dist, copy, { recursive: true })
  await rm(join(copy, "main.cache"))
  return { copy, root: dirs.root, bin: join(copy, "booster-mcp.cjs"), cacheHome: join(dirs.root, "cache") }
}

const cacheFiles = async (cacheHome: string): Promise<ReadonlyArray<string>> =>
  (await readdir(join(cacheHome, "booster-export")).catch(() => [])).filter((name) =>
    name.startsWith("booster-mcp-")
  )

describe("the start-up launcher", () => {
  it("starts from the code cache built with the bundle and writes no cache of its own", async () => {
    dirs = await tempDirs()
    const cacheHome = join(dirs.root, "cache")
    expect(await use(BIN, cacheHome)).not.toMatch(/cache|error/i)
    expect(await cacheFiles(cacheHome)).toEqual([])
  })

  it("without a usable bundled cache, writes one only its user can read and starts from it next time", async () => {
    dirs = await tempDirs()
    copy = await mkdtemp(join(tmpdir(), "booster-mcp-dist-"))
    await cp(dist, copy, { recursive: true })
    await writeFile(join(copy, "main.cache"), "not a V8 code cache")
    const bin = join(copy, "booster-mcp.cjs")
    const cacheHome = join(dirs.root, "cache")

    expect(await use(bin, cacheHome)).not.toMatch(/cache|error/i)
    const [written, ...others] = await cacheFiles(cacheHome)
    expect(others).toEqual([])
    expect(written).toMatch(/^booster-mcp-[0-9a-f]{16}-[0-9a-f]{16}\.cache$/)
    const file = join(cacheHome, "booster-export", written!)
    const first = await stat(file)
    expect(first.mode & 0o777).toBe(0o600)
    expect((await stat(join(cacheHome, "booster-export"))).mode & 0o777).toBe(0o700)

    // accepted the second time: used as is, not written again
    expect(await use(bin, cacheHome)).not.toMatch(/cache|error/i)
    expect(await cacheFiles(cacheHome)).toEqual([written])
    expect((await stat(file)).mtimeMs).toBe(first.mtimeMs)
  })

  it("starts when the user's cache is damaged too, and replaces it", async () => {
    const { bin, cacheHome } = await withoutBundledCache()
    await use(bin, cacheHome)
    const [written] = await cacheFiles(cacheHome)
    const file = join(cacheHome, "booster-export", written!)
    await writeFile(file, "damaged")

    expect(await use(bin, cacheHome)).not.toMatch(/cache|error/i)
    expect((await stat(file)).size).toBeGreaterThan(1000)
  })

  it("still starts from the former entry, dist/booster-mcp.mjs", async () => {
    dirs = await tempDirs()
    expect(await use(join(dist, "booster-mcp.mjs"), join(dirs.root, "cache"))).not.toMatch(/error/i)
  })
})

/**
 * Another local user who can write where `booster-mcp` keeps its own code cache plants one compiled
 * from another script of the start path's length, which writes a marker file when it runs. The
 * bundled cache is unusable (removed), so that the launcher turns to the user's cache.
 */
const attacked = async () => {
  const { copy, root, bin, cacheHome } = await withoutBundledCache()
  await use(bin, cacheHome)
  const folder = join(cacheHome, "booster-export")
  const [name, ...others] = await readdir(folder)
  expect(others).toEqual([])
  const file = join(folder, name!)
  const marker = join(root, "planted-script-ran")
  const planted = await plant({
    dist: copy,
    launcher: "booster-mcp.cjs",
    legitimate: await readFile(file),
    marker
  })
  return { bin, cacheHome, folder, file, marker, planted }
}

/** Uses the server as `use` does; the error when it did not answer as the server does. */
const attempt = (bin: string, cacheHome: string): Promise<unknown> =>
  use(bin, cacheHome).then(
    () => undefined,
    (error: unknown) => error
  )

describe("a code cache planted by another local user", () => {
  it("is not used while the bundled cache is usable, even when it passes every check", async () => {
    const { cacheHome, file, marker, planted } = await attacked()
    await writeFile(file, planted.asTheLaunchersOwn)
    const failure = await attempt(BIN, cacheHome)
    expect(existsSync(marker)).toBe(false)
    expect(failure).toBeUndefined()
  })

  it.each([
    { where: "in a cache folder its group can write", open: "folder", mode: 0o770 },
    { where: "below a cache root others can write", open: "cacheHome", mode: 0o777 }
  ] as const)("is ignored $where, and nothing is written there", async ({ open, mode }) => {
    const scene = await attacked()
    const { bin, cacheHome, folder, file, marker, planted } = scene
    await writeFile(file, planted.asTheLaunchersOwn)
    await chmod(scene[open], mode)
    const failure = await attempt(bin, cacheHome)
    expect(existsSync(marker)).toBe(false)
    expect(failure).toBeUndefined()
    expect(await readdir(folder)).toEqual([file.slice(folder.length + 1)])
    expect((await readFile(file)).equals(planted.asTheLaunchersOwn)).toBe(true)
  })

  it("is ignored when the file belongs to another user, and left as it is", async () => {
    const { bin, cacheHome, file, marker, planted } = await attacked()
    await writeFile(file, planted.asTheLaunchersOwn)
    await chown(file, 65534, 65534)
    const failure = await attempt(bin, cacheHome)
    expect(existsSync(marker)).toBe(false)
    expect(failure).toBeUndefined()
    expect((await stat(file)).uid).toBe(65534)
    expect((await readFile(file)).equals(planted.asTheLaunchersOwn)).toBe(true)
  })

  it("is ignored, though the user's own file, without the header naming this program's content", async () => {
    const { bin, cacheHome, file, marker, planted } = await attacked()
    await writeFile(file, planted.bare, { mode: 0o600 })
    const failure = await attempt(bin, cacheHome)
    expect(existsSync(marker)).toBe(false)
    expect(failure).toBeUndefined()
  })

  it("runs a user cache that passes every check: the start-up path the checks keep", async () => {
    const { bin, cacheHome, file, marker, planted } = await attacked()
    await writeFile(file, planted.asTheLaunchersOwn)
    expect(await attempt(bin, cacheHome)).toBeDefined()
    expect(existsSync(marker)).toBe(true)
  })
})
