import { cp, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
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
  expect(tools.map((tool) => tool.name)).toContain("preview_customer_export")
  const preview = await server.client.callTool("preview_customer_export", filter())
  expect(preview.isError).not.toBe(true)
  expect((preview.structuredContent as { valid?: boolean }).valid).toBe(true)
  await server.close()
  const stderr = server.stderr()
  server = undefined
  return stderr
}

const cacheFiles = async (cacheHome: string): Promise<ReadonlyArray<string>> =>
  (await readdir(join(cacheHome, "booster-export")).catch(() => [])).filter((name) => name.startsWith("mcp-"))

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
    expect(written).toMatch(new RegExp(`^mcp-${process.version.replaceAll(".", "\\.")}-\\d+-\\d+\\.cache$`))
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
    dirs = await tempDirs()
    copy = await mkdtemp(join(tmpdir(), "booster-mcp-dist-"))
    await cp(dist, copy, { recursive: true })
    await rm(join(copy, "main.cache"))
    const bin = join(copy, "booster-mcp.cjs")
    const cacheHome = join(dirs.root, "cache")
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
