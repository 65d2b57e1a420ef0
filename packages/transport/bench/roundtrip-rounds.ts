/**
 * This client's side of the round-trip benchmark as a module of its own: bundled from another
 * checkout (with its own copy of Effect), it lets `roundtrip.ts` run an earlier version in the same
 * rounds (`BENCH_ROUNDTRIP_BEFORE`).
 */
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { BoosterClient, type BoosterConfig } from "../src/index.js"

/** A client built from `options` and a function running `n` start+get round trips with it. */
export const makeRounds = async (
  options: BoosterConfig.Options,
  filter: BoosterClient.ExportInput
): Promise<{ readonly run: (n: number) => Promise<void>; readonly close: () => Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Scope.extend(Layer.build(BoosterClient.layer(options)), scope))
  const client = Context.get(context, BoosterClient.BoosterClient)
  return {
    run: (n) =>
      Effect.runPromise(
        Effect.gen(function* () {
          for (let i = 0; i < n; i++) {
            const { asyncTaskId } = yield* client.startExport(filter)
            yield* client.getTask(asyncTaskId)
          }
        })
      ),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
