/** SQL of the PostgreSQL journal that tests also run (`EXPLAIN`). */

/**
 * The entries at or after `$1` (a timestamp) and the older start of each task they are about,
 * oldest first: both parts are read through indexes (the entry's time; the task id).
 */
export const SINCE_QUERY = `WITH recent AS (
    SELECT seq, entry, mac FROM booster_journal WHERE booster_journal_time(entry->>'at') >= $1::timestamptz
  )
  SELECT seq, entry, mac, entry->>'at' AS at FROM recent
  UNION ALL
  SELECT seq, entry, mac, entry->>'at' AS at FROM booster_journal
    WHERE entry->>'asyncTaskId' IN (SELECT entry->>'asyncTaskId' FROM recent)
      AND (booster_journal_time(entry->>'at') >= $1::timestamptz) IS NOT TRUE
      AND entry->>'file' IS NULL
      AND coalesce(entry->>'event', 'started') = 'started'
  ORDER BY at, seq`
