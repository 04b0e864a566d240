// Runs the common commands once while the start-up snapshot is built. V8 compiles a
// function on its first call; the blob keeps the bytecode of what ran here, so a run from
// the blob does not compile the YAML parser, the rule engine or discovery again (measured:
// `validate-node --spec` with live discovery 101 → 83 ms on the 2-core VM).
// Output is thrown away; discovery reads the building machine's own files.

import { main } from "./main.js";
import type { Io } from "./io.js";
import { loadSpec, evaluate, verdict } from "../rules/index.js";
import { parseSnapshots } from "../features/snapshot.js";
import { renderReport, style } from "./render.js";
import { warmUpRegistry } from "./warmup-registry.js";

// Every operator, value type, matchAny, vars, a template and a back-reference.
export const WARM_UP_SPEC = `version: v1alpha1
compatibilities:
- description: warm-up
  tag: warm
  weight: 1
  rules:
  - name: cpu and kernel
    vars: {v: "true", a: "1"}
    matchFeatures:
    - feature: cpu.cpuid
      matchName: {op: InRegexp, value: ["^AVX", "^SSE4"]}
    - feature: kernel.version
      matchExpressions:
        full: {op: Ge, value: ["5.4"], type: version}
        major: {op: Gt, value: ["3"]}
        minor: {op: GtLt, value: ["-1", "1000"]}
    - feature: kernel.loadedmodule
      matchExpressions: {kvm: {op: Exists}, nouveau: {op: DoesNotExist}}
    - feature: kernel.config
      matchExpressions: {NUMA: {op: In, value: ["y"]}, X: {op: NotIn, value: ["m"]}}
  - name: devices
    varsTemplate: |
      {{ range .pci.device }}vendor-{{ .vendor }}=true
      {{ end }}
    matchAny:
    - matchFeatures:
      - feature: pci.device
        matchExpressions: {vendor: {op: In, value: ["8086", "10de"]}, class: {op: InRegexp, value: ["^0[23]"]}}
    - matchFeatures:
      - feature: system.osrelease
        matchExpressions:
          ID: {op: NotIn, value: [windows]}
          VERSION_ID.major: {op: Lt, value: ["100"]}
      - feature: memory.numa
        matchExpressions: {is_numa: {op: IsFalse}, node_count: {op: Exists}}
  - name: back-reference
    matchFeatures:
    - feature: rule.matched
      matchExpressions: {v: {op: IsTrue}, a: {op: InRegexp, value: ["[0-9]+"]}}
    - feature: cpu.model
      matchExpressions: {vendor_id: {op: NotIn, value: [Unknown]}}
`;

export async function warmUp(): Promise<void> {
  let out = "";
  const io = (input: string, env: Record<string, string>): Io => ({
    stdout: (t) => void (out += t),
    stderr: () => undefined,
    readStdin: () => Promise.resolve(input),
    env,
    color: false,
    tty: false,
    cwd: "/",
  });
  const run = async (argv: string[], input = WARM_UP_SPEC, env = {}): Promise<void> => {
    // 2 is an error: the warm-up would skip what it is there for.
    if ((await main(argv, io(input, env))) === 2)
      throw new Error(`warm-up: kompat ${argv.join(" ")}`);
  };
  await run(["spec", "lint", "-"]);
  await run(["validate-node", "--spec", "-"]);
  await run(["validate-node", "--spec", "-", "-o", "json"]);
  out = "";
  await run(["export", "features"], "");
  // validate-node --features: snapshot parsing and the report of a whole node.
  const spec = loadSpec(WARM_UP_SPEC).spec;
  if (!spec) throw new Error("warm-up: the spec does not load");
  const features = out;
  for (const node of parseSnapshots(features, "warm-up")) {
    renderReport(evaluate(spec, node.features), style(false));
    verdict(spec, node.features);
  }
  await warmUpRegistry(WARM_UP_SPEC, features, run);
}
