// `kompat completion bash|zsh|fish`: a completion script made from the commands' help.

import { UserError, type Io } from "../io.js";
import { parseFlags } from "../flags.js";
import { commandHelps } from "../help.js";
import { completionScript, SHELLS, type Shell } from "../completion.js";

const HELP = `Usage: kompat completion bash|zsh|fish

Prints a shell completion script for kompat's commands and flags.
  bash: source <(kompat completion bash)        (e.g. in ~/.bashrc)
  zsh:  source <(kompat completion zsh)         (after compinit), or save it as _kompat in $fpath
  fish: kompat completion fish | source         or save it in ~/.config/fish/completions/kompat.fish
`;

const OPTIONS = { help: { type: "boolean", short: "h" } } as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f, positionals } = parseFlags(argv, OPTIONS, "completion", true);
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const shell = positionals[0];
  if (positionals.length !== 1 || !SHELLS.includes(shell as Shell)) {
    throw new UserError(
      `completion: ${shell === undefined ? "no shell given" : `unknown shell "${positionals.join(" ")}"`}: expected one of ${SHELLS.join(", ")}`,
    );
  }
  io.stdout(completionScript(shell as Shell, await commandHelps()));
  return 0;
}
