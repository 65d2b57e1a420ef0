import { ensureBuilt } from "./helpers.js"

/** Builds the bundle when it is missing or stale, once, before the test files run side by side. */
export default function setup(): void {
  ensureBuilt(true)
}
