/**
 * The team database's schema, one `@effect/sql` migration per step, applied in order by the owner
 * role (`PgJournal.migrate`). To add a step, add `"<next number>_<name>"` below and give the team and
 * auditor roles their grants on what it creates in "Running for a team" (docs/team.md).
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/** The advisory-lock key every append takes, in the database function and (formerly) the client. */
export const CHAIN_LOCK = "booster-export:chain"

const appendFunction = (path: string) => `CREATE FUNCTION booster_journal_append(entry jsonb)
  RETURNS TABLE (appended_seq bigint, appended_hash text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${path} AS $$
  DECLARE
    v_key bytea;
    v_head_seq bigint;
    v_head_hash text;
    v_entry jsonb;
    v_purpose text;
    v_purpose_key bytea;
    v_mac text;
  BEGIN
    IF jsonb_typeof(entry) IS DISTINCT FROM 'object' THEN
      RAISE EXCEPTION 'a journal entry must be a JSON object';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('${CHAIN_LOCK}', 0));
    SELECT s.key INTO STRICT v_key FROM booster_journal_secret s;
    SELECT j.seq, coalesce(j.mac, j.entry->>'hash') INTO v_head_seq, v_head_hash
      FROM booster_journal j ORDER BY j.seq DESC LIMIT 1;
    v_purpose := CASE WHEN jsonb_typeof(entry->'purpose') = 'string' THEN entry->>'purpose' END;
    -- the database assigns the link, the writer and the time of writing, whatever the client sent
    v_entry := entry - ARRAY['seq', 'prev', 'hash', 'writer', 'recordedAt', 'purpose', 'purposeHmac'];
    IF v_purpose IS NOT NULL THEN
      IF length(v_purpose) > 200 THEN
        RAISE EXCEPTION 'purpose must be at most 200 characters';
      END IF;
      v_purpose_key := gen_random_bytes(32);
      v_entry := v_entry || jsonb_build_object('purposeHmac',
        'hmac-sha256:' || encode(hmac(convert_to(v_purpose, 'UTF8'), v_purpose_key, 'sha256'), 'hex'));
    END IF;
    v_entry := v_entry || jsonb_build_object(
      'seq', greatest(coalesce(v_head_seq, 0), 0) + 1,
      'prev', coalesce(v_head_hash, repeat('0', 64)),
      'writer', session_user::text,
      'recordedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
    v_mac := encode(hmac(convert_to(v_entry::text, 'UTF8'), v_key, 'sha256'), 'hex');
    INSERT INTO booster_journal (seq, entry, mac) VALUES ((v_entry->>'seq')::bigint, v_entry, v_mac);
    IF v_purpose IS NOT NULL THEN
      INSERT INTO booster_journal_purpose (seq, key, purpose)
        VALUES ((v_entry->>'seq')::bigint, v_purpose_key, v_purpose);
    END IF;
    RETURN QUERY SELECT (v_entry->>'seq')::bigint, v_mac;
  END
$$`

