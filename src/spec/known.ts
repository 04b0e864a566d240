// Names the spec layer knows: fields of each object, and the features NFD sources provide.

export const SPEC_FIELDS = ["version", "compatibilities"] as const;
export const SET_FIELDS = ["rules", "weight", "tag", "description"] as const;
export const RULE_FIELDS = ["name", "vars", "varsTemplate", "matchFeatures", "matchAny"] as const;
export const ANY_FIELDS = ["matchFeatures"] as const;
export const TERM_FIELDS = ["feature", "matchExpressions", "matchName"] as const;
export const EXPR_FIELDS = ["op", "value", "type"] as const;

/** Where a field that is misplaced actually belongs (keys are lower-cased). */
export const FIELD_HOME: Readonly<Record<string, string>> = Object.assign(
  Object.create(null) as object,
  {
    version: "at the top of the spec",
    compatibilities: "at the top of the spec",
    rules: "in a compatibility set (an item of compatibilities)",
    weight: "in a compatibility set",
    tag: "in a compatibility set",
    description: "in a compatibility set",
    name: "in a rule (an item of rules)",
    vars: "in a rule",
    varstemplate: "in a rule",
    matchfeatures: "in a rule or a matchAny item",
    matchany: "in a rule",
    feature: "in a feature term (an item of matchFeatures)",
    matchexpressions: "in a feature term (an item of matchFeatures)",
    matchname: "in a feature term (an item of matchFeatures)",
    op: "in an expression (matchExpressions.<element> or matchName)",
    value: "in an expression (matchExpressions.<element> or matchName)",
    type: "in an expression (matchExpressions.<element> or matchName)",
  },
);

/** Features some NFD source (or the rule engine itself) provides, lower-case. */
export const KNOWN_FEATURES = [
  "cpu.cpuid",
  "cpu.model",
  "cpu.cstate",
  "cpu.pstate",
  "cpu.rdt",
  "cpu.security",
  "cpu.sst",
  "cpu.topology",
  "cpu.coprocessor",
  "kernel.config",
  "kernel.loadedmodule",
  "kernel.enabledmodule",
  "kernel.selinux",
  "kernel.kvm",
  "kernel.version",
  "memory.numa",
  "memory.swap",
  "memory.hugepages",
  "memory.nv",
  "network.device",
  "network.virtual",
  "pci.device",
  "usb.device",
  "storage.block",
  "system.osrelease",
  "system.dmiid",
  "system.name",
  "local.feature",
  "local.label",
  "rule.matched",
] as const;

/** Features whose element names are kernel module names as /proc/modules spells them. */
// Only loaded modules: /proc/modules always writes `_`, while enabledmodule also lists
// built-ins from modules.builtin, whose names keep their dashes.
export const MODULE_FEATURES = new Set(["kernel.loadedmodule"]);

/** Kubernetes preferred node-affinity weights are 1..100. */
export const WEIGHT_MIN = 1;
export const WEIGHT_MAX = 100;
