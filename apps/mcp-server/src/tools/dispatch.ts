/**
 * Runs the tools' handlers with the application's services, in one runtime for the life of the
 * server.
 */
import { Effect, type Layer, ManagedRuntime } from "effect"
import type { Dispatch } from "../server/make-server.js"
import { failure } from "./result.js"
import type { Tool, ToolResult } from "./tool.js"

/** A dispatcher and the way to release its services. */
export interface Dispatcher {
  readonly dispatch: Dispatch
  readonly dispose: () => Promise<void>
}

/** A dispatcher over `tools`, running them with `services`. */
export const make = <R>(tools: ReadonlyArray<Tool<R>>, services: Layer.Layer<R>): Dispatcher => {
  const runtime = ManagedRuntime.make(services)
  const byName = new Map(tools.map((tool) => [tool.name, tool]))
  return {
    dispatch: (name, args, progress, signal, elicit, round): Promise<ToolResult> => {
      const tool = byName.get(name)
      if (tool === undefined) return Promise.resolve(failure(`No tool named ${name.slice(0, 64)}.`))
      return runtime.runPromise(
        tool.call(args, {
          ...(progress === undefined
            ? {}
            : { progress: (value, total, message) => Effect.promise(() => progress(value, total, message)) }),
          ...(elicit === undefined ? {} : { elicit }),
          ...(round === undefined ? {} : { round })
        }),
        { signal }
      )
    },
    dispose: () => runtime.dispose()
  }
}
