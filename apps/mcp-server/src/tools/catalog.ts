/**
 * The tools this server offers, and which of them only read.
 */
import type { Api } from "../booster/api.js"
import type { Journal } from "../journal/journal.js"
import { download } from "./download.js"
import { getTask } from "./get-task.js"
import { listTasks } from "./list-tasks.js"
import { preview } from "./preview.js"
import type { Settings } from "./settings.js"
import { start } from "./start.js"
import type { Tool } from "./tool.js"

/** The services the tools need. */
export type ToolServices = Api | Journal | Settings

/** Every tool, in the order they are listed. */
export const all: ReadonlyArray<Tool<ToolServices>> = [preview, start, getTask, listTasks, download]

/** The tools a `--read-only` server offers. */
export const readOnly: ReadonlyArray<Tool<ToolServices>> = all.filter((tool) => tool.annotations.readOnlyHint)

/** What the server tells a client about how to use the tools. */
export const instructions =
  "Customer exports of the Booster2 API. Exports contain personal data: never ask for or repeat customer " +
  "names, emails or phones beyond what the user gave for the filter. Workflow: preview_customer_export to " +
  "check a filter, start_customer_export (repeating it returns the same task; force: true starts anew), " +
  "get_export_task with waitSeconds to follow it, download_export_file to store the file locally."
