// Specs used to check that the JSON Schema and `spec lint` agree. Each is a small YAML
// document built around one feature of the format.

export interface CorpusEntry {
  name: string;
  text: string;
}

const head = "version: v1alpha1\ncompatibilities:\n";

/** One set with one rule with one term on `feature` holding `expr` for element `x`. */
function expr(e: string, feature = "cpu.model"): string {
  return `${head}- rules:\n  - name: r\n    matchFeatures:\n    - feature: ${feature}\n      matchExpressions:\n        x: ${e}\n`;
}

function rule(r: string): string {
  return `${head}- rules:\n  - ${r}\n`;
}

/** Lint finds no errors; the schema must accept them. */
export const VALID: CorpusEntry[] = [
  { name: "minimal", text: `${head}- rules: [{name: always}]\n` },
  {
    name: "documented example, module names fixed",
    text: `${head}- description: "My image requirements"
  rules:
  - name: "kernel and cpu"
    matchFeatures:
    - feature: kernel.loadedmodule
      matchExpressions:
        vfio_pci: {op: Exists}
    - feature: cpu.model
      matchExpressions:
        vendor_id: {op: In, value: ["Intel", "AMD"]}
  - name: "one of available nics"
    matchAny:
    - matchFeatures:
      - feature: pci.device
        matchExpressions:
          vendor: {op: In, value: ["0eee"]}
          class: {op: In, value: ["0200"]}
    - matchFeatures:
      - feature: pci.device
        matchExpressions:
          vendor: {op: In, value: ["0fff"]}
          class: {op: In, value: ["0200"]}
`,
  },
  {
    name: "weight, tag, description",
    text: `${head}- {weight: 10, tag: gpu, description: d, rules: [{name: r}]}\n`,
  },
  {
    name: "weight outside 1..100 is only a warning",
    text: `${head}- {weight: 1000, rules: [{name: r}]}\n`,
  },
  { name: "empty rules is only a warning", text: `${head}- rules: []\n` },
  {
    name: "null optional fields",
    text: `${head}- {tag: ~, rules: [{name: r, vars: ~, matchAny: ~, matchFeatures: ~}]}\n`,
  },
  { name: "vars and varsTemplate", text: rule('{name: r, vars: {a: "1"}, varsTemplate: "b=2"}') },
  { name: "In", text: expr('{op: In, value: ["a", "b"]}') },
  { name: "NotIn", text: expr('{op: NotIn, value: ["a"]}') },
  { name: "InRegexp", text: expr('{op: InRegexp, value: ["^a(b|c)$", "(?i)x"]}') },
  { name: "Exists", text: expr("{op: Exists}") },
  { name: "Exists with an empty value list", text: expr("{op: Exists, value: []}") },
  { name: "DoesNotExist", text: expr("{op: DoesNotExist}") },
  { name: "IsTrue", text: expr("{op: IsTrue}") },
  { name: "IsFalse", text: expr("{op: IsFalse}") },
  { name: "empty op", text: expr('{op: ""}') },
  { name: "Gt", text: expr('{op: Gt, value: ["5"]}') },
  { name: "Le negative", text: expr('{op: Le, value: ["-5"]}') },
  { name: "GtLt", text: expr('{op: GtLt, value: ["5", "7"]}') },
  { name: "GeLe", text: expr('{op: GeLe, value: ["+5", "6"]}') },
  { name: "Ge version", text: expr('{op: Ge, value: ["6.8"], type: version}', "kernel.version") },
  {
    name: "GeLe versions with v and flavor",
    text: expr('{op: GeLe, value: ["v22.04", "24.04-generic"], type: version}'),
  },
  { name: "empty type", text: expr('{op: Gt, value: ["1"], type: ""}') },
  { name: "type on In is only a warning", text: expr('{op: In, value: ["1"], type: version}') },
  {
    name: "matchName",
    text: `${head}- rules: [{name: r, matchFeatures: [{feature: cpu.cpuid, matchName: {op: InRegexp, value: ["^AVX"]}}]}]\n`,
  },
  {
    name: "empty matchExpressions",
    text: `${head}- rules: [{name: r, matchFeatures: [{feature: pci.device, matchExpressions: {}}]}]\n`,
  },
  { name: "unknown feature is only a warning", text: expr("{op: Exists}", "foo.bar") },
  {
    name: "dash in a module name is only a warning",
    text: `${head}- rules: [{name: r, matchFeatures: [{feature: kernel.loadedmodule, matchExpressions: {vfio-pci: {op: Exists}}}]}]\n`,
  },
  {
    name: "JSON",
    text: JSON.stringify({ version: "v1alpha1", compatibilities: [{ rules: [{ name: "r" }] }] }),
  },
];

