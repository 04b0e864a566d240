// The commands' help is the one source of completion and the man page: every registered
// command and flag appears in both, the help names only flags the parser accepts, and the
// scripts work in the real shells.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMMANDS } from "../../src/cli/main.js";
import { commandHelps, overview, parseHelp, type CommandHelp } from "../../src/cli/help.js";
import { completionScript, SHELLS } from "../../src/cli/completion.js";
import { manPage } from "../../src/cli/manpage.js";
import { REGISTRY_HELP } from "../../src/cli/registry-flags.js";
import { REPO, runCli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "kompat-help-"));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const helps = await commandHelps();
const has = (cmd: string): boolean => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

test("every registered command has a parseable help", () => {
  assert.deepEqual(
    helps.map((h) => h.name),
    // A group ("cluster") is its subcommands.
    Object.keys(COMMANDS).filter((n) => !Object.keys(COMMANDS).some((m) => m.startsWith(`${n} `))),
  );
  for (const h of helps) assert.ok(h.summary !== "", `${h.name}: no description paragraph`);
});

test("every flag the help names is one the command's parser accepts, as the help says", async () => {
  for (const h of helps) {
    for (const f of h.flags) {
      for (const name of f.short !== undefined ? [f.short, f.long] : [f.long]) {
        // With a value when the help gives one: a boolean given a value, or a string flag
        // given none, is an error, so the help's shape is checked too.
        const args = [...h.name.split(" "), name, ...(f.value !== undefined ? ["x"] : [])];
        const r = await runCli([...args, "--help"]);
        assert.equal(r.code, 0, `kompat ${args.join(" ")} --help: ${r.stderr}`);
      }
    }
  }
});

test("validate-node shows the registry flags' one description (issue 9)", async () => {
  const help = (await runCli(["validate-node", "--help"])).stdout;
  for (const line of REGISTRY_HELP.split("\n")) {
    if (line.includes("--verbose") || line === "") continue;
    assert.ok(help.includes(line), `validate-node --help lacks: ${line}`);
  }
  const rows = help.split("\n").filter((l) => /^ {2}(-\w, )?--/.test(l));
  const names = rows.map((l) => /--[a-z-]+/.exec(l)?.[0]);
  assert.deepEqual(
    names.filter((n, i) => names.indexOf(n) !== i),
    [],
    "a flag described twice",
  );
});

for (const shell of SHELLS) {
  test(`the ${shell} script names every command and every flag`, () => {
    const script = completionScript(shell, helps);
    for (const h of helps) {
      for (const word of h.name.split(" ")) assert.ok(script.includes(word), `${shell}: ${word}`);
      for (const f of h.flags) {
        // fish writes `-l spec`, the others `--spec`.
        const shown = shell === "fish" ? `-l ${f.long.slice(2)}` : f.long;
        assert.ok(script.includes(shown), `${shell}: ${h.name} ${f.long}`);
      }
    }
  });
}

function bashComplete(script: string, words: string[]): string[] {
  const file = join(tmp, "kompat.bash");
  writeFileSync(file, script);
  const r = spawnSync(
    "bash",
    [
      "-c",
      'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _kompat; printf "%s\\n" "${COMPREPLY[@]}"',
      file,
      ...words,
    ],
    { encoding: "utf8", cwd: tmp },
  );
  assert.equal(r.stderr, "");
  return r.stdout.split("\n").filter((l) => l !== "");
}

test("bash completes commands, subcommands, flags and the values the help names", async () => {
  const r = await runCli(["completion", "bash"]);
  assert.equal(r.code, 0, r.stderr);
  const script = r.stdout;
  assert.deepEqual(bashComplete(script, ["kompat", "vali"]), ["validate-node"]);
  assert.deepEqual(bashComplete(script, ["kompat", "spec", ""]), ["lint"]);
  assert.deepEqual(bashComplete(script, ["kompat", "validate-node", "--fea"]), ["--features"]);
  assert.deepEqual(bashComplete(script, ["kompat", "validate-node", "-o", ""]), [
    "text",
    "json",
    "yaml",
  ]);
  assert.deepEqual(bashComplete(script, ["kompat", "spec", "lint", "--q"]), ["--quiet"]);
  assert.deepEqual(bashComplete(script, ["kompat", "completion", "z"]), ["zsh"]);
  writeFileSync(join(tmp, "spec-a.yaml"), "");
  assert.deepEqual(bashComplete(script, ["kompat", "validate-node", "--spec", "spec-"]), [
    "spec-a.yaml",
  ]);
});

