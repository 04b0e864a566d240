// The storage source: storage.block, one instance per entry of /sys/block with a few
// request-queue properties.

import type { FeatureSource, SourceContext } from "../source.js";
import { emptyFeatures, type Features } from "../nodefeatures.js";
import { attributes, instanceFeature, listOrWarn } from "../constructors.js";
import { trimSpace } from "../../lib/go/strings.js";

const BASE = "/sys/block";
const QUEUE_ATTRS = ["dax", "rotational", "nr_zones", "zoned"];

export const storageSource: FeatureSource = {
  name: "storage",
  async discover(ctx: SourceContext): Promise<Features> {
    const f = emptyFeatures();
    const names = await listOrWarn(ctx, BASE, "storage.block");
    if (names === undefined) return f;
    const devs = await Promise.all(
      names.map(async (name) => {
        const values = await Promise.all(
          QUEUE_ATTRS.map((a) => ctx.host.tryReadAttribute(`${BASE}/${name}/queue/${a}`)),
        );
        const attrs = attributes(["name", name]);
        QUEUE_ATTRS.forEach((a, i) => {
          const v = values[i];
          if (v !== undefined) attrs[a] = trimSpace(v);
        });
        return attrs;
      }),
    );
    f.instances["storage.block"] = instanceFeature(devs);
    return f;
  },
};
