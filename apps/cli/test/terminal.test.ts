import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Journal } from "@booster-export/journal"
import { Sandbox } from "@booster-export/sandbox"
import { StateDirectory } from "@booster-export/transport"
import { Effect } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { hostileEntries } from "./foreign.js"
import { binary, booster, ensureBuilt, freshHome, tmuxCheck } from "./helpers.js"

// Real-terminal behaviour, driven through tmux: the progress bar, the confirmation prompt, the menu
// offered for a repeated filter, and Ctrl-C.

const terminal = tmuxCheck()
const onTerminal = terminal.available
  ? "on a real terminal"
  : `on a real terminal (skipped: ${terminal.reason})`

let sandbox: Sandbox.RunningSandbox
const sessions: Array<string> = []

const socket = `booster-test-${process.pid}`
const tmux = (...args: ReadonlyArray<string>) =>
  execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8" })

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`

/**
 * Starts `booster args` in a fresh 120x30 tmux pane that stays open after exit; with `stdoutTo`,
 * its standard output is redirected to that file (`booster … > file`), stdin and stderr staying on
 * the terminal.
 */
const open = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: { readonly stdoutTo?: string } = {}
) => {
  const name = `booster-test-${process.pid}-${sessions.length}`
  sessions.push(name)
  const vars = Object.entries({ ...env, TERM: "xterm-256color", NO_COLOR: "1" })
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(" ")
  const redirect = options.stdoutTo !== undefined ? ` > ${quote(options.stdoutTo)}` : ""
  const command = `env -u BOOSTER_BASE_URL -u BOOSTER_API_KEY ${vars} ${quote(process.execPath)} ${quote(binary)} ${args.map(quote).join(" ")}${redirect}`
  // the shell survives Ctrl-C (a trap, not an ignore, so booster still receives SIGINT) to print the status
  tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    "120",
    "-y",
    "30",
    "sh",
    "-c",
    `trap : INT; ${command}; echo "[exit $?]"`
  )
  return name
}

const screen = (name: string) => tmux("capture-pane", "-p", "-t", name)

const waitFor = async (
  name: string,
  predicate: (text: string) => boolean,
  what: string,
  timeoutMs = 30_000
) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const text = screen(name)
    if (predicate(text)) return text
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Waits for the program to end and answers its exit status. */
const exitStatus = async (name: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const status = /\[exit (\d+)\]/.exec(screen(name))
    if (status !== null) return Number(status[1])
    if (Date.now() > deadline) throw new Error(`timed out waiting for exit; screen:\n${screen(name)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

beforeAll(async () => {
  if (!terminal.available) return
  ensureBuilt()
  tmux("new-session", "-d", "-s", "keepalive", "sleep", "3600")
  tmux("set-option", "-g", "remain-on-exit", "on")
  sandbox = await Sandbox.start({ customers: 3000, taskDurationMs: 4000 })
}, 120_000)
afterEach(() => {
  for (const name of sessions.splice(0)) {
    try {
      tmux("kill-session", "-t", name)
    } catch {
      // already gone
    }
  }
})
afterAll(async () => {
  if (!terminal.available) return
  try {
    tmux("kill-server")
  } catch {
    // already gone
  }
  await sandbox?.close()
})

const envOf = (home: { env: Record<string, string> }) => ({
  ...home.env,
  BOOSTER_BASE_URL: sandbox.baseUrl,
  BOOSTER_API_KEY: sandbox.apiKey
})

describe.skipIf(!terminal.available)(onTerminal, () => {
  it("describes the export, asks to confirm, then shows a progress bar and the file written", async () => {
    const home = freshHome()
    const out = join(home.root, "exports")
    mkdirSync(out)
    const before = sandbox.tasksCreated()
    const name = open(
      ["export", "--brand", "CAR", "--pos-code", "IT100", "--customer-status", "Client", "--output", out],
      envOf(home)
    )
    const prompt = await waitFor(name, (t) => t.includes("Start this export?"), "the confirmation prompt")
    expect(prompt).toContain("About to export: Clients of CAR at 1 point of sale (IT100)")
    expect(sandbox.tasksCreated()).toBe(before)
    tmux("send-keys", "-t", name, "y")
    await waitFor(name, (t) => /\[#+-*\]\s+\d+% INP/.test(t), "the progress bar")
    const done = await waitFor(name, (t) => t.includes("Wrote "), "the summary")
    expect(await exitStatus(name)).toBe(0)
    expect(done).toMatch(/\[#{30}\] 100% COM/)
    // redrawn in place: one bar on the screen, not one line per update
    expect(done.match(/\[[#-]{30}\]/g)).toHaveLength(1)
    expect(done).toContain(`to ${out}/`)
    expect(sandbox.tasksCreated()).toBe(before + 1)
  })

  it("prints one plain line per change, and no bar, when stderr is not a terminal", async () => {
    const home = freshHome()
    const out = join(home.root, "exports")
    mkdirSync(out)
    const result = await booster(
      ["export", "--brand", "CAR", "--pos-code", "IT200", "--yes", "--output", out],
      { env: envOf(home) }
    )
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/^task [0-9a-f]{32}: INP \d+%/m)
    expect(result.stderr).toMatch(/^task [0-9a-f]{32}: COM 100% \(\d+ rows\)$/m)
    expect(result.stderr).not.toMatch(/\[[#-]{30}\]/)
    expect(result.stderr).not.toContain("\u001b")
    expect(result.stderr).not.toContain("\r")
    expect(readdirSync(out)).toHaveLength(1)
  })

  it("starts nothing when the answer is no (exit 130)", async () => {
    const home = freshHome()
    const before = sandbox.tasksCreated()
    const name = open(["export", "--brand", "CAR", "--pos-code", "FR100"], envOf(home))
    await waitFor(name, (t) => t.includes("Start this export?"), "the confirmation prompt")
    tmux("send-keys", "-t", name, "n")
    expect(await exitStatus(name)).toBe(130)
    expect(sandbox.tasksCreated()).toBe(before)
  })

  it("stops on Ctrl-C at the prompt (exit 130), starting nothing", async () => {
    const home = freshHome()
    const before = sandbox.tasksCreated()
    const name = open(["export", "--brand", "CAR", "--pos-code", "JP100"], envOf(home))
    await waitFor(name, (t) => t.includes("Start this export?"), "the confirmation prompt")
    tmux("send-keys", "-t", name, "C-c")
    expect(await exitStatus(name)).toBe(130)
    expect(sandbox.tasksCreated()).toBe(before)
  })

  it("offers a repeated filter's task: follow it, start anew after confirming, or stop", async () => {
    const home = freshHome()
    const args = ["export", "--brand", "CAR", "--pos-code", "NL100"]
    const first = await booster([...args, "--yes", "--json"], { env: envOf(home) })
    expect(first.code).toBe(0)
    const { asyncTaskId } = JSON.parse(first.stdout) as { asyncTaskId: string }
    const before = sandbox.tasksCreated()
    const menu = (t: string) => t.includes("What now?")

    // the first choice (Enter): follow the existing task, start nothing
    const follow = open(args, envOf(home))
    const shown = await waitFor(follow, menu, "the menu")
    expect(shown).toContain(`(task ${asyncTaskId})`)
    expect(shown).toContain("Follow the existing task")
    expect(shown).toContain("Start a new export anyway")
    expect(shown).toContain("Stop")
    tmux("send-keys", "-t", follow, "Enter")
    expect(await exitStatus(follow)).toBe(0)
    expect(screen(follow)).toContain(`Following the existing task ${asyncTaskId}.`)
    expect(sandbox.tasksCreated()).toBe(before)

    // the last choice: stop, exit 130, start nothing
    const stop = open(args, envOf(home))
    await waitFor(stop, menu, "the menu")
    tmux("send-keys", "-t", stop, "Down")
    tmux("send-keys", "-t", stop, "Down")
    tmux("send-keys", "-t", stop, "Enter")
    expect(await exitStatus(stop)).toBe(130)
    expect(sandbox.tasksCreated()).toBe(before)

    // the second choice: a new export, still confirmed first
    const anew = open(args, envOf(home))
    await waitFor(anew, menu, "the menu")
    tmux("send-keys", "-t", anew, "Down")
    tmux("send-keys", "-t", anew, "Enter")
    await waitFor(anew, (t) => t.includes("Start this export?"), "the confirmation prompt")
    expect(sandbox.tasksCreated()).toBe(before)
    tmux("send-keys", "-t", anew, "y")
    expect(await exitStatus(anew)).toBe(0)
    expect(screen(anew)).toMatch(/Started task [0-9a-f]{32}/)
    expect(screen(anew)).not.toContain(`Started task ${asyncTaskId}`)
    expect(sandbox.tasksCreated()).toBe(before + 1)
  })

  it("warns once that a personal value given inline is visible to other users, naming the safe form", async () => {
    const home = freshHome()
    const name = open(
      [
        "export",
        "--brand",
        "CAR",
        "--pos-code",
        "IT100",
        "--email",
        "someone@example.com",
        "--phone-number",
        "+39 333 1234567",
        "--dry-run"
      ],
      envOf(home)
    )
    expect(await exitStatus(name)).toBe(0)
    // the whole history (the request scrolled the warning off the pane), wrapped lines joined
    const text = tmux("capture-pane", "-p", "-J", "-S", "-", "-t", name)
    expect(text).toContain(
      "Warning: --phone-number and --email are visible to other local users (ps); pass --phone-number @FILE or --phone-number - (stdin) instead."
    )
    expect(text.match(/Warning:/g)).toHaveLength(1)
    const file = join(home.root, "email.txt")
    writeFileSync(file, "someone@example.com\n", { mode: 0o600 })
    const safe = open(
      ["export", "--brand", "CAR", "--pos-code", "IT100", "--email", `@${file}`, "--dry-run"],
      envOf(home)
    )
    expect(await exitStatus(safe)).toBe(0)
    expect(screen(safe)).not.toContain("Warning:")
  })

  it("never prompts with --yes; with --no-input and without --yes it starts nothing (exit 2, naming --yes)", async () => {
    const home = freshHome()
    const yes = open(
      ["export", "--brand", "CAR", "--pos-code", "ES100", "--birthdate-month", "1", "--yes"],
      envOf(home)
    )
    expect(await exitStatus(yes)).toBe(0)
    expect(screen(yes)).not.toContain("Start this export?")
    expect(screen(yes)).toMatch(/Started task [0-9a-f]{32}/)
    const before = sandbox.tasksCreated()
    const noInput = open(
      ["export", "--brand", "CAR", "--pos-code", "ES100", "--birthdate-month", "2", "--no-input"],
      envOf(home)
    )
    expect(await exitStatus(noInput)).toBe(2)
    // the whole pane, history included: the line tmux adds when the pane dies can scroll the first out
    const text = tmux("capture-pane", "-p", "-J", "-S", "-", "-t", noInput)
    expect(text).not.toContain("Start this export?")
    expect(text).toContain("--no-input was given")
    expect(text).toContain("--yes")
    expect(sandbox.tasksCreated()).toBe(before)
  })

  it("refuses --output - onto the terminal even with --yes (exit 2, nothing sent); redirected, it asks and writes the CSV", async () => {
    const home = freshHome()
    const before = sandbox.tasksCreated()
    const onScreen = open(
      ["export", "--brand", "CAR", "--pos-code", "PT100", "--yes", "--output", "-"],
      envOf(home)
    )
    expect(await exitStatus(onScreen)).toBe(2)
    const refusal = tmux("capture-pane", "-p", "-J", "-S", "-", "-t", onScreen)
    expect(refusal).toContain("which is this terminal")
    expect(refusal).toContain("Redirect standard output (… --output - > customers.csv)")
    expect(sandbox.tasksCreated()).toBe(before)
    // the question and the progress stay on the terminal; the file alone goes to the redirection
    const csv = join(home.root, "customers.csv")
    const redirected = open(
      ["export", "--brand", "CAR", "--pos-code", "PT100", "--output", "-"],
      envOf(home),
      { stdoutTo: csv }
    )
    await waitFor(redirected, (t) => t.includes("Start this export?"), "the confirmation prompt")
    tmux("send-keys", "-t", redirected, "y")
    expect(await exitStatus(redirected)).toBe(0)
    expect(screen(redirected)).toMatch(/Wrote [\d.]+ K?B to standard output/)
    expect(sandbox.tasksCreated()).toBe(before + 1)
    const written = readFileSync(csv, "utf8")
    expect(written.split("\n")[0]).toMatch(/^"?\w+"?[,;]/)
    expect(written).not.toMatch(/Start this export|\u001b|COM 100%/)
  })

  it("schedule add shows the description, the next five runs in its zone and the redacted destination; no adds nothing, yes adds it", async () => {
    const home = freshHome()
    const args = [
      "schedule",
      "add",
      "weekly-clients",
      "--brand",
      "CAR",
      "--pos-code",
      "ES100",
      "--customer-status",
      "VIC",
      "--cron",
      "0 7 * * MON",
      "--tz",
      "Europe/Paris",
      "--to",
      "sftp://alice@files.example.com:2222/drop/"
    ]
    const listed = async () =>
      JSON.parse((await booster(["schedule", "list", "--json"], { env: home.env })).stdout)
    const no = open(args, home.env)
    const asked = await waitFor(no, (t) => t.includes("Add this schedule?"), "the question")
    expect(asked).toContain("Exports: VIC clients of CAR at 1 point of sale (ES100)")
    expect(asked).toContain("When: At 07:00, only on Monday (Europe/Paris)")
    const runs = asked.match(/^ {2}\d{4}-\d{2}-\d{2} 07:00 \(Europe\/Paris\)$/gm) ?? []
    expect(runs).toHaveLength(5)
    expect(new Set(runs).size).toBe(5)
    expect(asked).toMatch(
      /Delivered to: sftp:\/\/files\.example\.com:2222\/drop\/ as weekly-clients\/\S+\/customers\.csv/
    )
    expect(asked).not.toContain("alice")
    tmux("send-keys", "-t", no, "n")
    expect(await exitStatus(no)).toBe(130)
    expect(await listed()).toEqual([])
    const yes = open(args, home.env)
    await waitFor(yes, (t) => t.includes("Add this schedule?"), "the question")
    tmux("send-keys", "-t", yes, "y")
    expect(await exitStatus(yes)).toBe(0)
    expect(await listed()).toMatchObject([
      { name: "weekly-clients", cron: "0 7 * * MON", timeZone: "Europe/Paris" }
    ])
  })

  it("asks before purging files, naming their count and size; no keeps them, yes deletes them", async () => {
    const home = freshHome()
    const out = join(home.root, "purge.csv")
    const exported = await booster(
      ["export", "--brand", "CAR", "--pos-code", "CH100", "--yes", "--output", out],
      { env: envOf(home) }
    )
    expect(exported.code).toBe(0)
    const no = open(["files", "purge", "--older-than", "0min"], envOf(home))
    await waitFor(no, (t) => /Delete 1 file \([\d.]+ K?B\)\?/.test(t), "the purge question")
    tmux("send-keys", "-t", no, "n")
    expect(await exitStatus(no)).toBe(130)
    expect(existsSync(out)).toBe(true)
    const yes = open(["files", "purge", "--older-than", "0min"], envOf(home))
    await waitFor(yes, (t) => t.includes("Delete 1 file"), "the purge question")
    tmux("send-keys", "-t", yes, "y")
    expect(await exitStatus(yes)).toBe(0)
    expect(existsSync(out)).toBe(false)
  })

  it("stops at once on Ctrl-C during the wait, exits 130, leaves no file and gives the command to resume", async () => {
    const home = freshHome()
    const out = join(home.root, "exports")
    mkdirSync(out)
    const name = open(
      ["export", "--brand", "CAR", "--pos-code", "DE100", "--yes", "--output", out],
      envOf(home)
    )
    await waitFor(name, (t) => /\[[#-]+\]/.test(t), "the progress bar")
    const sentAt = Date.now()
    tmux("send-keys", "-t", name, "C-c")
    expect(await exitStatus(name)).toBe(130)
    expect(Date.now() - sentAt).toBeLessThan(5000)
    expect(screen(name)).toContain("Interrupted")
    expect(readdirSync(out)).toEqual([])
    const joined = tmux("capture-pane", "-p", "-J", "-t", name)
    const id = /Started task ([0-9a-f]{32})/.exec(joined)?.[1]
    expect(id).toBeDefined()
    expect(joined).toContain(`Task ${id} keeps running on the server.`)
    expect(joined).toContain(`Resume with \`booster tasks wait ${id} --output ${out}\`.`)
  })

  it("shows a journal carrying OSC 0 and OSC 52 without retitling the window or writing the clipboard", async () => {
    const home = freshHome()
    const started = await booster(["export", "--brand", "CAR", "--pos-code", "NL100", "--json", "--yes"], {
      env: envOf(home)
    })
    const { asyncTaskId } = JSON.parse(started.stdout) as { asyncTaskId: string }
    const journal = Journal.make(StateDirectory.resolve(home.env))
    const { entries } = hostileEntries(asyncTaskId, join(home.root, "exports"))
    await Effect.runPromise(Effect.forEach(entries, (entry) => journal.append(entry), { discard: true }))
    // the terminal takes OSC 52 into its clipboard (a paste buffer) and OSC 0 as the pane's title
    tmux("set-option", "-g", "set-clipboard", "on")
    for (const args of [["history"], ["files", "list"], ["audit", "export"], ["tasks", "get", asyncTaskId]]) {
      const name = open(args, envOf(home))
      expect(await exitStatus(name), args.join(" ")).toBe(0)
      expect(tmux("display-message", "-p", "-t", name, "#{pane_title}"), args.join(" ")).not.toContain(
        "pwned"
      )
      expect(tmux("list-buffers"), args.join(" ")).toBe("")
      expect(screen(name), args.join(" ")).toMatch(/export.*\.csv|mallory/)
    }
    // the same terminal does take them from a program that writes them (the test can fail)
    const control = open(["--version"], envOf(home))
    expect(await exitStatus(control)).toBe(0)
    execFileSync("tmux", [
      "-L",
      socket,
      "new-session",
      "-d",
      "-s",
      `${control}-raw`,
      "sh",
      "-c",
      "printf '\\033]0;pwned\\007\\033]52;c;aGVsbG8=\\007'; sleep 1"
    ])
    sessions.push(`${control}-raw`)
    await waitFor(`${control}-raw`, () => tmux("list-buffers") !== "", "the control's clipboard write")
    expect(tmux("display-message", "-p", "-t", `${control}-raw`, "#{pane_title}")).toContain("pwned")
    tmux("delete-buffer")
  })

  it("stops on Ctrl-C during a download and removes the partial file", async () => {
    const home = freshHome()
    const out = join(home.root, "exports")
    mkdirSync(out)
    const quick = await Sandbox.start({ customers: 3000, taskDurationMs: 0 })
    try {
      quick.faults.add({ route: "download", fault: { kind: "delay", ms: 20_000 }, times: 10 })
      const name = open(["export", "--brand", "CAR", "--pos-code", "GB100", "--yes", "--output", out], {
        ...home.env,
        BOOSTER_BASE_URL: quick.baseUrl,
        BOOSTER_API_KEY: quick.apiKey
      })
      await waitFor(name, () => quick.requests().some((r) => r.origin === "storage"), "the download to start")
      tmux("send-keys", "-t", name, "C-c")
      expect(await exitStatus(name)).toBe(130)
      expect(readdirSync(out)).toEqual([])
    } finally {
      await quick.close()
    }
  })
})
