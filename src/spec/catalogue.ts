// NFD's feature catalogue: the sources, in NFD's order, the features each provides (with
// their kind), and those a source creates even when empty, as NFD's sources do. Data only,
// so that lint (spec/, rules/) and discovery (features/) read the same list without the
// lower layers importing discovery code. Reference: features.md.

export type FeatureKind = "flags" | "attributes" | "instances";

export interface CatalogueFeature {
  /** `<source>.<name>`, lower case as NFD writes it. */
  readonly name: string;
  readonly kind: FeatureKind;
  /** Created, possibly empty, whenever the source runs (`"amd64"`: only there). */
  readonly always?: true | "amd64";
  /** Attribute features: the element names, where lint needs them. */
  readonly elements?: readonly string[];
  /** Element names are kernel module names as /proc/modules writes them (`_`, never `-`). */
  readonly moduleNames?: true;
}

export interface SourceCatalogue {
  /** NFD's source name, as `--sources` takes it. */
  readonly name: string;
  readonly features: readonly CatalogueFeature[];
}

const flags = (name: string, more: Partial<CatalogueFeature> = {}): CatalogueFeature => ({
  name,
  kind: "flags",
  ...more,
});
const attributes = (name: string, more: Partial<CatalogueFeature> = {}): CatalogueFeature => ({
  name,
  kind: "attributes",
  ...more,
});
const instances = (name: string, more: Partial<CatalogueFeature> = {}): CatalogueFeature => ({
  name,
  kind: "instances",
  ...more,
});

export const CATALOGUE = {
  cpu: {
    name: "cpu",
    features: [
      flags("cpu.cpuid"),
      // AVX10_VERSION, NFD's only cpuid attribute, is x86-only; the feature always exists there.
      attributes("cpu.cpuid", { always: "amd64", elements: ["AVX10_VERSION"] }),
      attributes("cpu.model"),
      attributes("cpu.cstate"),
      attributes("cpu.pstate", { always: true }),
      attributes("cpu.rdt", { always: true }),
      attributes("cpu.security", { always: true }),
      attributes("cpu.sst", { always: true }),
      attributes("cpu.topology", { always: true }),
      attributes("cpu.coprocessor", { always: true }),
    ],
  },
  kernel: {
    name: "kernel",
    features: [
      attributes("kernel.config"),
      // Only loaded modules: /proc/modules always writes `_`, while enabledmodule also lists
      // built-ins from modules.builtin, whose names keep their dashes.
      flags("kernel.loadedmodule", { moduleNames: true }),
      flags("kernel.enabledmodule"),
      attributes("kernel.selinux"),
      attributes("kernel.kvm"),
      attributes("kernel.version"),
    ],
  },
  memory: {
    name: "memory",
    features: [
      attributes("memory.numa"),
      attributes("memory.swap"),
      attributes("memory.hugepages"),
      instances("memory.nv", { always: true }),
    ],
  },
  network: {
    name: "network",
    features: [
      instances("network.device", { always: true }),
      instances("network.virtual", { always: true }),
    ],
  },
  pci: { name: "pci", features: [instances("pci.device")] },
  usb: { name: "usb", features: [instances("usb.device")] },
  storage: { name: "storage", features: [instances("storage.block")] },
  system: {
    name: "system",
    features: [
      attributes("system.osrelease"),
      attributes("system.dmiid"),
      attributes("system.name"),
    ],
  },
  local: {
    name: "local",
    features: [
      attributes("local.feature", { always: true }),
      attributes("local.label", { always: true }),
    ],
  },
} as const satisfies Record<string, SourceCatalogue>;

export type SourceName = keyof typeof CATALOGUE;

/** NFD's source names, in NFD's order; `--sources` takes these. */
export const SOURCE_NAMES = Object.keys(CATALOGUE) as readonly SourceName[];

/** The feature the rule engine itself provides: variables published by earlier rules. */
export const RULE_MATCHED_FEATURE = "rule.matched";

/** Every entry of every source, in catalogue order. */
export const CATALOGUE_FEATURES: readonly CatalogueFeature[] = Object.values(CATALOGUE).flatMap(
  (s: SourceCatalogue) => s.features,
);

/** Every feature some source (or the rule engine) provides, lower case, each once. */
export const KNOWN_FEATURES: readonly string[] = [
  ...new Set([...CATALOGUE_FEATURES.map((f) => f.name), RULE_MATCHED_FEATURE]),
];

/** The catalogue entries of a feature (cpu.cpuid has two: its flags and its attributes). */
export function catalogueEntries(feature: string): readonly CatalogueFeature[] {
  const lower = feature.toLowerCase();
  return CATALOGUE_FEATURES.filter((f) => f.name === lower);
}
