// Flag parsing shared by commands: node's util.parseArgs, with errors turned into
// UserError (exit 2) and a few conventions (`-` means stdin, comma lists).

import { parseArgs, type ParseArgsConfig } from "node:util";
import { FileReadError, readFileBoundedSync } from "../lib/fsread.js";
import { StdinTooLarge, UserError, type Io } from "./io.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parseFlags<O extends Options>(
  argv: string[],
  options: O,
  command: string,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ options: O; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new UserError(`${command}: ${msg.replace(/\. To specify a positional.*$/s, "")}`);
  }
}

/** `--tags a,b --tags c` → ["a","b","c"]; undefined when the flag was not given. */
export function commaList(values: string | string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const list = (Array.isArray(values) ? values : [values]).flatMap((v) => v.split(","));
  return list.map((s) => s.trim()).filter((s) => s !== "");
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration as Go writes them (`500ms`, `30s`, `1m30s`, `1.5h`), in milliseconds; NFD's
 * flags take Go durations. A bare number is refused: its unit would be a guess.
 */
export function parseDuration(text: string, flag: string, maxMs = 86_400_000): number {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(text)
    ? [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
    : undefined;
  if (parts === undefined)
    throw new UserError(`${flag} ${text}: expected a duration such as 500ms, 30s or 2m`);
  const ms = parts.reduce((sum, m) => sum + Number(m[1]) * (UNIT_MS[m[2] as string] as number), 0);
  if (ms < 1) throw new UserError(`${flag} ${text}: must be at least 1ms`);
  if (ms > maxMs) throw new UserError(`${flag} ${text}: must be at most ${maxMs / 3_600_000}h`);
  return Math.round(ms);
}

/**
 * Reads a file the user named (or stdin for `-`), at most `maxBytes`. The user may name a
 * FIFO or a device (`<(cmd)`, /dev/stdin): it is read like a file, up to the limit, and
 * waits for its writer as `cat` would. Binary content is refused without echoing it.
 */
export async function readInput(
  path: string,
  io: Io,
  what: string,
  maxBytes: number,
): Promise<{ text: string; name: string }> {
  if (path === "-") {
    const tooLarge = () => new UserError(`${what} on stdin: larger than ${maxBytes} bytes`);
    const text = await io.readStdin(maxBytes).catch((e: unknown) => {
      throw e instanceof StdinTooLarge ? tooLarge() : e;
    });
    // An Io of the tests may hand over more than asked.
    if (Buffer.byteLength(text) > maxBytes) throw tooLarge();
    return { text: checkText(text, `${what} on stdin`), name: "<stdin>" };
  }
  let bytes: Buffer;
  try {
    // Synchronous: nothing runs meanwhile, and it saves the async round trips at start-up.
    bytes = readFileBoundedSync(path, { maxBytes, textOnly: true });
  } catch (e) {
    if (!(e instanceof FileReadError)) throw e;
    if (e.code === "binary") throw new UserError(`${what} ${path}: ${NOT_TEXT} NUL bytes)`);
    if (e.code === "too-large" || e.code === "EISDIR" || e.code === "not-regular")
      throw new UserError(`${what} ${path}: ${e.reason}`);
    throw new UserError(`cannot read ${what} ${path}: ${e.reason}`);
  }
  let text: string;
  try {
    text = bytes.toString("utf8");
  } catch {
    // Within the byte limit but past V8's longest string (2^29 - 24 characters).
    throw new UserError(`${what} ${path}: too large to read as text (${bytes.length} bytes)`);
  }
  return { text: checkText(text, `${what} ${path}`), name: path };
}

/**
 * Specs and snapshots are text (JSON or YAML): NUL, or U+FFFD (what bytes that are not
 * UTF-8 decode to), means a binary file, whose bytes must not reach the terminal.
 */
function checkText(text: string, where: string): string {
  const at = text.search(/[\u0000\uFFFD]/);
  if (at >= 0)
    throw new UserError(
      `${where}: ${NOT_TEXT} ${text.charCodeAt(at) === 0 ? "NUL bytes" : "bytes that are not UTF-8"})`,
    );
  return text;
}

const NOT_TEXT = "not a text file (expected JSON or YAML; it holds";

/**
 * Refuses a command line on which more than one input reads stdin: stdin is read once, so
 * the second reader would see it empty. `readers` names each input that would read it
 * (`--spec -`, `--registry-password-stdin`…); false/undefined entries read a file instead.
 */
export function claimStdin(command: string, readers: (string | false | undefined)[]): void {
  const named = readers.filter((r): r is string => typeof r === "string");
  if (named.length <= 1) return;
  if (named.every((r) => r === named[0])) {
    throw new UserError(
      `${command}: ${named[0]} is given ${named.length} times; stdin is read once`,
    );
  }
  throw new UserError(`${command}: only one of ${named.join(", ")} can read stdin`);
}
