/**
 * The server's name and version, as announced in `initialize`.
 */
import pkg from "../package.json" with { type: "json" }

/** The implementation name. */
export const NAME = "booster-mcp"

/** The package version. */
export const VERSION: string = pkg.version
