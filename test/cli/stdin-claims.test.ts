// Every command that reads stdin refuses a second reader with the same message, before it
// reads anything (flags.ts claimStdin): stdin is read once.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";

const CRED = ["--registry-username", "u", "--registry-password-stdin"];

const cases: [string[], string][] = [
  [
    ["validate-node", "--spec", "-", "--features", "-"],
    "validate-node: only one of --spec -, --features - can read stdin",
  ],
  [
    ["validate-node", "--spec", "-", ...CRED],
    "validate-node: only one of --spec -, --registry-password-stdin can read stdin",
  ],
  [
    ["attach", "--image", "localhost:1/x:1", "--spec", "-", "--registry-token-stdin"],
    "attach: only one of --spec -, --registry-token-stdin can read stdin",
  ],
  [
    ["audit", "--images", "-", "--features", "-"],
    "audit: only one of --images -, --features - can read stdin",
  ],
  [
    ["select", "--image", "localhost:1/x:1", "--features", "-", ...CRED],
    "select: only one of --features -, --registry-password-stdin can read stdin",
  ],
  [
    ["cluster", "affinity", "-f", "-", "--spec", "-"],
    "cluster affinity: only one of -f -, --spec - can read stdin",
  ],
  [["spec", "lint", "-", "a.yaml", "-"], "spec lint: - is given 2 times; stdin is read once"],
  [
    [
      "fetch-spec",
      "--image",
      "localhost:1/x:1",
      "--registry-password-stdin",
      "--registry-token-stdin",
    ],
    "fetch-spec: only one of --registry-password-stdin, --registry-token-stdin can read stdin",
  ],
];

describe("one reader of stdin", () => {
  for (const [argv, message] of cases) {
    it(argv.slice(0, 2).join(" "), async () => {
      const r = await runCli(argv, { stdin: "" });
      assert.equal(r.stderr, `kompat: ${message}\n`);
      assert.equal(r.code, 2);
    });
  }
});
