/**
 * The floor of the start-up benchmark: a bare server on the official MCP SDK v2 (the low-level
 * `Server` and `serveStdio`, as booster-mcp uses them) answering `initialize` and `tools/list` with
 * one trivial tool. `node build.mjs --floor DIR` bundles it exactly as booster-mcp's start path
 * (CommonJS, minified, Ajv loaded on first use, run through the launcher's V8 code cache), so that
 * its start-up is what the SDK itself costs.
 */
import { Server, type Tool } from "@modelcontextprotocol/server"
import { serveStdio } from "@modelcontextprotocol/server/stdio"

const tools: Array<Tool> = [
  {
    name: "echo",
    description: "Returns the text it is given.",
    inputSchema: {
      type: "object",
      properties: { text: { type: "string", description: "The text to return." } }
    }
  }
]

serveStdio(() => {
  const server = new Server({ name: "floor", version: "0.0.0" }, { capabilities: { tools: {} } })
  server.setRequestHandler("tools/list", async () => ({ tools }))
  return server
})
