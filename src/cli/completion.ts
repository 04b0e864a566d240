// Shell completion scripts (bash, zsh, fish) made from the commands' help (help.ts): the
// commands, their flags, the values a flag takes when the help names them (text|json|yaml),
// files or directories where the help says FILE or DIR.

import type { CommandHelp, FlagHelp } from "./help.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

type Values = { kind: "choices"; words: string[] } | { kind: "file" | "dir" | "other" | "none" };

const CHOICES = /^[a-z0-9]+(?:\|[a-z0-9]+)+$/;

function valuesOf(placeholder: string | undefined): Values {
  if (placeholder === undefined) return { kind: "none" };
  if (CHOICES.test(placeholder)) return { kind: "choices", words: placeholder.split("|") };
  if (/FILE$/.test(placeholder)) return { kind: "file" };
  if (/DIR$/.test(placeholder)) return { kind: "dir" };
  return { kind: "other" };
}

/** What the command's first positional argument takes, from its usage line. */
function positionalValues(h: CommandHelp): Values {
  const first = h.positionals[0];
  return first === undefined ? { kind: "none" } : valuesOf(first.replace(/\W+$/, ""));
}

function names(f: FlagHelp): string[] {
  return f.short !== undefined ? [f.short, f.long] : [f.long];
}

/** First words, and for two-word commands ("spec lint") the second words under each. */
function commandTree(helps: CommandHelp[]): Map<string, string[]> {
  const tree = new Map<string, string[]>();
  for (const h of helps) {
    const [first, second] = h.name.split(" ") as [string, string | undefined];
    const subs = tree.get(first) ?? [];
    if (second !== undefined) subs.push(second);
    tree.set(first, subs);
  }
  return tree;
}

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function completionScript(shell: Shell, helps: CommandHelp[]): string {
  if (shell === "bash") return bash(helps);
  if (shell === "zsh") return zsh(helps);
  return fish(helps);
}

