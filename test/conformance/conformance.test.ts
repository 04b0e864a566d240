// The shared rule-engine conformance cases, run through ./bin/kompat as a user would.
// They live outside the repository (../shared/conformance, or $KOMPAT_CONFORMANCE_DIR);
// without them this file skips. The project's own tests cover the same behaviours.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { REPO, runBin } from "../helpers/cli.js";

const DIR = process.env.KOMPAT_CONFORMANCE_DIR ?? resolve(REPO, "../shared/conformance");
const present = existsSync(join(DIR, "cases.yaml")) && existsSync(join(DIR, "features.yaml"));

interface Case {
  name: string;
  spec?: unknown;
  specText?: string;
  tags?: string[];
  expect?: Record<string, boolean[][]>;
  expectError?: string;
}

interface RuleOut {
  isMatch: boolean;
}

test(
  "conformance cases",
  { skip: present ? false : `no conformance cases at ${DIR}` },
  async (t) => {
    const cases = (parse(readFileSync(join(DIR, "cases.yaml"), "utf8")) as { cases: Case[] }).cases;
    assert.ok(cases.length > 0, "cases.yaml has no cases");
    const features = join(DIR, "features.yaml");
    const tmp = mkdtempSync(join(tmpdir(), "kompat-conformance-"));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));

    for (const [i, c] of cases.entries()) {
      await t.test(c.name, async () => {
        const specFile = join(tmp, `case-${i}.yaml`);
        writeFileSync(specFile, c.specText ?? JSON.stringify(c.spec));
        const tagArgs = c.tags ? ["--tags", c.tags.join(",")] : [];
        if (c.expectError) {
          const r = await runBin([
            "validate-node",
            "--spec",
            specFile,
            "--features",
            features,
            "--node",
            "node-a",
            ...tagArgs,
          ]);
          assert.equal(r.code, 2, `validate-node should refuse the spec: ${r.stdout}${r.stderr}`);
          assert.match(r.stderr, /error/);
          const lint = await runBin(["spec", "lint", specFile]);
          assert.equal(
            lint.code,
            1,
            `spec lint should report an error: ${lint.stdout}${lint.stderr}`,
          );
          return;
        }
        for (const [node, want] of Object.entries(c.expect ?? {})) {
          const r = await runBin([
            "validate-node",
            "--spec",
            specFile,
            "--features",
            features,
            "--node",
            node,
            "--output-json",
            ...tagArgs,
          ]);
          assert.ok(r.code === 0 || r.code === 1, `${node}: exit ${r.code}: ${r.stderr}`);
          const sets = JSON.parse(r.stdout) as Array<{ rules: RuleOut[] | null }>;
          const got = sets.map((s) => (s.rules ?? []).map((rule) => rule.isMatch));
          assert.deepEqual(got, want, `${node}: per-rule isMatch`);
          const compatible = want.some((set) => set.every(Boolean));
          assert.equal(r.code, compatible ? 0 : 1, `${node}: exit status`);
        }
      });
    }
  },
);
