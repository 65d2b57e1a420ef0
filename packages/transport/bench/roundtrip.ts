/**
 * 2,000 sequential start+get round trips against a local sandbox (tasks complete at once, the
 * sandbox in its own process): this client (over Node's http and over undici) versus plain `fetch`
 * sending the same requests, in alternating batches so that machine load hits all alike. Then 200
 * concurrent exports, which must all succeed with 200 distinct tasks.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { Auth, BoosterClient } from "../src/index.js"
import { startSandboxProcess } from "./support.js"

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2_000)
const BATCH = 100
const CONCURRENT = 200
const filter = { brand: "CAR", posCodes: ["P001"] }

const sb = await startSandboxProcess(["--customers", "100", "--task-duration-ms", "0"])
const options = { baseUrl: sb.baseUrl, auth: Auth.bearer(sb.apiKey) }

const viaFetch = async (rounds: number) => {
  const headers = { authorization: `Bearer ${sb.apiKey}`, accept: "application/json" }
  for (let i = 0; i < rounds; i++) {
    const started = await fetch(`${sb.baseUrl}/customer/CAR/export`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ downloadRequestId: crypto.randomUUID(), ...filter })
    })
    if (!started.ok) throw new Error(`fetch POST ${started.status}`)
    const { asyncTaskId } = (await started.json()) as { asyncTaskId: string }
    const task = await fetch(`${sb.baseUrl}/tasks/${asyncTaskId}`, { headers })
    if (!task.ok) throw new Error(`fetch GET ${task.status}`)
    await task.json()
  }
}

const viaClient = (client: BoosterClient.Service, rounds: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < rounds; i++) {
      const { asyncTaskId } = yield* client.startExport(filter)
      yield* client.getTask(asyncTaskId)
    }
  })

const build = <E>(layer: Layer.Layer<BoosterClient.BoosterClient, E>) =>
  Effect.map(Layer.build(layer), (context) => Context.get(context, BoosterClient.BoosterClient))

try {
  await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const node = yield* build(BoosterClient.BoosterClient.layer(options))
        const viaNodeHttp = yield* build(
          BoosterClient.BoosterClient.layerWith(options).pipe(
            Layer.provide(
              NodeHttpClient.layerWithoutAgent.pipe(
                Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
              )
            )
          )
        )
        const contenders: Record<string, (n: number) => Effect.Effect<void, unknown>> = {
          "plain fetch": (n) => Effect.promise(() => viaFetch(n)),
          "this client (undici, default)": (n) => viaClient(node, n),
          "this client over node:http": (n) => viaClient(viaNodeHttp, n)
        }
        const totals: Record<string, number> = {}
        for (const [name, run] of Object.entries(contenders)) {
          yield* run(BATCH)
          totals[name] = 0
        }
        for (let done = 0; done < ROUNDS; done += BATCH) {
          for (const [name, run] of Object.entries(contenders)) {
            const t = performance.now()
            yield* run(Math.min(BATCH, ROUNDS - done))
            totals[name]! += performance.now() - t
          }
        }
        const baseline = totals["plain fetch"]!
        console.log(`${ROUNDS} sequential start+get round trips (alternating batches of ${BATCH}):`)
        for (const [name, ms] of Object.entries(totals)) {
          console.log(
            `  ${name.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  ${((ms * 1000) / ROUNDS).toFixed(0).padStart(5)} µs/round trip  ${(ms / baseline).toFixed(2)}x fetch`
          )
        }
        console.log("  target: this client <= 1.15x plain fetch")

        const before = (yield* node.listTasks()).length
        const t = performance.now()
        const results = yield* Effect.all(
          Array.from({ length: CONCURRENT }, () => Effect.either(node.startExport(filter))),
          { concurrency: "unbounded" }
        )
        const ids = new Set(results.flatMap((r) => (r._tag === "Right" ? [r.right.asyncTaskId] : [])))
        const created = (yield* node.listTasks()).length - before
        console.log(
          `${CONCURRENT} concurrent exports: ${ids.size} succeeded, ${created} tasks created, ${(performance.now() - t).toFixed(0)} ms`
        )
        if (ids.size !== CONCURRENT || created !== CONCURRENT) process.exitCode = 1
      })
    )
  )
} finally {
  sb.stop()
}