function bash(helps: CommandHelp[]): string {
  const tree = commandTree(helps);
  const out: string[] = [
    "# bash completion for kompat: source <(kompat completion bash)",
    "_kompat() {",
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="" cmd="${COMP_WORDS[1]}" n=2',
    '  [ "$COMP_CWORD" -gt 0 ] && prev="${COMP_WORDS[COMP_CWORD-1]}"',
    "  COMPREPLY=()",
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W ${sq([...tree.keys(), "--help", "--version"].join(" "))} -- "$cur"))`,
    "    return",
    "  fi",
    '  case "$cmd" in',
  ];
  for (const [first, subs] of tree) {
    if (subs.length === 0) continue;
    out.push(
      `    ${first})`,
      '      if [ "$COMP_CWORD" -eq 2 ]; then',
      `        COMPREPLY=($(compgen -W ${sq(subs.join(" "))} -- "$cur"))`,
      "        return",
      "      fi",
      '      cmd="$cmd ${COMP_WORDS[2]}"',
      "      n=3",
      "      ;;",
    );
  }
  out.push("  esac", '  case "$cmd" in');
  for (const h of helps) {
    out.push(`    ${sq(h.name)})`, '      case "$prev" in');
    for (const f of h.flags) {
      const v = valuesOf(f.value);
      const pattern = names(f).join("|");
      if (v.kind === "choices")
        out.push(
          `        ${pattern}) COMPREPLY=($(compgen -W ${sq(v.words.join(" "))} -- "$cur")); return ;;`,
        );
      else if (v.kind === "file")
        out.push(`        ${pattern}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`);
      else if (v.kind === "dir")
        out.push(`        ${pattern}) COMPREPLY=($(compgen -d -- "$cur")); return ;;`);
      else if (v.kind === "other") out.push(`        ${pattern}) return ;;`);
    }
    const flags = h.flags.flatMap(names).join(" ");
    const pos = positionalValues(h);
    const positional =
      pos.kind === "choices"
        ? `COMPREPLY=($(compgen -W ${sq(pos.words.join(" "))} -- "$cur"))`
        : pos.kind === "dir"
          ? 'COMPREPLY=($(compgen -d -- "$cur"))'
          : pos.kind === "file"
            ? 'COMPREPLY=($(compgen -f -- "$cur"))'
            : ":";
    out.push(
      "      esac",
      '      case "$cur" in',
      `        -*) COMPREPLY=($(compgen -W ${sq(flags)} -- "$cur")) ;;`,
      `        *) ${positional} ;;`,
      "      esac",
      "      ;;",
    );
  }
  out.push("  esac", "}", "complete -o bashdefault -o default -F _kompat kompat", "");
  return out.join("\n");
}

/** zsh's _describe wants `name:description`, with colons in the name escaped. */
const zItem = (name: string, description: string): string =>
  sq(`${name.replace(/:/g, "\\:")}:${description}`);

function zsh(helps: CommandHelp[]): string {
  const tree = commandTree(helps);
  const summary = (name: string): string => helps.find((h) => h.name === name)?.summary ?? "";
  const firsts = [...tree].map(([first, subs]) => zItem(first, subs.length ? "" : summary(first)));
  const out: string[] = [
    "#compdef kompat",
    "# zsh completion for kompat: source <(kompat completion zsh), or save as _kompat in $fpath",
    "_kompat() {",
    "  local cmd=${words[2]} prev=${words[CURRENT-1]}",
    "  local -a items",
    "  if (( CURRENT == 2 )); then",
    `    items=(${[...firsts, zItem("--help", ""), zItem("--version", "")].join(" ")})`,
    "    _describe -t commands 'kompat command' items",
    "    return",
    "  fi",
    "  case $cmd in",
  ];
  for (const [first, subs] of tree) {
    if (subs.length === 0) continue;
    const items = subs.map((s) => zItem(s, summary(`${first} ${s}`))).join(" ");
    out.push(
      `    ${first})`,
      "      if (( CURRENT == 3 )); then",
      `        items=(${items})`,
      `        _describe -t commands ${sq(`kompat ${first} command`)} items`,
      "        return",
      "      fi",
      '      cmd="$cmd ${words[3]}"',
      "      ;;",
    );
  }
  out.push("  esac", "  case $cmd in");
  for (const h of helps) {
    out.push(`    ${sq(h.name)})`, "      case $prev in");
    for (const f of h.flags) {
      const v = valuesOf(f.value);
      const pattern = names(f).join("|");
      if (v.kind === "choices")
        out.push(`        ${pattern}) compadd -- ${v.words.join(" ")}; return ;;`);
      else if (v.kind === "file") out.push(`        ${pattern}) _files; return ;;`);
      else if (v.kind === "dir") out.push(`        ${pattern}) _files -/; return ;;`);
      else if (v.kind === "other")
        out.push(`        ${pattern}) _message ${sq(f.value ?? "value")}; return ;;`);
    }
    const items = h.flags.flatMap((f) => names(f).map((n) => zItem(n, f.description))).join(" ");
    const pos = positionalValues(h);
    const positional =
      pos.kind === "choices"
        ? `compadd -- ${pos.words.join(" ")}`
        : pos.kind === "dir"
          ? "_files -/"
          : pos.kind === "file"
            ? "_files"
            : ":";
    out.push(
      "      esac",
      "      if [[ $PREFIX == -* ]]; then",
      `        items=(${items})`,
      "        _describe -t options 'option' items",
      "      else",
      `        ${positional}`,
      "      fi",
      "      ;;",
    );
  }
  out.push(
    "  esac",
    "}",
    // Sourced: register; autoloaded from $fpath: run.
    'if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _kompat "$@"; else compdef _kompat kompat; fi',
    "",
  );
  return out.join("\n");
}

function fish(helps: CommandHelp[]): string {
  const tree = commandTree(helps);
  const out: string[] = [
    "# fish completion for kompat: kompat completion fish | source",
    "complete -c kompat -f",
    `complete -c kompat -n '__fish_use_subcommand' -l help -s h -d 'show help'`,
    `complete -c kompat -n '__fish_use_subcommand' -l version -d 'print the version'`,
  ];
  for (const [first, subs] of tree) {
    const h = helps.find((x) => x.name === first);
    out.push(
      `complete -c kompat -n '__fish_use_subcommand' -a ${sq(first)} -d ${sq(h?.summary ?? "")}`,
    );
    for (const s of subs) {
      const sub = helps.find((x) => x.name === `${first} ${s}`);
      const cond = `__fish_seen_subcommand_from ${first}; and not __fish_seen_subcommand_from ${subs.join(" ")}`;
      out.push(`complete -c kompat -n ${sq(cond)} -a ${sq(s)} -d ${sq(sub?.summary ?? "")}`);
    }
  }
  for (const h of helps) {
    const [first, second] = h.name.split(" ");
    const cond =
      second === undefined
        ? `__fish_seen_subcommand_from ${first}`
        : `__fish_seen_subcommand_from ${first}; and __fish_seen_subcommand_from ${second}`;
    for (const f of h.flags) {
      const v = valuesOf(f.value);
      const parts = [`complete -c kompat -n ${sq(cond)} -l ${f.long.slice(2)}`];
      if (f.short !== undefined) parts.push(`-s ${f.short.slice(1)}`);
      if (v.kind === "choices") parts.push(`-x -a ${sq(v.words.join(" "))}`);
      else if (v.kind === "file") parts.push("-r -F");
      else if (v.kind === "dir") parts.push(`-x -a '(__fish_complete_directories)'`);
      else if (v.kind === "other") parts.push("-x");
      if (f.description !== "") parts.push(`-d ${sq(f.description)}`);
      out.push(parts.join(" "));
    }
    const pos = positionalValues(h);
    if (pos.kind === "choices")
      out.push(`complete -c kompat -n ${sq(cond)} -a ${sq(pos.words.join(" "))}`);
    else if (pos.kind === "file") out.push(`complete -c kompat -n ${sq(cond)} -F`);
    else if (pos.kind === "dir")
      out.push(`complete -c kompat -n ${sq(cond)} -a '(__fish_complete_directories)'`);
  }
  out.push("");
  return out.join("\n");
}
