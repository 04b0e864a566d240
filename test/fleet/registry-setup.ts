// One registry for the fleet tests: Distribution on loopback with the application's images
// (CUDA 12, CUDA 11, CPU only, one without a spec, one with an invalid spec) and a
// multi-platform image whose entries carry their own specs.

import { MANIFEST, Raw, type Desc } from "../oci/raw.js";
import { startDistribution, type Distribution } from "../helpers/registry.js";
import { clientOpts } from "../oci/util.js";
import type { ClientOptions } from "../../src/oci/client.js";
import { attach, CPU, CPU_TOO, CUDA11, CUDA12 } from "./helpers.js";

export interface Fleet {
  reg: Distribution;
  raw: Raw;
  /** `127.0.0.1:port/app` */
  repo: string;
  digests: Record<string, string>;
  /** The multi-platform image's index and entries (amd64 with CUDA 12, arm64 with CPU). */
  multi: { index: Desc; amd64: Desc; arm64: Desc };
  /** `shared:1`, an index whose spec (CPU) is attached to the index itself. */
  shared: { index: Desc; amd64: Desc };
  opts: ClientOptions;
  stop(): Promise<void>;
}

export async function startFleet(): Promise<Fleet> {
  const reg = await startDistribution();
  const raw = new Raw(reg.url);
  const opts = clientOpts();
  const repo = `${reg.host}/app`;
  const digests: Record<string, string> = {};
  for (const tag of ["cuda12", "cuda11", "cpu", "cpu-too", "nospec", "broken"]) {
    digests[tag] = (await pushTagged(raw, tag)).digest;
  }
  await attach(`${repo}:cuda12`, CUDA12, opts);
  await attach(`${repo}:cuda11`, CUDA11, opts);
  await attach(`${repo}:cpu`, CPU, opts);
  await attach(`${repo}:cpu-too`, CPU_TOO, opts);
  await attach(`${repo}:broken`, "version: v9\ncompatibilities: []\n", opts);

  const m = await raw.pushImage("app", "multi", ["linux/amd64", "linux/arm64"]);
  const [amd64, arm64] = m.manifests as [Desc, Desc];
  await attach(`${repo}@${amd64.digest}`, CUDA12, opts);
  await attach(`${repo}@${arm64.digest}`, CPU, opts);
  // Another repository: its amd64 entry must not be multi's.
  const s = await raw.pushImage("shared", "1", ["linux/amd64", "linux/s390x"]);
  await attach(`${reg.host}/shared:1`, CPU, opts);

  return {
    reg,
    raw,
    repo,
    digests,
    multi: { index: m.index, amd64, arm64 },
    shared: { index: s.index, amd64: s.manifests[0] as Desc },
    opts,
    stop: async () => {
      await raw.close();
      await reg.stop();
    },
  };
}

/** A single-platform image of its own (layer named after the tag), tagged `tag` in `app`. */
async function pushTagged(raw: Raw, tag: string): Promise<Desc> {
  const config = await raw.blob(
    "app",
    JSON.stringify({ os: "linux", architecture: "amd64" }),
    "application/vnd.oci.image.config.v1+json",
  );
  const layer = await raw.blob("app", `app ${tag}`, "application/vnd.oci.image.layer.v1.tar");
  return raw.manifest(
    "app",
    { schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] },
    tag,
  );
}