const verifyFunction = (path: string) => `CREATE FUNCTION booster_journal_verify()
  RETURNS TABLE (problem text, at_seq bigint, detail text, entries bigint, head_seq bigint, head_hash text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = ${path} AS $$
  DECLARE
    v_key bytea;
    r record;
    v_prev_seq bigint := 0;
    v_prev_hash text := repeat('0', 64);
    v_keyed bigint := 0;
  BEGIN
    SELECT s.key INTO STRICT v_key FROM booster_journal_secret s;
    FOR r IN
      SELECT j.seq, j.entry, j.mac, p.key AS purpose_key, p.purpose
        FROM booster_journal j LEFT JOIN booster_journal_purpose p ON p.seq = j.seq
        ORDER BY j.seq
    LOOP
      IF r.seq <= 0 THEN
        RETURN QUERY SELECT 'inserted', r.seq, 'not-positive', v_keyed, v_prev_seq, v_prev_hash;
        RETURN;
      END IF;
      IF r.mac IS NULL THEN
        IF v_keyed > 0 THEN
          RETURN QUERY SELECT 'inserted', r.seq, 'unkeyed', v_keyed, v_prev_seq, v_prev_hash;
          RETURN;
        END IF;
        -- an entry from before the keyed chain: the client checks its own hash
        v_prev_seq := r.seq;
        v_prev_hash := r.entry->>'hash';
        CONTINUE;
      END IF;
      IF r.mac IS DISTINCT FROM encode(hmac(convert_to(r.entry::text, 'UTF8'), v_key, 'sha256'), 'hex') THEN
        RETURN QUERY SELECT 'altered', r.seq, 'mac', v_keyed, v_prev_seq, v_prev_hash;
        RETURN;
      END IF;
      IF r.seq <> v_prev_seq + 1 THEN
        RETURN QUERY SELECT 'removed', v_prev_seq + 1, 'gap', v_keyed, v_prev_seq, v_prev_hash;
        RETURN;
      END IF;
      IF (r.entry->>'seq') IS DISTINCT FROM r.seq::text THEN
        RETURN QUERY SELECT 'altered', r.seq, 'seq', v_keyed, v_prev_seq, v_prev_hash;
        RETURN;
      END IF;
      IF (r.entry->>'prev') IS DISTINCT FROM v_prev_hash THEN
        RETURN QUERY SELECT 'altered', r.seq, 'prev', v_keyed, v_prev_seq, v_prev_hash;
        RETURN;
      END IF;
      IF r.purpose IS NOT NULL AND (r.entry->>'purposeHmac') IS DISTINCT FROM
          'hmac-sha256:' || encode(hmac(convert_to(r.purpose, 'UTF8'), r.purpose_key, 'sha256'), 'hex') THEN
        RETURN QUERY SELECT 'altered', r.seq, 'purpose', v_keyed, v_prev_seq, v_prev_hash;
        RETURN;
      END IF;
      v_keyed := v_keyed + 1;
      v_prev_seq := r.seq;
      v_prev_hash := r.mac;
    END LOOP;
    RETURN QUERY SELECT NULL::text, NULL::bigint, NULL::text, v_keyed, v_prev_seq, v_prev_hash;
  END
$$`

const eraseFunction = (
  path: string
) => `CREATE FUNCTION booster_journal_erase_purpose(target bigint, erased_by jsonb)
  RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${path} AS $$
  DECLARE
    v_task text;
  BEGIN
    SELECT j.entry->>'asyncTaskId' INTO v_task FROM booster_journal j WHERE j.seq = target;
    IF NOT FOUND THEN
      RETURN 'unknown';
    END IF;
    DELETE FROM booster_journal_purpose p WHERE p.seq = target;
    IF NOT FOUND THEN
      RETURN 'none';
    END IF;
    PERFORM booster_journal_append((coalesce(erased_by, '{}'::jsonb) - 'purpose') || jsonb_build_object(
      'event', 'erased', 'erasedSeq', target, 'asyncTaskId', coalesce(v_task, '')));
    RETURN 'erased';
  END
$$`

