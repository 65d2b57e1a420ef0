import { execFileSync, spawnSync } from "node:child_process"
import { appendFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { binary, booster, ensureBuilt, freshHome } from "./helpers.js"

let sandbox: Sandbox.RunningSandbox

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 200, taskDurationMs: 300 })
}, 120_000)
afterAll(() => sandbox?.close())

/** A home with `booster` on its PATH, two saved filters and two exports started on the sandbox. */
const prepared = async () => {
  const home = freshHome()
  const bin = join(home.root, "bin")
  mkdirSync(bin)
  symlinkSync(binary, join(bin, "booster"))
  const env = {
    ...home.env,
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    BOOSTER_BASE_URL: sandbox.baseUrl,
    BOOSTER_API_KEY: sandbox.apiKey
  }
  for (const [name, pos] of [
    ["recent-es", "ES100"],
    ["car.2026", "ES200"]
  ] as const) {
    const saved = await booster(["filters", "save", name, "--brand", "CAR", "--pos-code", pos], { env })
    expect(saved.code).toBe(0)
  }
  const ids: Array<string> = []
  for (const pos of ["IT100", "FR100"]) {
    const started = await booster(["export", "--brand", "CAR", "--pos-code", pos, "--yes"], { env })
    expect(started.code).toBe(0)
    ids.push(started.stdout.trim())
  }
  const scripts = join(home.root, "scripts")
  mkdirSync(scripts)
  for (const shell of ["bash", "zsh", "fish"]) {
    const printed = await booster(["--completions", shell], { env })
    expect(printed.code).toBe(0)
    writeFileSync(join(scripts, `booster.${shell}`), printed.stdout)
  }
  // newest first
  return { home, env, scripts, ids: ids.reverse() }
}

const run = (command: string, args: ReadonlyArray<string>, env: Record<string, string>) => {
  const result = spawnSync(command, args, { env, encoding: "utf8", timeout: 30_000 })
  expect(result.status).toBe(0)
  return result.stdout
}

/** What bash's completion function offers for the words typed (the last one being completed). */
const bashOffers = (scripts: string, env: Record<string, string>, ...words: ReadonlyArray<string>) =>
  run(
    "bash",
    [
      "-c",
      `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _booster_dynamic_completions booster; printf '%s\\n' "\${COMPREPLY[@]}"`,
      "completion",
      join(scripts, "booster.bash"),
      "booster",
      ...words
    ],
    env
  )
    .split("\n")
    .filter((line) => line !== "")

const fishOffers = (scripts: string, env: Record<string, string>, line: string) =>
  run(
    "fish",
    ["--no-config", "-c", `source $argv[1]; complete -C "$argv[2]"`, join(scripts, "booster.fish"), line],
    env
  )
    .split("\n")
    .map((entry) => entry.split("\t")[0])
    .filter((entry) => entry !== "")

