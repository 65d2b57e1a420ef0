/**
 * What the server tells a client, in `initialize`, about how to use its tools.
 */

/** The server's instructions. */
export const instructions =
  "Customer exports of the Booster2 API. Exports contain personal data: never ask for or repeat customer " +
  "names, emails or phones beyond what the user gave for the filter. Workflow: preview_customer_export to " +
  "check a filter and show the user its description, start_customer_export once the user agrees (pass the " +
  "preview's confirmation; the server may ask the user itself; repeating it returns the same task; force: true " +
  "starts anew), " +
  "get_export_task with waitSeconds to follow it, download_export_file to store the file locally, " +
  "summarize_export_file for approximate counts (never the customers themselves; each call spends a daily " +
  "privacy budget, so ask once for the breakdowns needed)."
