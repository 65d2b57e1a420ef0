/** Downloads one URL with this client and prints `{ms, cpuMs, bytes, sha256, maxRssMiB}` as JSON. */
import { Auth, Promise as BoosterPromise } from "../src/index.js"

const [url, destination] = process.argv.slice(2)
const client = BoosterPromise.createClient({
  baseUrl: "http://127.0.0.1:9",
  auth: Auth.bearer("not-sent-anywhere")
})
const started = performance.now()
const cpuBefore = process.cpuUsage()
const result = await client.download(
  {
    asyncTaskId: "0123456789abcdef0123456789abcdef",
    type: "crm",
    requestDate: new Date().toISOString(),
    requestDateRaw: new Date().toISOString(),
    status: "COM",
    percentage: 100,
    brand: "CAR",
    signedDownloadUrl: url!
  },
  destination!,
  { overwrite: true }
)
const ms = performance.now() - started
const cpu = process.cpuUsage(cpuBefore)
await client.close()
console.log(
  JSON.stringify({
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    bytes: result.bytes,
    sha256: result.sha256,
    maxRssMiB: process.resourceUsage().maxRSS / 1024
  })
)
