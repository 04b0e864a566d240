// The nodes of `bench/cluster.ts`: this machine's features, varied as node pools differ.

export type Raw = {
  attributes: Record<string, { elements: Record<string, string> }>;
  flags: Record<string, { elements: Record<string, object> }>;
  instances: Record<string, { elements: Array<{ attributes: Record<string, string> }> }>;
};

export function nodeName(i: number): string {
  return `node-${String(i).padStart(5, "0")}`;
}

/** Node i's features: the base, varied by kernel, a loaded GPU driver, a GPU or not. */
export function variant(base: Raw, i: number): Raw {
  const f = structuredClone(base);
  f.attributes["system.name"] = { elements: { nodename: `node-${i}` } };
  const kernels = ["6.8.0-45-generic", "5.15.0-119-generic", "6.1.0-25-amd64", "5.4.0-190-generic"];
  const full = kernels[i % kernels.length] as string;
  const [major, minor] = full.split(".");
  f.attributes["kernel.version"] = {
    elements: { full, major: major as string, minor: minor as string, revision: "0" },
  };
  const mods = (f.flags["kernel.loadedmodule"] ??= { elements: {} }).elements;
  if (i % 3 !== 0) mods["nvidia"] = {};
  const pci = (f.instances["pci.device"] ??= { elements: [] }).elements;
  if (i % 5 !== 0)
    pci.push({
      attributes: {
        class: "0302",
        vendor: "10de",
        device: "2330",
        subsystem_vendor: "10de",
        subsystem_device: "16c1",
      },
    });
  return f;
}
