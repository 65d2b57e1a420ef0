#!/usr/bin/env node
/**
 * `booster-sandbox`: runs the sandbox in the foreground, prints its base URL and demo key, and stops
 * cleanly on SIGINT / SIGTERM.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import * as Faults from "./Faults.js"
import * as Sandbox from "./Sandbox.js"

const USAGE = `Usage: booster-sandbox [options]

Runs the Booster2 API sandbox until interrupted.

Options:
  --host <ip>                 interface to listen on (default 127.0.0.1)
  --port <n>                  API port (default 0: any free port)
  --storage-port <n>          download (storage) port (default 0: any free port)
  --customers <n>             synthetic customers (default 10000)
  --records <n>               rows of each other export: stock, movements, sell-out,
                              invoices, orders (default 10000)
  --import-tasks              list an import task among each key's tasks
  --seed <n>                  data seed (default 1)
  --brands <list>             brands of the customers, comma-separated (default CAR,IWC,JLC,VCA,PIA,MTB)
  --task-duration-ms <n>      REQ -> INP -> COM duration (default 3000; 0 completes at once)
  --signed-url-ttl-ms <n>     signed download URL lifetime (default 900000)
  --api-key-header <name>     header carrying the key (default X-Api-Key; Bearer always accepted)
  --faults <rules>            e.g. export:503x2,download:truncate,task:429@2s
  -h, --help                  show this help
`

const integer = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) {
    process.stderr.write(`booster-sandbox: --${name} must be a whole number\n`)
    process.exit(2)
  }
  return Number(value)
}

const main = async () => {
  let values: Record<string, string | boolean | undefined>
  try {
    const argv = process.argv.slice(2)
    values = parseArgs({
      args: argv[0] === "--" ? argv.slice(1) : argv,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        "storage-port": { type: "string" },
        customers: { type: "string" },
        records: { type: "string" },
        "import-tasks": { type: "boolean" },
        seed: { type: "string" },
        brands: { type: "string" },
        "task-duration-ms": { type: "string" },
        "signed-url-ttl-ms": { type: "string" },
        "api-key-header": { type: "string" },
        faults: { type: "string" },
        help: { type: "boolean", short: "h" }
      },
      strict: true
    }).values
  } catch (error) {
    process.stderr.write(
      `booster-sandbox: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`
    )
    process.exit(2)
  }
  if (values.help === true) {
    process.stdout.write(USAGE)
    return
  }
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined)
  let faults: ReadonlyArray<Faults.FaultRule> = []
  try {
    faults = Faults.parse(text("faults") ?? "")
  } catch (error) {
    process.stderr.write(`booster-sandbox: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(2)
  }
  const options: Sandbox.SandboxOptions = {
    faults,
    ...(text("host") !== undefined ? { host: text("host")! } : {}),
    ...(text("brands") !== undefined
      ? {
          brands: text("brands")!
            .split(",")
            .map((brand) => brand.trim())
            .filter((brand) => brand !== "")
        }
      : {}),
    ...(text("api-key-header") !== undefined ? { apiKeyHeader: text("api-key-header")! } : {}),
    ...(values["import-tasks"] === true ? { importTasks: true } : {})
  }
  const numbers: Array<[string, keyof Sandbox.SandboxOptions]> = [
    ["port", "port"],
    ["storage-port", "storagePort"],
    ["customers", "customers"],
    ["seed", "seed"],
    ["task-duration-ms", "taskDurationMs"],
    ["signed-url-ttl-ms", "signedUrlTtlMs"]
  ]
  const numeric: Record<string, number> = {}
  for (const [flag, option] of numbers) {
    const value = integer(flag, text(flag))
    if (value !== undefined) numeric[option] = value
  }
  const records = integer("records", text("records"))
  const sandbox = await Sandbox.start({
    ...options,
    ...numeric,
    ...(records !== undefined
      ? {
          records: {
            stock: records,
            movements: records,
            "sell-out": records,
            invoices: records,
            orders: records
          }
        }
      : {})
  })
  process.stdout.write(
    `Booster2 sandbox listening\n  base URL:    ${sandbox.baseUrl}\n  storage URL: ${sandbox.storageUrl}\n  demo key:    ${sandbox.apiKey}\n\n` +
      `  export BOOSTER_BASE_URL=${sandbox.baseUrl}\n  export BOOSTER_API_KEY=${sandbox.apiKey}\n\nPress Ctrl-C to stop.\n`
  )
  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nbooster-sandbox: ${signal}, stopping\n`)
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`booster-sandbox: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