/** Every step, by `<number>_<name>`. */
export const MIGRATIONS = {
  "1_journal": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE booster_journal (
      seq bigint PRIMARY KEY,
      entry jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`
    yield* sql`CREATE INDEX booster_journal_start ON booster_journal ((entry->>'fingerprint'), (entry->>'host'), (entry->>'at'))`
    yield* sql`CREATE INDEX booster_journal_at ON booster_journal ((entry->>'at'))`
    yield* sql`CREATE INDEX booster_journal_task ON booster_journal ((entry->>'asyncTaskId'))`
    yield* sql.unsafe(`CREATE FUNCTION booster_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'booster_journal is append-only';
      END
    $$`)
    yield* sql`CREATE TRIGGER booster_journal_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON booster_journal
      FOR EACH STATEMENT EXECUTE FUNCTION booster_journal_append_only()`
  }),
  "2_consent_tokens": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE booster_consent_tokens (
      token_hash text PRIMARY KEY,
      kind text NOT NULL,
      fingerprint text NOT NULL,
      issued_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`
    yield* sql`CREATE INDEX booster_consent_tokens_expiry ON booster_consent_tokens (expires_at)`
  }),
  // the entry's time as a timestamp, indexed, for time-bounded reads (`audit export --since`); a
  // time that cannot be read is NULL rather than a refused insert
  "3_journal_time": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(`CREATE FUNCTION booster_journal_time(at text) RETURNS timestamptz
      LANGUAGE plpgsql IMMUTABLE STRICT SET timezone = 'UTC' AS $$
      BEGIN
        RETURN at::timestamptz;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END
    $$`)
    yield* sql`CREATE INDEX booster_journal_time ON booster_journal (booster_journal_time(entry->>'at'))`
  }),
  // the database, not the client, links and attributes entries: appends go through a SECURITY
  // DEFINER function keying each link with a secret only the owner can read; purposes move beside
  // the chain (erasable); direct writes are revoked from every role but the owner
  "4_keyed_chain": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`
    const [where] = yield* sql<{
      schema: string
      crypto: string
    }>`SELECT quote_ident(current_schema()) AS schema,
      (SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pgcrypto') AS crypto`
    const path = [...new Set([where!.schema, where!.crypto])].concat("pg_temp").join(", ")
    yield* sql`ALTER TABLE booster_journal ADD COLUMN mac text`
    yield* sql`ALTER TABLE booster_journal ADD CONSTRAINT booster_journal_seq_positive CHECK (seq > 0) NOT VALID`
    yield* sql`CREATE TABLE booster_journal_secret (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      key bytea NOT NULL
    )`
    yield* sql`INSERT INTO booster_journal_secret (key) VALUES (gen_random_bytes(32))`
    yield* sql`REVOKE ALL ON booster_journal_secret FROM PUBLIC`
    yield* sql`CREATE TABLE booster_journal_purpose (
      seq bigint PRIMARY KEY,
      key bytea NOT NULL,
      purpose text NOT NULL
    )`
    yield* sql.unsafe(appendFunction(path))
    yield* sql.unsafe(verifyFunction(path))
    yield* sql.unsafe(eraseFunction(path))
    yield* sql`REVOKE ALL ON FUNCTION booster_journal_append(jsonb) FROM PUBLIC`
    yield* sql`REVOKE ALL ON FUNCTION booster_journal_verify() FROM PUBLIC`
    yield* sql`REVOKE ALL ON FUNCTION booster_journal_erase_purpose(bigint, jsonb) FROM PUBLIC`
    // the grants older versions told teams to give (SELECT, INSERT) lose their write half
    yield* sql.unsafe(`DO $$
      DECLARE
        r record;
      BEGIN
        FOR r IN
          SELECT DISTINCT a.grantee FROM pg_class c, aclexplode(c.relacl) a
            WHERE c.oid = 'booster_journal'::regclass AND a.grantee <> c.relowner
              AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
        LOOP
          IF r.grantee = 0 THEN
            REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON booster_journal FROM PUBLIC;
          ELSE
            EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON booster_journal FROM %I',
              (SELECT rolname FROM pg_roles WHERE oid = r.grantee));
          END IF;
        END LOOP;
      END
    $$`)
  }),
  // the privacy budget of summaries: one row per charge, never changed or removed (a removed charge
  // would give budget back)
  "5_privacy_budget": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE booster_privacy_budget (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT clock_timestamp(),
      epsilon_micros bigint NOT NULL CHECK (epsilon_micros > 0),
      actor text,
      async_task_id text
    )`
    yield* sql`CREATE INDEX booster_privacy_budget_at ON booster_privacy_budget (at)`
    yield* sql.unsafe(`CREATE FUNCTION booster_privacy_budget_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'booster_privacy_budget is append-only';
      END
    $$`)
    yield* sql`CREATE TRIGGER booster_privacy_budget_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON booster_privacy_budget
      FOR EACH STATEMENT EXECUTE FUNCTION booster_privacy_budget_append_only()`
  })
}

/** The number of the newest step. */
export const LATEST = Math.max(...Object.keys(MIGRATIONS).map((name) => Number.parseInt(name, 10)))
