/** One figure of `pnpm bench` with its goal (see bench-results.mjs). */
export interface Figure {
  readonly name: string
  readonly value: string
  readonly goal: string
  readonly met: boolean
}
/** Records one figure into the run's results table (nothing when run outside `pnpm bench`). */
export declare const record: (figure: Figure) => void
