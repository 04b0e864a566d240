// `kompat spec lint FILE...`: every error and warning of each spec, with file:line:col and
// a fix hint. Exit 1 when any file has an error, 2 when a file cannot be read, else 0.

import { formatDiagnostic, type Diagnostic } from "../../spec/diagnostic.js";
import { loadSpec } from "../../rules/index.js";
import { UserError, type Io } from "../io.js";
import { parseFlags, readInput, claimStdin } from "../flags.js";
import { MAX_SPEC_BYTES } from "../../spec/limits.js";

const HELP = `Usage: kompat spec lint [-o text|json] [-q] FILE...

Checks compatibility specs (YAML or JSON; - for stdin) for every error that would make
validate-node refuse them, and warns about likely mistakes.
  -o, --output text|json   json: a list of {file, severity, code, message, hint, line, col, path}
  -q, --quiet              errors only
Exit status: 0 no errors, 1 errors found, 2 a file could not be read.
`;

const OPTIONS = {
  output: { type: "string", short: "o" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f, positionals: files } = parseFlags(argv, OPTIONS, "spec lint", true);
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = f.output ?? "text";
  if (format !== "text" && format !== "json")
    throw new UserError(`-o ${format}: expected text or json`);
  if (files.length === 0) throw new UserError("spec lint: no file given (see --help)");
  claimStdin(
    "spec lint",
    files.map((x) => x === "-" && "-"),
  );

  const all: Diagnostic[] = [];
  let errors = 0;
  let warnings = 0;
  for (const path of files) {
    const { text, name } = await readInput(path, io, "spec", MAX_SPEC_BYTES);
    const diags = loadSpec(text, { file: name }).diagnostics.filter(
      (d) => !f.quiet || d.severity === "error",
    );
    for (const d of diags) {
      all.push({ ...d, file: d.file ?? name });
      if (d.severity === "error") errors++;
      else warnings++;
    }
  }
  if (format === "json") {
    io.stdout(`${JSON.stringify(all, null, 2)}\n`);
  } else {
    for (const d of all) io.stdout(`${formatDiagnostic(d)}\n`);
    const n = files.length;
    io.stdout(
      `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"} in ${n} file${n === 1 ? "" : "s"}\n`,
    );
  }
  return errors > 0 ? 1 : 0;
}
