/**
 * The `booster` entry point: the only place that picks runtime layers (Node's file system, path and
 * terminal), maps every outcome to an exit code, renders errors (one paragraph, or one JSON object on
 * stderr with `--json`), and turns Ctrl-C into an interruption that cleans up and exits 130.
 */

import * as CliConfig from "@effect/cli/CliConfig"
import * as Terminal from "@effect/platform/Terminal"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Console, Effect, Layer } from "effect"
import { cli, rootCommand } from "./app/cli.js"
import * as Help from "./app/help.js"
import * as Run from "./app/run.js"
import * as Suggest from "./app/suggest.js"
import * as Completion from "./completion/scripts.js"
import { uncoloured } from "./output/colour.js"
import { ExitCode } from "./output/errors.js"

const jsonMode = (argv: ReadonlyArray<string>) => argv.includes("--json")
const colorFor = (stream: NodeJS.WriteStream) =>
  process.env.BOOSTER_RENDER_HELP === "1" ||
  (stream.isTTY === true && (process.env.NO_COLOR === undefined || process.env.NO_COLOR === ""))

/** Console: strips colour where it does not belong; in `--json` mode keeps @effect/cli's error text aside. */
const makeConsole = (json: boolean, captured: Array<string>): Console.Console => {
  const base = Effect.runSync(Console.consoleWith(Effect.succeed))
  const write = (stream: NodeJS.WriteStream, args: ReadonlyArray<unknown>) => {
    const text = args.map(String).join(" ")
    stream.write(`${colorFor(stream) ? text : uncoloured(text)}\n`)
  }
  const log = (...args: ReadonlyArray<unknown>) => write(process.stdout, args)
  const error = (...args: ReadonlyArray<unknown>) => {
    if (json) captured.push(uncoloured(args.map(String).join(" ")))
    else write(process.stderr, args)
  }
  return {
    ...base,
    log: (...args) => Effect.sync(() => log(...args)),
    error: (...args) => Effect.sync(() => error(...args)),
    // Effect's logger writes through `unsafe.log`: diagnostics belong on stderr, never in the data
    unsafe: { ...base.unsafe, log: (...args) => write(process.stderr, args), error }
  }
}

/** The terminal, with prompts drawn on stderr so that stdout stays data. */
const terminalLayer = Layer.scoped(
  Terminal.Terminal,
  Effect.map(NodeTerminal.make(), (terminal) =>
    Terminal.Terminal.of({
      ...terminal,
      display: (text) =>
        Effect.sync(() => void process.stderr.write(colorFor(process.stderr) ? text : uncoloured(text)))
    })
  )
)

const layer = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, terminalLayer, CliConfig.layer({}))

/** Prints the help page the arguments ask for, if they ask for one; answers whether it handled them. */
const help = (args: ReadonlyArray<string>): boolean => {
  if (process.env.BOOSTER_HELP_PATHS === "1") {
    process.stdout.write(`${JSON.stringify(Help.paths(rootCommand))}\n`)
    return true
  }
  const words = Help.requested(args)
  if (words === undefined) return false
  const long = args.includes("--long")
  const text =
    args[0] === "help" ? Help.render(rootCommand, words, long) : Help.page(rootCommand, words, long)
  if (text === undefined) {
    process.stderr.write(
      `Error: there is no command ${JSON.stringify(["booster", ...words].join(" "))}\nHint: see \`booster help\` for the commands.\n`
    )
    process.exitCode = ExitCode.usage
    return true
  }
  process.stdout.write(colorFor(process.stdout) ? text : uncoloured(text))
  return true
}

/**
 * A group of commands without one of them prints the group's help; an unknown command or flag is
 * refused with the closest known one (exit 2). Answers whether it handled the arguments.
 */
const suggest = (args: ReadonlyArray<string>, json: boolean): boolean => {
  const verdict = Suggest.check(rootCommand, args)
  if (verdict === undefined) return false
  if (verdict._tag === "GroupHelp") {
    const text = Help.render(rootCommand, verdict.path) ?? ""
    process.stdout.write(colorFor(process.stdout) ? text : uncoloured(text))
    return true
  }
  process.stderr.write(
    json
      ? `${JSON.stringify({ _tag: "UsageError", message: verdict.message, hint: verdict.hint })}\n`
      : `Error: ${verdict.message}\nHint: ${verdict.hint}\n`
  )
  process.exitCode = ExitCode.usage
  return true
}

/** Prints the completion script `--completions SHELL` asks for, if it does; answers whether it did. */
const completions = (args: ReadonlyArray<string>): boolean => {
  const shell = Completion.requested(args)
  if (shell === undefined) return false
  process.stdout.write(Effect.runSync(Completion.script(rootCommand, shell)))
  return true
}

const main = (argv: ReadonlyArray<string>) => {
  if (help(argv.slice(2))) return
  if (completions(argv.slice(2))) return
  const json = jsonMode(argv)
  if (suggest(argv.slice(2), json)) return
  const captured: Array<string> = []
  const program = cli(argv).pipe(
    Effect.scoped,
    Effect.provide(layer),
    Effect.withConsole(makeConsole(json, captured))
  )
  Run.main(program, json, captured)
}

main(process.argv)
