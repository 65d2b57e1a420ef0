/**
 * `--filter-file PATH|-`: a filter written as one JSON object in the wire shape (the option itself is
 * in `filter-options.ts`).
 */
import { readFileSync } from "node:fs"
import { Effect } from "effect"
import { UsageError } from "../output/errors.js"

/** Reads `--filter-file`: one JSON object in the wire shape, from a file or stdin (`-`). */
export const read = (path: string): Effect.Effect<Record<string, unknown>, UsageError> =>
  Effect.suspend(() => {
    let text: string
    try {
      text = readFileSync(path === "-" ? 0 : path, "utf8")
    } catch {
      return Effect.fail(
        new UsageError({
          message: `The filter file ${path === "-" ? "(stdin)" : path} cannot be read`,
          hint: "Check --filter-file: a path to a JSON file, or - to read stdin."
        })
      )
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return Effect.fail(
        new UsageError({
          message: `The filter file ${path === "-" ? "(stdin)" : path} is not valid JSON`,
          hint: 'Write the filter as one JSON object in the wire shape, e.g. {"brand":"CAR","posCodes":["ES100"]}.'
        })
      )
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return Effect.fail(
        new UsageError({
          message: "The filter file must hold one JSON object",
          hint: 'Write the filter as one JSON object in the wire shape, e.g. {"brand":"CAR","posCodes":["ES100"]}.'
        })
      )
    }
    return Effect.succeed(value as Record<string, unknown>)
  })
