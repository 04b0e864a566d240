// The local source: local.feature and local.label from the feature files an administrator
// (or another agent) drops into features.d. NFD's `nfd` client does not run this source;
// kompat does, so specs that test local features can be checked off-cluster too.

import type { FeatureSource, SourceContext } from "../source.js";
import { emptyFeatures, newMap, type Features } from "../nodefeatures.js";
import { cannotRead } from "../constructors.js";
import { errnoCode } from "../../lib/fserror.js";
import { brief } from "../hostio.js";
import { parseFeatureFile } from "./parse.js";

/** NFD reads this directory unprefixed even in a container. */
const FEATURES_DIR = "/etc/kubernetes/node-feature-discovery/features.d";
const MAX_FEATURE_FILE_BYTES = 65536;

export const localSource: FeatureSource = {
  name: "local",
  async discover(ctx: SourceContext): Promise<Features> {
    const f = emptyFeatures();
    const features = newMap<string>();
    const labels = newMap<string>();
    f.attributes["local.feature"] = { elements: features };
    f.attributes["local.label"] = { elements: labels };
    let names: string[];
    try {
      names = await ctx.host.readDir(FEATURES_DIR);
    } catch (e) {
      if (errnoCode(e) !== "ENOENT") ctx.warn(`local: ${cannotRead(ctx.host, FEATURES_DIR, e)}`);
      return f;
    }
    const visible = names.filter((n) => !n.startsWith("."));
    const texts = await Promise.all(
      visible.map((n) => readFeatureFile(ctx, `${FEATURES_DIR}/${n}`)),
    );
    const now = Date.now();
    // Files in name order; a later file overrides an earlier one's keys.
    visible.forEach((name, i) => {
      const text = texts[i];
      if (text === undefined) return;
      const parsed = parseFeatureFile(text, now);
      for (const p of parsed.problems)
        ctx.warn(`local: ${brief(ctx.host.local(`${FEATURES_DIR}/${name}`), 160)}: ${p}`);
      Object.assign(features, parsed.features);
      Object.assign(labels, parsed.labels);
    });
    return f;
  },
};

/** A regular file's text; "" for anything else (NFD reads no lines from it). */
async function readFeatureFile(ctx: SourceContext, path: string): Promise<string | undefined> {
  try {
    const st = await ctx.host.stat(path);
    if (!st.isFile()) return "";
    if (st.size > MAX_FEATURE_FILE_BYTES) {
      ctx.warn(
        `local: skipping ${brief(ctx.host.local(path))}: ${st.size} bytes > ${MAX_FEATURE_FILE_BYTES}`,
      );
      return undefined;
    }
    return await ctx.host.readText(path, MAX_FEATURE_FILE_BYTES);
  } catch (e) {
    ctx.warn(`local: skipping: ${cannotRead(ctx.host, path, e)}`);
    return undefined;
  }
}
