// Test fixtures written for kompat's rule-engine tests: two node snapshots in NFD's
// `export features` shape and helpers to build specs without the parser.

import type { Features } from "../../src/features/nodefeatures.js";
import type {
  CompatibilitySet,
  FeatureMatcherTerm,
  GroupRule,
  MatchExpression,
  Op,
  Spec,
  ValueType,
} from "../../src/spec/model.js";

function map<V>(entries: Record<string, V>): Record<string, V> {
  return Object.assign(Object.create(null) as Record<string, V>, entries);
}

function flagsOf(...names: string[]): { elements: Record<string, Record<string, never>> } {
  return { elements: map(Object.fromEntries(names.map((n) => [n, {} as Record<string, never>]))) };
}

function attrsOf(a: Record<string, string>): { elements: Record<string, string> } {
  return { elements: map(a) };
}

function instancesOf(...insts: Array<Record<string, string>>): {
  elements: Array<{ attributes: Record<string, string> }>;
} {
  return { elements: insts.map((a) => ({ attributes: map(a) })) };
}

/** An Intel server: Ubuntu 24.04, kernel 6.8, NUMA, an NVIDIA GPU and an Intel NIC. */
export function serverA(): Features {
  return {
    flags: map({
      "cpu.cpuid": flagsOf(
        "AVX",
        "AVX2",
        "AVX512F",
        "AVX512VL",
        "FMA3",
        "SSE42",
        "X86_64_V2",
        "X86_64_V3",
        "X86_64_V4",
      ),
      "kernel.loadedmodule": flagsOf("kvm", "kvm_intel", "vfio_pci", "nvidia"),
    }),
    attributes: map({
      "cpu.cpuid": attrsOf({ AVX10_VERSION: "1" }),
      "cpu.model": attrsOf({ vendor_id: "Intel", family: "6", id: "143" }),
      "kernel.version": attrsOf({
        full: "6.8.0-45-generic",
        major: "6",
        minor: "8",
        revision: "0",
      }),
      "kernel.config": attrsOf({ PREEMPT_DYNAMIC: "y", HZ: "250" }),
      "kernel.selinux": attrsOf({ enabled: "false" }),
      "memory.numa": attrsOf({ is_numa: "true", node_count: "2" }),
      "system.osrelease": attrsOf({ ID: "ubuntu", VERSION_ID: "24.04" }),
    }),
    instances: map({
      "pci.device": instancesOf(
        { class: "0200", vendor: "8086", device: "1592", sriov_totalvfs: "128" },
        { class: "0302", vendor: "10de", device: "2330" },
      ),
    }),
  };
}

/** An AMD KVM guest: RHEL 9.4, kernel 5.14 with a flavor NFD cannot parse, a Mellanox NIC. */
export function serverB(): Features {
  return {
    flags: map({
      "cpu.cpuid": flagsOf("AVX", "AVX2", "FMA3", "SSE42", "X86_64_V2", "X86_64_V3"),
      "kernel.loadedmodule": flagsOf("kvm", "kvm_amd"),
    }),
    attributes: map({
      "cpu.model": attrsOf({ vendor_id: "AMD", family: "25", id: "1" }),
      "kernel.version": attrsOf({
        full: "5.14.0-427.13.1.el9_4.x86_64",
        major: "5",
        minor: "14",
        revision: "0",
      }),
      "kernel.selinux": attrsOf({ enabled: "true" }),
      "memory.numa": attrsOf({ is_numa: "false", node_count: "1" }),
      "system.osrelease": attrsOf({ ID: "rhel", VERSION_ID: "9.4" }),
    }),
    instances: map({
      "pci.device": instancesOf({ class: "0200", vendor: "15b3", device: "101d" }),
    }),
  };
}

export function features(f: {
  flags?: Record<string, string[]>;
  attributes?: Record<string, Record<string, string>>;
  instances?: Record<string, Array<Record<string, string>>>;
}): Features {
  const out: Features = { flags: map({}), attributes: map({}), instances: map({}) };
  for (const [k, v] of Object.entries(f.flags ?? {})) out.flags[k] = flagsOf(...v);
  for (const [k, v] of Object.entries(f.attributes ?? {})) out.attributes[k] = attrsOf(v);
  for (const [k, v] of Object.entries(f.instances ?? {})) out.instances[k] = instancesOf(...v);
  return out;
}

export function x(op: string, value: string[] = [], type = ""): MatchExpression {
  return { op: op as Op, value, type: type as ValueType };
}

export function term(
  feature: string,
  matchExpressions?: Record<string, MatchExpression>,
  matchName?: MatchExpression,
): FeatureMatcherTerm {
  const t: FeatureMatcherTerm = { feature };
  if (matchExpressions !== undefined) t.matchExpressions = map(matchExpressions);
  if (matchName !== undefined) t.matchName = matchName;
  return t;
}

export function rule(name: string, r: Omit<GroupRule, "name"> = {}): GroupRule {
  return { name, ...r };
}

export function set(
  rules: GroupRule[],
  extra: Omit<CompatibilitySet, "rules"> = {},
): CompatibilitySet {
  return { rules, ...extra };
}

export function spec(...sets: CompatibilitySet[]): Spec {
  return { version: "v1alpha1", compatibilities: sets };
}

/** A one-rule, one-term spec. */
export function oneTerm(t: FeatureMatcherTerm): Spec {
  return spec(set([rule("r", { matchFeatures: [t] })]));
}
