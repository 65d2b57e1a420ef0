/**
 * `booster doctor`: one checklist, each line ✔ or ✘ with a hint — configuration and profile,
 * credentials, base URL and TLS, the API reached with the credentials accepted, clock skew, the
 * journal, the export folder and the fingerprint key with their modes, and each schedule's destination
 * (reachable, writable, closed to others). `--contract` compares the
 * API's ServiceStack metadata with this version's model instead. Exit 0 when every check passes, 3
 * when the API refuses the credentials, 1 otherwise.
 */
import { Command, HelpDoc, Options } from "@effect/cli"
import { Effect } from "effect"
import * as Common from "../config/options.js"
import { DoctorError } from "../output/errors.js"
import * as Term from "../output/terminal.js"

const contract = Options.boolean("contract").pipe(
  Options.withDescription(
    "Compare the API's ServiceStack metadata (GET /types/metadata) with this version's model: the routes, verbs and fields of all six exports and of the task; list every field added, removed or changed."
  )
)

const MARK = { pass: "✔", fail: "✘", skip: "-" } as const

/** The `doctor` command. */
export const doctorCommand = Command.make(
  "doctor",
  { contract, json: Common.json, ...Common.settings },
  (opts) =>
    Effect.gen(function* () {
      const Checks = yield* Effect.promise(() => import("./checks.js"))
      const report = yield* Checks.run(
        {
          profile: opts.profile._tag === "Some" ? opts.profile.value : undefined,
          baseUrl: opts.baseUrl._tag === "Some" ? opts.baseUrl.value : undefined,
          apiKeyFile: opts.apiKeyFile._tag === "Some" ? opts.apiKeyFile.value : undefined
        },
        opts.contract
      )
      if (opts.json) {
        const { authRefused: _, ...shown } = report
        yield* Term.json(shown)
      } else {
        const width = Math.max(...report.checks.map((check) => check.name.length))
        for (const check of report.checks) {
          const mark =
            check.status === "pass"
              ? Term.green(MARK.pass)
              : check.status === "fail"
                ? Term.red(MARK.fail)
                : Term.dim(MARK.skip)
          yield* Term.out(Term.line`${mark} ${check.name.padEnd(width)}  ${check.summary}`)
          if (check.hint !== undefined)
            yield* Term.out(Term.line`  ${" ".repeat(width)}  ${Term.dim(Term.line`hint: ${check.hint}`)}`)
        }
        // the API's names, types and routes are foreign text: Term.line cleans each one
        for (const difference of report.contract?.differences ?? []) {
          yield* Term.out(
            Term.line`    ${difference.change.padEnd(8)} ${difference.field}  (${difference.detail})`
          )
        }
        for (const note of report.contract?.notes ?? []) yield* Term.out(Term.line`    note: ${note}`)
      }
      if (report.ok) return
      const failed = report.checks.filter((check) => check.status === "fail").map((check) => check.name)
      return yield* new DoctorError({
        message: `${failed.length} check${failed.length === 1 ? "" : "s"} failed: ${failed.join(", ")}`,
        hint: "Each failed line above says what to fix.",
        reason: report.authRefused ? "auth-refused" : "check-failed",
        failed
      })
    })
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Check the set-up: configuration and profile, credentials (one kind; key files not readable by others), base URL and TLS, the API reached (GET /tasks) with the credentials accepted, the clock against the API's Date header (at most 60 s apart), the journal folder (0700) and its files (0600), the export folder, and the fingerprint key (0600). Then one line per schedule (schedule:NAME), its destination checked as a run would use it, nothing left behind: a folder that exists, is writable and is closed to others (0700); an SFTP server whose host key is known, with a writable folder; a bucket reachable with its prefix listable. Exit 0 when all pass, 3 when the API refuses the credentials, 1 for any other failure. --json prints {ok, checks: [{name, status, summary, hint?}], contract?}."
      ),
      HelpDoc.h1("EXAMPLES"),
      HelpDoc.p("  booster doctor"),
      HelpDoc.p("  booster doctor --profile prod --json"),
      HelpDoc.p("  booster doctor --contract")
    ])
  )
)
