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
