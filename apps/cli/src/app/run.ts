/**
 * Running a command's program to its exit code, shared by the full program (`bin.ts`) and the dry
 * run's fast path (`dry-run.ts`) so that both end alike: success exits 0; a failure is shown on
 * stderr (one paragraph, or one JSON object with `--json`) with its exit code; Ctrl-C interrupts
 * the program, which cleans up and exits 130.
 */
import { Cause, Effect, Exit, Fiber, Option } from "effect"
import { ExitCode, exitCodeOf, toJson, toText } from "../output/errors.js"

const debug = () => process.env.BOOSTER_LOG?.trim().toLowerCase() === "debug"

/** Shows a failure on stderr and answers its exit code. */
const report = (error: unknown, json: boolean, captured: ReadonlyArray<string>): number => {
  if (isCliValidation(error)) {
    if (json) {
      const message = captured.join("\n").trim() || "The command line is not valid"
      process.stderr.write(
        `${JSON.stringify({ _tag: "UsageError", message, hint: "See `booster --help`." })}\n`
      )
    } else process.stderr.write("Hint: see `booster --help`, or `booster <command> --help`.\n")
    return ExitCode.usage
  }
  process.stderr.write(`${json ? JSON.stringify(toJson(error)) : toText(error)}\n`)
  return exitCodeOf(error)
}

const CLI_VALIDATION = new Set([
  "CommandMismatch",
  "CorrectedFlag",
  "HelpRequested",
  "InvalidArgument",
  "InvalidValue",
  "MissingValue",
  "MissingFlag",
  "MultipleValuesDetected",
  "MissingSubcommand",
  "NoBuiltInMatch",
  "UnclusteredFlag"
])

function isCliValidation(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    CLI_VALIDATION.has(String((error as { _tag?: unknown })._tag)) &&
    "error" in error
  )
}

/**
 * Runs `program` and exits the process with its exit code. `json` is `--json` mode; `captured` is
 * @effect/cli's error text kept aside in that mode.
 */
export const main = (
  program: Effect.Effect<unknown, unknown>,
  json: boolean,
  captured: ReadonlyArray<string> = []
): void => {
  const fiber = Effect.runFork(program)
  let interrupted = false
  const onSignal = () => {
    if (interrupted) process.exit(ExitCode.interrupted)
    interrupted = true
    Effect.runFork(Fiber.interrupt(fiber))
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  fiber.addObserver((exit) => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    if (Exit.isSuccess(exit)) return process.exit(ExitCode.ok)
    if (Cause.isInterruptedOnly(exit.cause)) {
      if (!json) process.stderr.write("\nInterrupted.\n")
      else process.stderr.write(`${JSON.stringify({ _tag: "Interrupted", message: "Interrupted" })}\n`)
      return process.exit(ExitCode.interrupted)
    }
    const failure = Cause.failureOption(exit.cause)
    const code = report(Option.isSome(failure) ? failure.value : Cause.squash(exit.cause), json, captured)
    if (debug()) process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
    return process.exit(Option.isSome(failure) ? code : ExitCode.unexpected)
  })
}
