// A node's features in NFD's `export features` shape (compat-spec.md §2).
// All maps are keyed by untrusted strings: look up with Object.hasOwn, build with
// null-prototype objects (see emptyFeatures/newMap).

export type FlagElements = Record<string, Record<string, never>>;
export type AttributeElements = Record<string, string>;

export interface FlagFeature {
  elements: FlagElements;
}
export interface AttributeFeature {
  elements: AttributeElements;
}
export interface InstanceFeature {
  elements: Array<{ attributes: AttributeElements }>;
}

export interface Features {
  flags: Record<string, FlagFeature>;
  attributes: Record<string, AttributeFeature>;
  instances: Record<string, InstanceFeature>;
}

/** A null-prototype record, safe for keys such as `__proto__`. */
export function newMap<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

export function emptyFeatures(): Features {
  return { flags: newMap(), attributes: newMap(), instances: newMap() };
}
