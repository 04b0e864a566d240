// Feature files of the local source: `key=value` lines with `# +` directives, read the way
// nfd-worker reads /etc/kubernetes/node-feature-discovery/features.d/*.

import { newMap, type AttributeElements } from "../nodefeatures.js";
import { trimSpace } from "../../lib/go/strings.js";

export interface FeatureFile {
  /** Goes to local.feature. */
  features: AttributeElements;
  /** Goes to local.label. */
  labels: AttributeElements;
  /** Directives that could not be understood (NFD logs and ignores them). */
  problems: string[];
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([.,]\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Go's time.Parse(time.RFC3339, s) as milliseconds since the epoch, or undefined. */
export function parseRfc3339(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysIn = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn || h > 23 || mi > 59 || sec > 59) return undefined;
  let offset = 0;
  if (m[8] !== "Z") {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const frac = m[7] ? Number(`0.${m[7].slice(1)}`) * 1000 : 0;
  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d);
  utc.setUTCHours(h, mi, sec, 0);
  return utc.getTime() + frac - offset;
}

/**
 * One file's lines. `# +no-feature` / `# +no-label` apply to the next key only (and remove
 * the key from that map if an earlier line set it); `# +expiry-time=<RFC3339>` applies to
 * every following line of the file; a bare `key` means "true".
 */
export function parseFeatureFile(text: string, now: number = Date.now()): FeatureFile {
  const features = newMap<string>();
  const labels = newMap<string>();
  const problems: string[] = [];
  let expiry = now;
  let skipFeature = false;
  let skipLabel = false;
  for (const raw of text.split("\n")) {
    const line = trimSpace(raw);
    if (line === "") continue;
    if (line.startsWith("#")) {
      if (!line.startsWith("# +")) continue;
      const directive = line.slice(3);
      const eq = directive.indexOf("=");
      const key = eq < 0 ? directive : directive.slice(0, eq);
      if (key === "expiry-time") {
        if (eq < 0) {
          problems.push(`invalid directive ${JSON.stringify(line)}: want '# +expiry-time=value'`);
          continue;
        }
        const t = parseRfc3339(trimSpace(directive.slice(eq + 1)));
        if (t === undefined)
          problems.push(`expiry-time ${JSON.stringify(directive.slice(eq + 1))}: not RFC 3339`);
        else expiry = t;
      } else if (key === "no-feature") skipFeature = true;
      else if (key === "no-label") skipLabel = true;
      else problems.push(`unknown directive ${JSON.stringify(key)}`);
      continue;
    }
    // Expired lines are dropped without consuming a pending no-feature/no-label.
    if (expiry < now) continue;
    const eq = line.indexOf("=");
    const key = eq < 0 ? line : line.slice(0, eq);
    const value = eq < 0 ? "true" : line.slice(eq + 1);
    if (skipFeature) delete features[key];
    else features[key] = value;
    if (skipLabel) delete labels[key];
    else labels[key] = value;
    skipFeature = false;
    skipLabel = false;
  }
  return { features, labels, problems };
}
