import { Option } from "effect"
import type * as BoosterConfig from "../BoosterConfig.js"

/** The URL of an API route (`tasks/…`, `customer/{brand}/export`), under the configured base URL. */
export const apiUrl = (config: BoosterConfig.Resolved, relative: string): URL =>
  new URL(relative.replace(/^\//, ""), config.baseUrl)

/** The URL to fetch a task's file from (`raw` is its signed or plain download URL), if it has one. */
export const downloadUrl = (config: BoosterConfig.Resolved, raw: string | undefined): Option.Option<URL> => {
  if (raw === undefined || raw.trim() === "") return Option.none()
  try {
    return Option.some(new URL(raw, config.baseUrl))
  } catch {
    return Option.none()
  }
}
