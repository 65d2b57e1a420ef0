/**
 * The settings the tools read: where downloads go, how long a repeated start is recognised, and the
 * summaries' privacy settings.
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
    /**
     * The privacy of summaries: `epsilon` charged and released per summary, `epsilonPerDay` the budget
     * of any 24 hours, `maxListValues` the interests, hobbies or collections counted per customer.
     */
    readonly summary: {
      readonly epsilon: number
      readonly epsilonPerDay: number
      readonly maxListValues: number
    }
  }
>() {
  /** Settings from values. */
  static readonly layer = (settings: Settings["Type"]) => Layer.succeed(Settings, settings)
}
