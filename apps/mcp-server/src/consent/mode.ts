/**
 * The consent modes, free of Effect so that reading the command line stays light.
 */

/**
 * How a start gets consent: `token` (the preview's confirmation), `elicit` (the server asks the
 * user through the client), `auto` (ask the user when the client can, else require the token).
 */
export type Mode = "token" | "elicit" | "auto"

/** Every consent mode. */
export const MODES: ReadonlyArray<Mode> = ["token", "elicit", "auto"]

/** How long a confirmation is valid by default, in minutes. */
export const DEFAULT_CONFIRMATION_MINUTES = 10
