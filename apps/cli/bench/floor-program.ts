/**
 * The smallest program built like `booster`: one @effect/cli command with five options whose value
 * is checked by an Effect Schema and printed as JSON. The cold-start benchmark bundles it and starts
 * it through the same launcher and code cache as `booster`, to show what Effect and @effect/cli
 * alone cost at start-up on the machine running the benchmark.
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Console, Effect, Layer, Schema } from "effect"

const Filter = Schema.Struct({
  brand: Schema.String.pipe(Schema.minLength(1)),
  posCodes: Schema.Array(Schema.String.pipe(Schema.minLength(1)))
})

const exportCommand = Command.make(
  "export",
  {
    brand: Options.text("brand"),
    posCodes: Options.text("pos-code").pipe(Options.repeated),
    interests: Options.text("interest").pipe(Options.repeated),
    dryRun: Options.boolean("dry-run"),
    json: Options.boolean("json")
  },
  (options) =>
    Effect.flatMap(
      Schema.decodeUnknown(Filter)({ brand: options.brand, posCodes: options.posCodes }),
      (filter) => Console.log(JSON.stringify({ method: "POST", body: filter }))
    )
)

const run = Command.run(Command.make("floor").pipe(Command.withSubcommands([exportCommand])), {
  name: "floor",
  version: "0.0.0"
})

const layer = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer, CliConfig.layer({}))
Effect.runFork(run(process.argv).pipe(Effect.provide(layer))).addObserver((exit) =>
  process.exit(exit._tag === "Success" ? 0 : 1)
)