describe("shell completion", () => {
  let setup: Awaited<ReturnType<typeof prepared>>
  beforeAll(async () => {
    setup = await prepared()
  }, 120_000)

  it("bash offers saved filter names after --filter and as the NAME of filters show|remove", () => {
    const { env, scripts } = setup
    expect(bashOffers(scripts, env, "export", "--filter", "")).toEqual(["recent-es", "car.2026"])
    expect(bashOffers(scripts, env, "export", "--filter", "rec")).toEqual(["recent-es"])
    expect(bashOffers(scripts, env, "schedule", "add", "--kind", "customers", "--filter", "")).toEqual([
      "recent-es",
      "car.2026"
    ])
    expect(bashOffers(scripts, env, "filters", "remove", "")).toEqual(["recent-es", "car.2026"])
    // what the filters are not asked for still completes as before
    expect(bashOffers(scripts, env, "export", "--bra")).toEqual(["--brand"])
  })

  it("bash offers the recent task ids, newest first, after tasks get|wait|download", () => {
    const { env, scripts, ids } = setup
    expect(bashOffers(scripts, env, "tasks", "get", "")).toEqual(ids)
    expect(bashOffers(scripts, env, "tasks", "download", "--json", "")).toEqual(ids)
    expect(bashOffers(scripts, env, "tasks", "wait", ids[1]!.slice(0, 6))).toEqual([ids[1]])
  })

  it("fish offers the saved filters and the recent tasks", () => {
    const { env, scripts, ids } = setup
    expect(fishOffers(scripts, env, "booster export --filter ")).toEqual(["recent-es", "car.2026"])
    expect(fishOffers(scripts, env, "booster filters show ")).toEqual(["recent-es", "car.2026"])
    expect(fishOffers(scripts, env, "booster tasks wait ")).toEqual(ids)
  })

  it("zsh offers the saved filters and the recent tasks on Tab, on a real terminal", async () => {
    const { home, env, scripts, ids } = setup
    const zdotdir = join(home.root, "zsh")
    mkdirSync(zdotdir)
    const exports = Object.entries(env)
      .map(([key, value]) => `export ${key}='${value.replace(/'/g, "'\\''")}'`)
      .join("\n")
    writeFileSync(
      join(zdotdir, ".zshrc"),
      `PS1='%% '\n${exports}\nautoload -U compinit; compinit -u -D\nsource '${join(scripts, "booster.zsh")}'\n`
    )
    const socket = `booster-completion-${process.pid}`
    const tmux = (...args: ReadonlyArray<string>) =>
      execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8" })
    tmux("new-session", "-d", "-s", "zsh", "-x", "160", "-y", "20", "env", `ZDOTDIR=${zdotdir}`, "zsh", "-i")
    try {
      const offered = async (line: string, expected: ReadonlyArray<string>) => {
        tmux("send-keys", "-t", "zsh", "C-u", line, "Tab")
        const deadline = Date.now() + 20_000
        // when the candidates share a prefix, zsh's first Tab inserts it and lists them on the second
        let second = Date.now() + 2_000
        let screen = ""
        while (Date.now() < deadline) {
          screen = tmux("capture-pane", "-p", "-t", "zsh")
          if (expected.every((word) => screen.includes(word))) return screen
          if (Date.now() > second) {
            tmux("send-keys", "-t", "zsh", "Tab")
            second = Number.POSITIVE_INFINITY
          }
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        throw new Error(`zsh did not offer ${expected.join(", ")}; the screen:\n${screen}`)
      }
      await offered("booster export --filter ", ["recent-es", "car.2026"])
      await offered("booster tasks get ", ids)
    } finally {
      tmux("kill-server")
    }
  }, 60_000)
})

describe("booster __complete", () => {
  it("skips names and ids with spaces, control characters or shell syntax", () => {
    const home = freshHome()
    mkdirSync(join(home.env.XDG_CONFIG_HOME, "booster-export"), { recursive: true })
    writeFileSync(
      join(home.env.XDG_CONFIG_HOME, "booster-export", "filters.json"),
      JSON.stringify({
        filters: {
          good: { savedAt: "2026-01-01T00:00:00Z", filter: {} },
          "two words": { savedAt: "2026-01-01T00:00:00Z", filter: {} },
          "bell\u0007": { savedAt: "2026-01-01T00:00:00Z", filter: {} },
          "$(touch pwned)": { savedAt: "2026-01-01T00:00:00Z", filter: {} }
        }
      })
    )
    const state = join(home.env.XDG_STATE_HOME, "booster-export")
    mkdirSync(state, { recursive: true })
    const line = (at: string, asyncTaskId: string) =>
      `${JSON.stringify({ at, event: "started", asyncTaskId })}\n`
    appendFileSync(
      join(state, "journal.jsonl"),
      line("2026-01-01T00:00:00Z", "11111111-1111-1111-1111-111111111111")
    )
    appendFileSync(join(state, "journal.jsonl"), "not json\n")
    appendFileSync(join(state, "journal.jsonl"), line("2026-01-02T00:00:00Z", "evil\u001b[31m"))
    appendFileSync(join(state, "journal.jsonl"), line("2026-01-03T00:00:00Z", "a b"))
    const filters = spawnSync(process.execPath, [binary, "__complete", "filters"], {
      env: home.env,
      encoding: "utf8"
    })
    expect(filters.stdout).toBe("good\n")
    const tasks = spawnSync(process.execPath, [binary, "__complete", "tasks"], {
      env: home.env,
      encoding: "utf8"
    })
    expect(tasks.stdout).toBe("11111111-1111-1111-1111-111111111111\n")
  })

  it("prints nothing and succeeds when the files are unreadable or absent, or the question unknown", () => {
    const home = freshHome()
    mkdirSync(join(home.env.XDG_CONFIG_HOME, "booster-export"), { recursive: true })
    writeFileSync(join(home.env.XDG_CONFIG_HOME, "booster-export", "filters.json"), "{ broken")
    for (const what of ["filters", "tasks", "profiles", ""]) {
      const result = spawnSync(process.execPath, [binary, "__complete", what], {
        env: home.env,
        encoding: "utf8"
      })
      expect(result).toMatchObject({ status: 0, stdout: "", stderr: "" })
    }
  })

  it("offers at most 20 tasks, each once, the newest first", () => {
    const home = freshHome()
    const state = join(home.env.XDG_STATE_HOME, "booster-export")
    mkdirSync(state, { recursive: true })
    const id = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`
    let lines = ""
    for (let n = 0; n < 30; n++) {
      const at = `2026-01-01T00:${String(n).padStart(2, "0")}:00.000Z`
      lines += `${JSON.stringify({ at, event: "started", asyncTaskId: id(n) })}\n`
    }
    // task 3 ends last: it is the most recent
    lines += `${JSON.stringify({ at: "2026-01-01T01:00:00.000Z", event: "completed", asyncTaskId: id(3) })}\n`
    writeFileSync(join(state, "journal.jsonl"), lines)
    const result = spawnSync(process.execPath, [binary, "__complete", "tasks"], {
      env: home.env,
      encoding: "utf8"
    })
    const offered = result.stdout.trim().split("\n")
    expect(offered).toHaveLength(20)
    expect(offered[0]).toBe(id(3))
    expect(offered[1]).toBe(id(29))
    expect(new Set(offered).size).toBe(20)
  })
})
