/**
 * The shell completion scripts `booster --completions SHELL` prints: @effect/cli's static script
 * for the command tree, and after it a small addition that offers, from this machine,
 *
 * - the names of the saved filters after `--filter` (`export`, `schedule add`) and as the NAME of
 *   `filters show|remove`;
 * - the ids of recent tasks (newest first) as the TASK-ID of `tasks get|wait|download`.
 *
 * The addition asks `booster __complete filters|tasks` (answered by the launcher, see
 * `candidates.ts`) and hands every other word to @effect/cli's completion.
 */
import * as Command from "@effect/cli/Command"
import { Effect } from "effect"

/** The shells a script is printed for (`sh` gets the bash script). */
export const SHELLS = ["bash", "fish", "sh", "zsh"] as const

/** A shell a script is printed for. */
export type Shell = (typeof SHELLS)[number]

/** The shell `--completions SHELL` (or `--completions=SHELL`) asks for among the arguments, if any. */
export const requested = (args: ReadonlyArray<string>): Shell | undefined => {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const value =
      arg === "--completions" ? args[i + 1] : arg?.startsWith("--completions=") ? arg.slice(14) : undefined
    if (value !== undefined)
      return (SHELLS as ReadonlyArray<string>).includes(value) ? (value as Shell) : undefined
  }
  return undefined
}

const BASH = `
# Saved filter names and recent task ids, from this machine (booster __complete).
_booster_dynamic_completions() {
    local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" what="" i word
    local -a plain=()
    if [[ \${COMP_CWORD} -gt 0 ]]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
    if [[ \${prev} == --filter ]]; then
        what=filters
    elif [[ \${cur} != -* ]]; then
        for (( i = 1; i < COMP_CWORD; i++ )); do
            word="\${COMP_WORDS[i]}"
            [[ \${word} == -* ]] || plain+=( "\${word}" )
        done
        if [[ \${#plain[@]} -eq 2 ]]; then
            case "\${plain[0]} \${plain[1]}" in
                "filters show"|"filters remove") what=filters ;;
                "tasks get"|"tasks wait"|"tasks download") what=tasks ;;
            esac
        fi
    fi
    if [[ -n \${what} ]]; then
        local IFS=$'\\n'
        COMPREPLY=( $(compgen -W "$(booster __complete "\${what}" 2>/dev/null)" -- "\${cur}") )
        return 0
    fi
    _booster_bash_completions "$@"
}
complete -F _booster_dynamic_completions -o nosort -o bashdefault -o default booster
`

const ZSH = `
# Saved filter names and recent task ids, from this machine (booster __complete).
_booster_dynamic_completions() {
    local what="" cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" word
    local -a plain candidates
    if [[ $prev == --filter ]]; then
        what=filters
    elif [[ $cur != -* ]]; then
        for word in "\${(@)words[2,CURRENT-1]}"; do
            [[ $word == -* ]] || plain+=( "$word" )
        done
        if (( \${#plain} == 2 )); then
            case "\${plain[1]} \${plain[2]}" in
                ("filters show"|"filters remove") what=filters ;;
                ("tasks get"|"tasks wait"|"tasks download") what=tasks ;;
            esac
        fi
    fi
    if [[ -n $what ]]; then
        candidates=( \${(f)"$(booster __complete $what 2>/dev/null)"} )
        compadd -V booster-$what -- "\${candidates[@]}"
        return
    fi
    _booster_zsh_completions "$@"
}
compdef _booster_dynamic_completions booster
`

const FISH = `
# Saved filter names and recent task ids, from this machine (booster __complete).
complete -c booster -n "__fish_seen_subcommand_from export" -l filter -x -k -a "(booster __complete filters 2>/dev/null)"
complete -c booster -n "__fish_seen_subcommand_from schedule; and __fish_seen_subcommand_from add" -l filter -x -k -a "(booster __complete filters 2>/dev/null)"
complete -c booster -n "__fish_seen_subcommand_from filters; and __fish_seen_subcommand_from show remove" -f -k -a "(booster __complete filters 2>/dev/null)"
complete -c booster -n "__fish_seen_subcommand_from tasks; and __fish_seen_subcommand_from get wait download" -f -k -a "(booster __complete tasks 2>/dev/null)"
`

/** The completion script for `shell`: @effect/cli's, then the addition for saved filters and tasks. */
export const script = <Name extends string, R, E, A>(
  command: Command.Command<Name, R, E, A>,
  shell: Shell
): Effect.Effect<string> => {
  switch (shell) {
    case "fish":
      return Effect.map(
        Command.getFishCompletions(command, "booster"),
        (lines) => `${lines.join("\n")}\n${FISH}`
      )
    case "zsh":
      return Effect.map(
        Command.getZshCompletions(command, "booster"),
        (lines) => `${lines.join("\n")}\n${ZSH}`
      )
    default:
      return Effect.map(
        Command.getBashCompletions(command, "booster"),
        (lines) => `${lines.join("\n")}\n${BASH}`
      )
  }
}
