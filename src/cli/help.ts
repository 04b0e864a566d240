// Every command's help text, read structurally: the one source of `kompat completion` and
// the man page. A command is asked for its help the way a user asks (`--help`), so a command
// registered in main.ts's COMMANDS appears in both with nothing else to keep up to date.
//
// The shape help texts follow (and test/cli/help.test.ts holds every command to):
//   Usage: kompat NAME ARGS…              the first line
//   a paragraph                           free text
//   Heading:                              a line ending with ':', not indented
//     -s, --long VALUE   description      a flag row; VALUE is upper case (FILE, REF) or
//                        continued        a choice (text|json|yaml) or a list (a,b)
//     other indented line                 kept as written (examples)

import { COMMANDS, USAGE } from "./main.js";
import type { Io } from "./io.js";

export interface FlagHelp {
  long: string;
  short?: string;
  /** The value's placeholder as the help writes it (FILE, DIR, text|json|yaml), if any. */
  value?: string;
  description: string;
}

export type HelpBlock =
  | { kind: "para"; text: string }
  | { kind: "heading"; text: string }
  | { kind: "flag"; flag: FlagHelp }
  | { kind: "verbatim"; lines: string[] };

export interface CommandHelp {
  name: string;
  /** What follows `Usage: kompat NAME`. */
  synopsis: string;
  /** The first sentence of the first paragraph (completion's description), or "". */
  summary: string;
  blocks: HelpBlock[];
  /** Every flag, from the rows and the usage line, plus --help. */
  flags: FlagHelp[];
  /** Positional placeholders in the usage line (FILE..., DIR, bash|zsh|fish). */
  positionals: string[];
}

const FLAG_ROW = /^ {2,}(?:(-[A-Za-z0-9]), )?(--[a-z0-9][a-z0-9-]*)(?:[ =]([^\s]+))?(?: +(\S.*))?$/;

/** A placeholder, not the description's first word: FILE, OS/ARCH, a,b, json|yaml, K=V. */
function isValue(word: string): boolean {
  return /^[A-Z]/.test(word) || /[|,=/[]/.test(word);
}

export function parseHelp(name: string, text: string): CommandHelp {
  const lines = text.replace(/\n+$/, "").split("\n");
  const first = lines.shift() ?? "";
  const prefix = `Usage: kompat ${name}`;
  if (!first.startsWith(prefix)) {
    throw new Error(`help of "${name}" does not start with "${prefix}": ${first}`);
  }
  const synopsis = first.slice(prefix.length).trim();
  const blocks: HelpBlock[] = [];
  let para: string[] = [];
  const endPara = (): void => {
    if (para.length > 0) blocks.push({ kind: "para", text: para.join(" ") });
    para = [];
  };
  for (const line of lines) {
    const last = blocks[blocks.length - 1];
    if (line.trim() === "") {
      endPara();
      continue;
    }
    const row = FLAG_ROW.exec(line);
    if (row) {
      endPara();
      blocks.push({ kind: "flag", flag: flagOf(row) });
      continue;
    }
    if (/^\s/.test(line)) {
      // Deeper than a flag row's name: the row's description goes on.
      if (para.length === 0 && last?.kind === "flag" && /^ {6,}/.test(line)) {
        last.flag.description = `${last.flag.description} ${line.trim()}`.trim();
      } else if (para.length === 0 && last?.kind === "verbatim") last.lines.push(line.trim());
      else {
        endPara();
        blocks.push({ kind: "verbatim", lines: [line.trim()] });
      }
      continue;
    }
    if (line.endsWith(":") && para.length === 0) {
      blocks.push({ kind: "heading", text: line.slice(0, -1) });
      continue;
    }
    para.push(line);
  }
  endPara();
  return {
    name,
    synopsis,
    summary: summaryOf(blocks),
    blocks,
    flags: allFlags(blocks, synopsis),
    positionals: positionalsOf(synopsis),
  };
}

/** FILE..., DIR, bash|zsh|fish: words of the usage line outside brackets and not a flag's value. */
function positionalsOf(synopsis: string): string[] {
  const words = synopsis.replace(/\[[^\]]*\]|\([^)]*\)/g, " ").split(/\s+/);
  const found: string[] = [];
  let afterFlag = false;
  for (const w of words) {
    if (w.startsWith("-")) afterFlag = true;
    else {
      if (!afterFlag && w !== "" && isValue(w)) found.push(w);
      afterFlag = false;
    }
  }
  return found;
}

function flagOf(row: RegExpExecArray): FlagHelp {
  let value = row[3];
  let description = row[4] ?? "";
  // `--output-json               NFD's JSON report`: the first word is the description's.
  if (value !== undefined && !isValue(value)) {
    description = `${value} ${description}`.trim();
    value = undefined;
  }
  return {
    long: row[2] as string,
    ...(row[1] !== undefined ? { short: row[1] } : {}),
    ...(value !== undefined ? { value } : {}),
    description: description.trim(),
  };
}

function summaryOf(blocks: HelpBlock[]): string {
  const para = blocks.find((b) => b.kind === "para");
  if (para?.kind !== "para") return "";
  // The first sentence without its asides: a line in a completion menu.
  const text = para.text.replace(/ \([^()]*\)/g, "");
  const m = /^(.*?)(?:[.:;](?:\s|$)|$)/.exec(text);
  return m?.[1] ?? text;
}

/** Rows first; then flags that only the usage line names; then --help, which all take. */
function allFlags(blocks: HelpBlock[], synopsis: string): FlagHelp[] {
  const flags: FlagHelp[] = [];
  const seen = new Set<string>();
  const add = (f: FlagHelp): void => {
    if (seen.has(f.long)) return;
    seen.add(f.long);
    flags.push(f);
  };
  for (const b of blocks) if (b.kind === "flag") add(b.flag);
  for (const m of synopsis.matchAll(/(--[a-z0-9][a-z0-9-]*)(?:[ =]([^\s|\])]+))?/g)) {
    const value = m[2] !== undefined && isValue(m[2]) ? m[2] : undefined;
    add({ long: m[1] as string, ...(value ? { value } : {}), description: "" });
  }
  add({ long: "--help", short: "-h", description: "show this help" });
  return flags;
}

/** An Io that keeps what is written; nothing is read. */
function captureIo(): { io: Io; out: () => string } {
  let out = "";
  const io: Io = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (out += t),
    readStdin: () => Promise.resolve(""),
    env: {},
    color: false,
    tty: false,
    cwd: "/",
  };
  return { io, out: () => out };
}

/** The help of every command in COMMANDS, in the table's order. */
export async function commandHelps(): Promise<CommandHelp[]> {
  const helps: CommandHelp[] = [];
  const names = Object.keys(COMMANDS);
  for (const [name, load] of Object.entries(COMMANDS)) {
    // A group ("cluster") only lists its subcommands, which have their own entries.
    if (names.some((n) => n.startsWith(`${name} `))) continue;
    const { io, out } = captureIo();
    const code = await (await load())(["--help"], io);
    if (code !== 0) throw new Error(`kompat ${name} --help: exit ${code}: ${out()}`);
    helps.push(parseHelp(name, out()));
  }
  return helps;
}

/** kompat's own one-line description and the usage lines of the top-level help. */
export function overview(): { title: string; usage: string[] } {
  const lines = USAGE.split("\n");
  const title = (lines[0] ?? "").replace(/^kompat\s+—\s+/, "");
  return { title, usage: lines.filter((l) => /^ {2}kompat /.test(l)).map((l) => l.trim()) };
}