/** Lint reports an error; the schema must refuse them too. */
export const INVALID: CorpusEntry[] = [
  { name: "no version", text: "compatibilities: [{rules: [{name: r}]}]\n" },
  { name: "other version", text: "version: v9\ncompatibilities: [{rules: [{name: r}]}]\n" },
  { name: "no compatibilities", text: "version: v1alpha1\n" },
  {
    name: "empty compatibilities",
    text: `${head.replace("compatibilities:\n", "compatibilities: []\n")}`,
  },
  { name: "unknown top-level field", text: `${head}- rules: [{name: r}]\nextra: 1\n` },
  { name: "set without rules", text: `${head}- {tag: a}\n` },
  { name: "rules not a list", text: `${head}- {rules: {name: r}}\n` },
  { name: "weight as a string", text: `${head}- {weight: "5", rules: [{name: r}]}\n` },
  { name: "weight with a fraction", text: `${head}- {weight: 1.5, rules: [{name: r}]}\n` },
  { name: "tag as a list", text: `${head}- {tag: [a], rules: [{name: r}]}\n` },
  { name: "rule without name", text: rule("{vars: {a: b}}") },
  { name: "empty name", text: rule('{name: ""}') },
  { name: "unknown rule field", text: rule("{name: r, matchExpressions: {}}") },
  { name: "vars as a list", text: rule("{name: r, vars: [a]}") },
  { name: "var value as a map", text: rule("{name: r, vars: {a: {b: c}}}") },
  { name: "var name with =", text: rule('{name: r, vars: {"a=b": "1"}}') },
  { name: "matchAny item without matchFeatures", text: rule("{name: r, matchAny: [{}]}") },
  { name: "matchAny item with a term", text: rule("{name: r, matchAny: [{feature: cpu.model}]}") },
  {
    name: "term without feature",
    text: rule("{name: r, matchFeatures: [{matchExpressions: {}}]}"),
  },
  {
    name: "typo in matchExpressions",
    text: rule("{name: r, matchFeatures: [{feature: cpu.model, matchExpression: {}}]}"),
  },
  {
    name: "matchExpressions as a list",
    text: rule("{name: r, matchFeatures: [{feature: cpu.model, matchExpressions: [x]}]}"),
  },
  { name: "expression without op", text: expr('{value: ["a"]}') },
  { name: "unknown op", text: expr('{op: Equals, value: ["a"]}') },
  { name: "unknown expression field", text: expr('{op: In, values: ["a"]}') },
  { name: "unknown type", text: expr('{op: Gt, value: ["1"], type: semver}') },
  { name: "value not a list", text: expr('{op: In, value: "a"}') },
  { name: "In without values", text: expr("{op: In, value: []}") },
  { name: "In with value omitted", text: expr("{op: In}") },
  { name: "Exists with a value", text: expr('{op: Exists, value: ["x"]}') },
  { name: "IsTrue with a value", text: expr('{op: IsTrue, value: ["true"]}') },
  { name: "Gt with two values", text: expr('{op: Gt, value: ["5", "6"]}') },
  { name: "GtLt with one value", text: expr('{op: GtLt, value: ["5"]}') },
  { name: "Gt with a word", text: expr('{op: Gt, value: ["five"]}') },
  { name: "Gt with a decimal", text: expr('{op: Gt, value: ["5.0"]}') },
  { name: "Ge version that is not one", text: expr('{op: Ge, value: ["six"], type: version}') },
  { name: "Ge version with four parts", text: expr('{op: Ge, value: ["1.2.3.4"], type: version}') },
  { name: "null expression", text: expr("~") },
  { name: "not YAML", text: "version: v1alpha1\ncompatibilities: [\n  - rules: {" },
  { name: "a list", text: "- a\n" },
];

/**
 * Lint errors the schema cannot express (documented gaps): regexp syntax, numeric
 * order of bounds, 64-bit ranges, template syntax, duplicate keys.
 */
export const LINT_ONLY: CorpusEntry[] = [
  { name: "invalid regexp", text: expr('{op: InRegexp, value: ["(["]}') },
  { name: "reversed integer bounds", text: expr('{op: GtLt, value: ["7", "5"]}') },
  { name: "integer beyond 64 bits", text: expr('{op: Gt, value: ["99999999999999999999"]}') },
  { name: "varsTemplate that does not parse", text: rule('{name: r, varsTemplate: "{{ if }}"}') },
];

/** Lint accepts them with a warning; the schema, which wants canonical form, refuses. */
export const CANONICAL_ONLY: CorpusEntry[] = [
  { name: "field name in another case", text: `${head}- Rules: [{name: r}]\n` },
  { name: "unquoted number in value", text: expr("{op: In, value: [5.10]}") },
  { name: "unquoted boolean in value", text: expr("{op: In, value: [yes]}") },
];
