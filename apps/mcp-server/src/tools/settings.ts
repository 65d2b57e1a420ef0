/**
 * The settings the tools read: where downloads go and how long a repeated start is recognised.
 */
import { Context, Layer } from "effect"

/** Tool settings. */
export class Settings extends Context.Tag("@booster-export/mcp-server/Settings")<
  Settings,
  {
    /** Directory downloads are written to. */
    readonly exportDir: string
    /** A start with the same fingerprint within this many ms returns the existing task; 0 disables. */
    readonly dedupeWindowMs: number
    /** Days a downloaded file is kept before retention deletes it. */
    readonly retentionDays: number
  }
>() {
  /** Settings from values. */
  static readonly layer = (settings: Settings["Type"]) => Layer.succeed(Settings, settings)
}
