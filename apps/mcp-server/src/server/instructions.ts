/**
 * What the server tells a client, in `initialize`, about how to use its tools.
 */

/** The server's instructions. */
export const instructions =
  "Exports of the Booster2 API: customers (default), stock, movements, sell-out, invoices and orders (the kind " +
  "argument). All but stock contain personal data: never ask for or repeat customer names, emails or phones " +
  "beyond what the user gave for the filter. Workflow: preview_export to check a filter and show the user its " +
  "description, start_export once the user agrees (pass the preview's confirmation; the server may ask the user " +
  "itself; stock needs no consent; repeating it returns the same task; force: true starts anew), " +
  "get_export_task with waitSeconds to follow it, download_export_file to store the file locally, " +
  "summarize_export_file for approximate counts of a customer export (never the customers themselves; each " +
  "call spends a daily privacy budget, so ask once for the breakdowns needed)."
