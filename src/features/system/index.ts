// The system source: system.osrelease, system.dmiid, system.name.

import type { FeatureSource, SourceContext } from "../source.js";
import { emptyFeatures, type Features } from "../nodefeatures.js";
import { attributeFeature, cannotRead } from "../constructors.js";
import { OS_RELEASE_PATH, parseOsRelease } from "./osrelease.js";
import { readDmiId } from "./dmiid.js";
import { nodeName } from "./name.js";

export const systemSource: FeatureSource = {
  name: "system",
  async discover(ctx: SourceContext): Promise<Features> {
    const f = emptyFeatures();
    const [name, release, dmi] = await Promise.all([
      ctx.wants("system.name") ? nodeName(ctx.host, ctx.env) : undefined,
      ctx.wants("system.osrelease")
        ? ctx.host.readText(OS_RELEASE_PATH).then(parseOsRelease, (e: unknown) => {
            ctx.warn(`system.osrelease: ${cannotRead(ctx.host, OS_RELEASE_PATH, e)}`);
            return undefined;
          })
        : undefined,
      // Sixteen sysfs files.
      ctx.wants("system.dmiid") ? readDmiId(ctx.host) : undefined,
    ]);
    if (name !== undefined) f.attributes["system.name"] = attributeFeature([["nodename", name]]);
    if (release) f.attributes["system.osrelease"] = { elements: release };
    if (dmi) f.attributes["system.dmiid"] = { elements: dmi };
    return f;
  },
};
