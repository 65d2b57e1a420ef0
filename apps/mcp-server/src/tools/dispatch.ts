/**
 * Runs the tools' handlers with the application's services, in one runtime for the life of the
 * server. A call made by an authenticated subject (OAuth) records that subject as the actor of
 * every journal entry it writes, and redeems only the consent issued to that subject.
 */
import { createHash } from "node:crypto"
import * as Journal from "@booster-export/journal/Journal"
import { Effect, type Layer, ManagedRuntime } from "effect"
import { Consent } from "../consent/consent.js"
import type { Dispatch } from "../server/make-server.js"
import { failure } from "./result.js"
import type { Tool, ToolResult } from "./tool.js"

/** A dispatcher and the way to release its services. */
export interface Dispatcher {
  readonly dispatch: Dispatch
  readonly dispose: () => Promise<void>
}

/** The journal of one call: entries it appends name `actor` as who did it, unless they name one. */
const actingAs =
  (actor: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Journal.Journal> =>
    Effect.updateService(effect, Journal.Journal, (journal) => ({
      ...journal,
      append: (entry) => journal.append({ ...entry, actor: entry.actor ?? actor })
    }))

/**
 * Consent of one caller: a confirmation or a question's state issued during `actor`'s call is
 * redeemed in `actor`'s calls only (another subject did not see that preview or question). The
 * binding is folded into the fingerprint the consent service keys on, so a token offered by someone
 * else is refused as for another filter, and stays usable by its owner.
 */
const consentOf =
  (actor: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Consent> =>
    Effect.updateService(effect, Consent, (consent) => {
      const bound = (fingerprint: string) =>
        `${fingerprint}~${createHash("sha256").update(actor, "utf8").digest("base64url")}`
      return {
        ...consent,
        mode: consent.mode,
        issue: (fingerprint, kind) => consent.issue(bound(fingerprint), kind),
        redeem: (token, fingerprint, kind) => consent.redeem(token, bound(fingerprint), kind)
      }
    })

/** A dispatcher over `tools`, running them with `services`. */
export const make = <R>(
  tools: ReadonlyArray<Tool<R>>,
  services: Layer.Layer<NoInfer<R> | Journal.Journal | Consent>
): Dispatcher => {
  const runtime = ManagedRuntime.make(services)
  const byName = new Map(tools.map((tool) => [tool.name, tool]))
  return {
    dispatch: (name, args, progress, signal, elicit, round, actor): Promise<ToolResult> => {
      const tool = byName.get(name)
      if (tool === undefined) return Promise.resolve(failure(`No tool named ${name.slice(0, 64)}.`))
      const call = tool.call(args, {
        ...(progress === undefined
          ? {}
          : { progress: (value, total, message) => Effect.promise(() => progress(value, total, message)) }),
        ...(elicit === undefined ? {} : { elicit }),
        ...(round === undefined ? {} : { round }),
        ...(actor === undefined ? {} : { actor })
      })
      return runtime.runPromise(actor === undefined ? call : consentOf(actor)(actingAs(actor)(call)), {
        signal
      })
    },
    dispose: () => runtime.dispose()
  }
}

/**
 * A dispatcher that answers every call with the same refusal (`text`, an `isError` result): the
 * server's settings cannot be used, so no tool may run.
 */
export const refuseAll = (text: string): Dispatcher => ({
  dispatch: () => Promise.resolve(failure(text)),
  dispose: () => Promise.resolve()
})
