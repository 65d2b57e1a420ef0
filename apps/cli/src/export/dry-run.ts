/**
 * `booster export [KIND] --dry-run`: validates the filter and prints the request that would be sent
 * (secrets redacted, personal values hidden unless `--show-personal`), sending nothing and reading
 * no fingerprint key. The one implementation, run by the full program and by the fast path
 * (`dist/dry-run.cjs`, see `fast-path.ts`): it loads no command framework and no HTTP client.
 */
import { Fingerprint } from "@booster-export/core"
import * as DryRun from "@booster-export/transport/DryRun"
import * as Scrub from "@booster-export/transport/Scrub"
import { Effect } from "effect"
import { authOf, optionsOf } from "../client/options.js"
import * as Profiles from "../config/profiles.js"
import * as Term from "../output/terminal.js"
import * as Request from "./request.js"

/** What a dry run is given: the filter's sources, the settings flags and the output flags. */
export interface Input extends Request.RequestInput {
  /** `--profile`, `--base-url`, `--api-key-file`. */
  readonly settings: Profiles.SettingFlags
  /** `--show-personal`. */
  readonly showPersonal: boolean
  /** `--json`. */
  readonly json: boolean
}

/** Resolves the settings, builds and validates the request, and prints it (see the module's description). */
export const run = (input: Input) =>
  Effect.gen(function* () {
    const settings = yield* Profiles.resolveSettings(input.settings)
    const { filter, downloadRequestId } = yield* Request.build(input, {
      brand: settings.brand,
      posCodes: settings.posCodes
    })
    const { kind } = input
    const description = kind.describe(filter)
    // a dry run shows no fingerprint: it reads no key file and creates none
    const ephemeral = Fingerprint.key(crypto.getRandomValues(new Uint8Array(Fingerprint.KEY_BYTES)))
    const auth = yield* authOf(settings)
    const dry = yield* DryRun.make(optionsOf(settings, auth, { fingerprintKey: ephemeral }), kind, filter, {
      ...(downloadRequestId !== undefined ? { downloadRequestId } : {})
    })
    // personal values are shown only when asked: a dry run is often pasted into a ticket or a log
    const { value: body, hidden } = input.showPersonal
      ? { value: dry.body, hidden: [] }
      : Scrub.hidePersonal(kind.request, dry.body as Record<string, unknown>)
    if (input.json) {
      return yield* Term.json({ method: dry.method, url: dry.url, headers: dry.headers, body })
    }
    yield* Term.err(Term.line`${Term.bold("Would export:")} ${description}`)
    yield* Term.out(Term.line`${dry.method} ${dry.url}`)
    for (const [name, value] of Object.entries(dry.headers)) yield* Term.out(Term.line`${name}: ${value}`)
    yield* Term.out("")
    yield* Term.out(JSON.stringify(body, null, 2))
    if (hidden.length > 0) {
      yield* Term.err(
        Term.dim(
          `Personal values (${hidden.join(", ")}) are shown as ${Scrub.PLACEHOLDER}; --show-personal shows them.`
        )
      )
    }
    return yield* Term.err(Term.dim("Dry run: nothing was sent."))
  })
