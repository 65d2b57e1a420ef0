/**
 * `booster doctor`'s schedule lines: one per schedule, its destination (shown without user name or
 * query) checked through the destination's own check — the folder exists, is writable and closed
 * to others; the SFTP server's host key is known and its folder writable; the bucket is reachable
 * and its prefix listable with the credentials. Nothing lasting is written; an install without
 * schedules gets no line (and no store created for it).
 */
import { existsSync } from "node:fs"
import * as Destination from "@booster-export/schedule/Destination"
import type * as ExportSchedule from "@booster-export/schedule/ExportSchedule"
import * as Redact from "@booster-export/transport/Redact"
import * as Scrub from "@booster-export/transport/Scrub"
import { Duration, Effect } from "effect"
import type { Settings } from "../config/profiles.js"
import type { Check } from "./checks.js"

/** How long one destination's check may take before it fails as unreachable. */
export const CHECK_TIMEOUT = Duration.seconds(20)

const HINTS: Record<Destination.DestinationError["reason"], string> = {
  invalid: "Fix the destination: `booster schedule remove NAME`, then add it again with a valid --to.",
  exists: "Another file is in the way at the destination; move it.",
  verify: "The destination changed what was written; check the server or store.",
  unreachable:
    "Create the folder (mode 0700), or check the host, port, bucket and network; a run would fail the same way.",
  denied:
    "Check the permissions: a folder closed to others (chmod 700) that you can write; the SFTP key and known_hosts (BOOSTER_SFTP_KEY_FILE, BOOSTER_SFTP_KNOWN_HOSTS); the S3 credentials (profile or environment).",
  io: "Check that the destination is a folder you can write to."
}

const clean = (text: string) => Redact.urlsInText(Scrub.line(text))

/** The check of one schedule's destination, as a doctor line named `schedule:NAME`. */
export const checkOne = (schedule: ExportSchedule.ExportSchedule): Effect.Effect<Check> => {
  const name = `schedule:${schedule.name}`
  const shown = Redact.url(schedule.destination)
  return Destination.open(schedule.destination).pipe(
    Effect.flatMap((destination) => destination.check),
    Effect.timeoutFail({
      duration: CHECK_TIMEOUT,
      onTimeout: () =>
        new Destination.DestinationError({
          reason: "unreachable",
          message: `${shown} did not answer within ${Duration.format(CHECK_TIMEOUT)}`
        })
    }),
    Effect.match({
      onSuccess: (summary): Check => ({ name, status: "pass", summary: clean(summary) }),
      onFailure: (error): Check => ({
        name,
        status: "fail",
        summary: clean(`${shown}: ${error.message}`),
        hint: HINTS[error.reason]
      })
    })
  )
}

/**
 * One line per schedule (its destination checked), in the store of `settings` (the team database,
 * else the state folder's SQLite file); none without schedules; one failed `schedules` line when the
 * store cannot be read.
 */
export const checkDestinations = (
  settings: Pick<Settings, "journalUrl">
): Effect.Effect<ReadonlyArray<Check>> =>
  Effect.gen(function* () {
    const Runtime = yield* Effect.promise(() => import("../schedule/runtime.js"))
    if (settings.journalUrl === undefined && !existsSync(Runtime.databasePath())) {
      return []
    }
    const schedules = yield* Effect.flatMap(Runtime.ScheduleStore.ScheduleStore, (store) => store.list).pipe(
      Effect.provide(Runtime.storeLayer(settings)),
      Effect.either
    )
    if (schedules._tag === "Left") {
      return [
        {
          name: "schedules",
          status: "fail",
          summary: "The schedule store cannot be read",
          hint: "Check the state folder (or BOOSTER_JOURNAL_URL's database) and its permissions."
        } satisfies Check
      ]
    }
    return yield* Effect.forEach(schedules.right, checkOne, { concurrency: 4 })
  })
