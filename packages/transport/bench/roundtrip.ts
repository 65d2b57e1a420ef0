/**
 * 2,000 sequential start+get round trips against a local sandbox (tasks complete at once, the
 * sandbox in its own process): this client (over undici, the default, and over Node's http) versus
 * plain `fetch` sending the same requests. The work is split into rounds; in each round every
 * contender runs the same batch back to back (in a rotating order), and the ratio is taken per
 * round, so machine load hits all alike; the median ratio over the rounds is reported. Then 200
 * concurrent exports, which must all succeed with 200 distinct tasks. `BENCH_ROUNDTRIP_BEFORE` names a
 * bundle of `roundtrip-rounds.ts` from another checkout (an earlier version, say) to run in the same
 * rounds as "before".
 */
import { Fingerprint } from "@booster-export/core"
import { NodeHttpClient } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { record } from "../../../scripts/bench-results.mjs"
import { Auth, BoosterClient } from "../src/index.js"
import { startSandboxProcess } from "./support.js"

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2_000)
const BATCH = 50
const CONCURRENT = 200
const filter = { brand: "CAR", posCodes: ["P001"] }

const sb = await startSandboxProcess(["--customers", "100", "--task-duration-ms", "0"])
const options = {
  baseUrl: sb.baseUrl,
  auth: Auth.bearer(sb.apiKey),
  fingerprintKey: Fingerprint.key(crypto.getRandomValues(new Uint8Array(Fingerprint.KEY_BYTES)))
}

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

const earlier =
  process.env.BENCH_ROUNDTRIP_BEFORE === undefined
    ? undefined
    : await (
        (await import(process.env.BENCH_ROUNDTRIP_BEFORE)) as {
          makeRounds: (
            o: typeof options,
            f: typeof filter
          ) => Promise<{ run: (n: number) => Promise<void>; close: () => Promise<void> }>
        }
      ).makeRounds(options, filter)

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
        const node = yield* build(BoosterClient.layer(options))
        const viaNodeHttp = yield* build(
          BoosterClient.layerWith(options).pipe(
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
          "this client over node:http": (n) => viaClient(viaNodeHttp, n),
          ...(earlier === undefined
            ? {}
            : { "before (default client)": (n: number) => Effect.promise(() => earlier.run(n)) })
        }
        const names = Object.keys(contenders)
        const perRound: Record<string, Array<number>> = {}
        // CPU time of this process (the sandbox runs in its own): what each client costs, whatever the load
        const cpuPerRound: Record<string, Array<number>> = {}
        for (const name of names) {
          yield* contenders[name]!(BATCH)
          perRound[name] = []
          cpuPerRound[name] = []
        }
        const rounds = Math.ceil(ROUNDS / BATCH)
        for (let round = 0; round < rounds; round++) {
          const n = Math.min(BATCH, ROUNDS - round * BATCH)
          for (let k = 0; k < names.length; k++) {
            const name = names[(round + k) % names.length]!
            const t = performance.now()
            const cpu = process.cpuUsage()
            yield* contenders[name]!(n)
            perRound[name]!.push((performance.now() - t) / n)
            const used = process.cpuUsage(cpu)
            cpuPerRound[name]!.push((used.user + used.system) / 1000 / n)
          }
        }
        const median = (xs: ReadonlyArray<number>) => {
          const sorted = [...xs].sort((a, b) => a - b)
          const mid = Math.floor(sorted.length / 2)
          return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
        }
        const baseline = perRound["plain fetch"]!
        const cpuBaseline = cpuPerRound["plain fetch"]!
        console.log(
          `${ROUNDS} sequential start+get round trips (${rounds} rounds of ${BATCH}, contenders interleaved; median of per-round ratios):`
        )
        for (const name of names) {
          const ratios = perRound[name]!.map((ms, i) => ms / baseline[i]!)
          const sorted = [...ratios].sort((a, b) => a - b)
          console.log(
            `  ${name.padEnd(34)} ${(median(perRound[name]!) * 1000).toFixed(0).padStart(5)} µs/round trip  ${median(ratios).toFixed(2)}x fetch  (rounds ${sorted[0]!.toFixed(2)}–${sorted[sorted.length - 1]!.toFixed(2)})` +
              `  CPU ${(median(cpuPerRound[name]!) * 1000).toFixed(0).padStart(5)} µs  ${median(cpuPerRound[name]!.map((ms, i) => ms / cpuBaseline[i]!)).toFixed(2)}x fetch`
          )
        }
        console.log(
          "  (wall times need an idle machine; CPU time is this process's, the sandbox runs in its own)"
        )
        console.log("  target: this client <= 1.15x plain fetch (median)")
        const client = median(perRound["this client (undici, default)"]!.map((ms, i) => ms / baseline[i]!))
        record({
          name: "start + get round trips",
          value: `${client.toFixed(2)}× plain fetch (CPU ${median(cpuPerRound["this client (undici, default)"]!.map((ms, i) => ms / cpuBaseline[i]!)).toFixed(2)}×)`,
          goal: "≤ 1.15×",
          met: client <= 1.15
        })

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
  await earlier?.close()
  sb.stop()
}