test("a command added to the table is completed with nothing else to change", () => {
  const added: CommandHelp = parseHelp(
    "fleet check",
    `Usage: kompat fleet check --kubeconfig FILE [options]

Checks every node of a cluster.
  --kubeconfig FILE      the cluster
  --format wide|short    how to print
`,
  );
  const script = completionScript("bash", [...helps, added]);
  assert.deepEqual(bashComplete(script, ["kompat", "fle"]), ["fleet"]);
  assert.deepEqual(bashComplete(script, ["kompat", "fleet", ""]), ["check"]);
  assert.deepEqual(bashComplete(script, ["kompat", "fleet", "check", "--format", "w"]), ["wide"]);
  const page = manPage([...helps, added], { version: "0", ...overview() });
  assert.match(page, /^\.SS "kompat fleet check"$/m);
});

test("zsh and fish read their scripts (syntax check with the real shells)", async (t) => {
  for (const [shell, args] of [
    ["zsh", ["-n"]],
    ["fish", ["--no-execute"]],
  ] as const) {
    if (!has(shell)) {
      t.diagnostic(`${shell} not installed: syntax not checked`);
      continue;
    }
    const file = join(tmp, `kompat.${shell}`);
    writeFileSync(file, (await runCli(["completion", shell])).stdout);
    const r = spawnSync(shell, [...args, file], { encoding: "utf8" });
    assert.equal(r.status, 0, `${shell}: ${r.stderr}`);
    assert.equal(r.stderr, "");
  }
});

test("fish completes commands, subcommands, flags and choices", async (t) => {
  if (!has("fish")) {
    t.skip("fish not installed");
    return;
  }
  const file = join(tmp, "kompat.fish");
  writeFileSync(file, (await runCli(["completion", "fish"])).stdout);
  const complete = (line: string): string[] => {
    const r = spawnSync(
      "fish",
      ["-c", `source $argv[1]; complete -C ${JSON.stringify(line)}`, file],
      {
        encoding: "utf8",
      },
    );
    assert.equal(r.stderr, "");
    return r.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.split("\t")[0] as string);
  };
  assert.deepEqual(complete("kompat vali"), ["validate-node"]);
  assert.deepEqual(complete("kompat spec "), ["lint"]);
  assert.deepEqual(complete("kompat validate-node -o ").sort(), ["json", "text", "yaml"]);
  assert.deepEqual(complete("kompat validate-node --fea"), ["--features"]);
});

test("completion refuses a shell it does not know, naming the ones it does", async () => {
  const r = await runCli(["completion", "tcsh"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'kompat: completion: unknown shell "tcsh": expected one of bash, zsh, fish\n',
  );
  const none = await runCli(["completion"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /completion: no shell given: expected one of bash, zsh, fish/);
});

test("man/kompat.1 is what the help gives now, with a section per command", () => {
  const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
    version: string;
  };
  const built = readFileSync(join(REPO, "man/kompat.1"), "utf8");
  assert.equal(built, manPage(helps, { version, ...overview() }), "run npm run build");
  for (const h of helps) assert.ok(built.includes(`.SS "kompat ${h.name.replace(/-/g, "\\-")}"`));
});

test("man renders the page without warnings; every command and flag is in the text", (t) => {
  if (!has("groff")) {
    t.skip("groff not installed");
    return;
  }
  const r = spawnSync("groff", ["-man", "-Tutf8", "-ww", join(REPO, "man/kompat.1")], {
    encoding: "utf8",
    env: { ...process.env, GROFF_NO_SGR: "1" },
  });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, "");
  // Overstrikes (bold, underline) and hyphenation at line ends removed.
  const text = r.stdout.replace(/.\x08/g, "").replace(/\u2010\n\s*/g, "");
  for (const h of helps) {
    assert.ok(text.includes(`kompat ${h.name}`), h.name);
    for (const f of h.flags) assert.ok(text.includes(f.long), `${h.name} ${f.long}`);
  }
});
