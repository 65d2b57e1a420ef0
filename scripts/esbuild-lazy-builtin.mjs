// An esbuild plugin for the CommonJS bundles of `booster` and `booster-mcp`: imports of the Node
// built-in modules matching a filter resolve to a stand-in that requires the real module on first
// use, so that starting does not load what only some runs need. The module's export names are
// listed at build time, so that namespace imports see every member.
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)

/** The plugin for the built-ins matching `filter`, e.g. `/^node:(http|https)$/`. */
export const lazyBuiltin = (filter) => ({
  name: "lazy-builtin",
  setup(build) {
    build.onResolve({ filter }, (args) =>
      args.namespace === "lazy-builtin" ? undefined : { path: args.path, namespace: "lazy-builtin" }
    )
    build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => {
      const keys = JSON.stringify(Object.keys(require(args.path)))
      return {
        loader: "js",
        contents: `let real
const load = () => (real ??= require(${JSON.stringify(args.path)}))
const keys = ${keys}
module.exports = new Proxy({}, {
  get: (_, key) => (key === "__esModule" ? undefined : load()[key]),
  has: (_, key) => keys.includes(key),
  ownKeys: () => [...keys],
  getOwnPropertyDescriptor: (_, key) =>
    keys.includes(key) ? { configurable: true, enumerable: true, get: () => load()[key] } : undefined
})`
      }
    })
  }
})
