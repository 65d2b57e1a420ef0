/**
 * Runs one sandbox in its own process for the benchmark, so its peak RSS can be measured alone.
 * Sends `{ready, baseUrl, storageUrl, apiKey}` over IPC once listening; on "stop" closes and sends
 * `{maxRssBytes}`.
 */
import { Sandbox } from "../src/index.js"

const customers = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000)
const sandbox = await Sandbox.start({ customers, brands: ["CAR"], taskDurationMs: 0 })
process.send?.({
  ready: true,
  baseUrl: sandbox.baseUrl,
  storageUrl: sandbox.storageUrl,
  apiKey: sandbox.apiKey
})
process.on("message", (message) => {
  if (message !== "stop") return
  sandbox.close().then(() => {
    process.send?.({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }, () => process.exit(0))
  })
})
