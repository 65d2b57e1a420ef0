/**
 * The roles and grants of "Running for a team" (docs/team.md), run as written (with names of their
 * own, so that tests do not share roles in the one cluster): the owner and its database, then, after
 * the owner's migration, the team and auditor roles with one member each.
 */
import { randomUUID } from "node:crypto"
import { readFileSync } from "node:fs"
import { AuditTrail } from "@booster-export/journal"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted } from "effect"

const TEAM_GUIDE = new URL("../../../docs/team.md", import.meta.url)

/** The SQL blocks of docs/team.md that create the roles: the owner's, then the team's and auditors'. */
export const readmeSql = (): { readonly owner: string; readonly grants: string } => {
  const blocks = [...readFileSync(TEAM_GUIDE, "utf8").matchAll(/```sql\n([\s\S]*?)```/g)].map((match) =>
    match[1]!.replace(/^ {2}/gm, "")
  )
  const owner = blocks.find((block) => block.includes("CREATE ROLE booster_owner"))
  const grants = blocks.find((block) => block.includes("CREATE ROLE booster_team"))
  if (owner === undefined || grants === undefined) throw new Error("docs/team.md has no roles and grants SQL")
  return { owner, grants }
}

/** Runs statements against the database at `url`. */
const statements = (url: string, text: string, rename: (sql: string) => string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(PgClient.make({ url: Redacted.make(url) }), (client) =>
        Effect.forEach(
          text
            .split("\n")
            .filter((line) => !line.trimStart().startsWith("--"))
            .join("\n")
            .split(";")
            .map((statement) => rename(statement).trim())
            .filter((statement) => statement !== ""),
          (statement) => client.unsafe(statement),
          { discard: true }
        )
      )
    ).pipe(Effect.provide(Reactivity.layer)) as Effect.Effect<void, unknown>
  )

/** A team's database and roles, by docs/team.md; the URLs carry each role's password. */
export interface Team {
  /** The database as the cluster's superuser reaches it. */
  readonly superUrl: string
  readonly ownerUrl: string
  readonly memberUrl: string
  readonly auditorUrl: string
  /** The member's and auditor's role names (what the database records as `writer`). */
  readonly member: string
  readonly auditor: string
  readonly password: string
  /** Runs the guide's grants (after the owner's migration). */
  readonly grant: () => Promise<void>
}

/** Creates the owner and its database as docs/team.md says; `grant` runs the rest after migrating. */
export const createTeam = async (clusterUrl: string): Promise<Team> => {
  const suffix = randomUUID().replace(/-/g, "").slice(0, 10)
  const names: Record<string, string> = {
    booster_owner: `owner_${suffix}`,
    booster_export: `db_${suffix}`,
    booster_team: `team_${suffix}`,
    alice: `alice_${suffix}`,
    booster_auditor: `auditor_${suffix}`,
    carol: `carol_${suffix}`
  }
  const rename = (sql: string) =>
    sql.replace(
      /\b(booster_owner|booster_export|booster_team|alice|booster_auditor|carol)\b/g,
      (name) => names[name]!
    )
  const password = `pw-${suffix}`
  const { owner, grants } = readmeSql()
  await statements(clusterUrl, owner, rename)
  await statements(clusterUrl, `ALTER ROLE ${names.booster_owner} PASSWORD '${password}'`, (s) => s)
  const as = (role: string, database = names.booster_export!) => {
    const url = new URL(clusterUrl)
    url.username = role
    url.password = role === new URL(clusterUrl).username ? url.password : password
    url.pathname = `/${database}`
    return url.toString()
  }
  const superUrl = as(new URL(clusterUrl).username)
  return {
    superUrl,
    ownerUrl: as(names.booster_owner!),
    memberUrl: as(names.alice!),
    auditorUrl: as(names.carol!),
    member: names.alice!,
    auditor: names.carol!,
    password,
    grant: async () => {
      await statements(superUrl, grants, rename)
      await statements(
        superUrl,
        `ALTER ROLE ${names.alice} PASSWORD '${password}'; ALTER ROLE ${names.carol} PASSWORD '${password}'`,
        (s) => s
      )
    }
  }
}

/**
 * What only the owner can do (here as the superuser): drop the `seq > 0` check and slip in a row at
 * `seq -1` without a link, as if written before the chain.
 */
export const insertUnlinkedRow = (superUrl: string) =>
  statements(
    superUrl,
    `ALTER TABLE booster_journal DROP CONSTRAINT booster_journal_seq_positive;
     INSERT INTO booster_journal (seq, entry) VALUES (-1, '{"at":"2020-01-01T00:00:00.000Z","event":"deleted","asyncTaskId":"old"}')`,
    (sql) => sql
  )

/**
 * The entry a member forges after the row `seq` whose MAC is `mac`, linked as a client would link
 * it and attributed to a colleague.
 */
export const forgedAfter = (
  head: { readonly seq: number; readonly mac: string },
  event: string,
  asyncTaskId: string
) =>
  AuditTrail.link(
    { seq: head.seq, hash: head.mac },
    { at: new Date().toISOString(), source: "cli", event, asyncTaskId, actor: "colleague@desk" }
  )
