// Flag parsing shared by commands: node's util.parseArgs, with errors turned into
// UserError (exit 2) and a few conventions (`-` means stdin, comma lists).

import { parseArgs, type ParseArgsConfig } from "node:util";
import { readFileSync, statSync } from "node:fs";
import { UserError, type Io } from "./io.js";

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

/** Reads a file (or stdin for `-`), refusing anything larger than `maxBytes`. */
export async function readInput(
  path: string,
  io: Io,
  what: string,
  maxBytes: number,
): Promise<{ text: string; name: string }> {
  if (path === "-") {
    const text = await io.readStdin();
    if (Buffer.byteLength(text) > maxBytes)
      throw new UserError(`${what} on stdin: larger than ${maxBytes} bytes`);
    return { text, name: "<stdin>" };
  }
  try {
    // Synchronous: nothing runs meanwhile, and it saves the async round trips at start-up.
    const st = statSync(path);
    if (st.isDirectory()) throw new UserError(`${what} ${path}: is a directory`);
    if (st.size > maxBytes) throw new UserError(`${what} ${path}: larger than ${maxBytes} bytes`);
    return { text: readFileSync(path, "utf8"), name: path };
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : (e as Error).message;
    throw new UserError(`cannot read ${what} ${path}: ${reason}`);
  }
}
