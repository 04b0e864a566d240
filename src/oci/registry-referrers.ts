// The registry's referrers API (distribution-spec 1.1 `GET /v2/<name>/referrers/<digest>`):
// every page of it, bounded, filtered by artifact type here as well, links followed on the
// same origin only. Undefined when the registry has no such API.

import { parseDescriptor, parseJson, type Descriptor } from "./descriptor.js";
import { ContentError, RegistryError, safeUrl } from "./errors.js";
import { MAX_MANIFEST_BYTES, OCI_INDEX } from "./mediatypes.js";
import { contentType, errorCode, expect, notFound } from "./registry-errors.js";
import type { HttpRequest, HttpResponse } from "./transport.js";

const MAX_REFERRER_PAGES = 100;

/** What the API listing needs of the repository. */
export interface ApiRepository {
  /** `https://host/v2/<name>`. */
  base: string;
  display: string;
  send(req: HttpRequest): Promise<HttpResponse>;
  log(msg: string): void;
}

export async function referrersFromApi(
  repo: ApiRepository,
  subject: Descriptor,
  artifactType: string | undefined,
): Promise<Descriptor[] | undefined> {
  let url = `${repo.base}/referrers/${subject.digest}`;
  if (artifactType !== undefined) url += `?artifactType=${encodeURIComponent(artifactType)}`;
  const out: Descriptor[] = [];
  const seen = new Set<string>();
  for (let page = 0; ; page++) {
    const res = await repo.send({
      method: "GET",
      url,
      headers: { accept: OCI_INDEX },
      maxBytes: MAX_MANIFEST_BYTES,
    });
    if (res.status === 404) {
      if (errorCode(res) === "NAME_UNKNOWN")
        throw notFound(res, `repository ${repo.display} not found`);
      if (page > 0)
        throw new RegistryError(
          `GET ${safeUrl(res.url)}: 404 for a referrers page the registry linked`,
          safeUrl(res.url),
          404,
        );
      repo.log(`${repo.display}: no referrers API (404); using the referrers tag`);
      return undefined;
    }
    if (res.status !== 200) expect(res, [200], "list referrers");
    if (contentType(res) !== OCI_INDEX) {
      if (page > 0)
        throw new ContentError(
          `GET ${safeUrl(res.url)}: referrers page is not an OCI index`,
          safeUrl(res.url),
        );
      repo.log(
        `${repo.display}: referrers endpoint answered ${contentType(res) ?? "without a Content-Type"}; using the referrers tag`,
      );
      return undefined;
    }
    const where = `GET ${safeUrl(res.url)}`;
    const doc = parseJson(res.body, where);
    const list =
      typeof doc === "object" && doc !== null
        ? (doc as Record<string, unknown>).manifests
        : undefined;
    if (list !== undefined && list !== null && !Array.isArray(list))
      throw new ContentError(`${where}: "manifests" is not a list`, safeUrl(res.url));
    for (const [i, m] of (list ?? []).entries()) {
      const d = parseDescriptor(m, `${where} manifests[${i}]`);
      // A registry may ignore the filter (no OCI-Filters-Applied): filter here as well.
      if (artifactType !== undefined && d.artifactType !== artifactType) continue;
      if (seen.has(d.digest)) continue;
      seen.add(d.digest);
      out.push(d);
    }
    const next = nextLink(res.headers.link, res.url);
    if (next === undefined) return out;
    if (new URL(next).origin !== new URL(res.url).origin) {
      throw new RegistryError(
        `${where}: Link to another origin ${safeUrl(next)} refused`,
        safeUrl(res.url),
      );
    }
    if (page + 1 >= MAX_REFERRER_PAGES)
      throw new RegistryError(
        `${where}: more than ${MAX_REFERRER_PAGES} referrers pages`,
        safeUrl(res.url),
      );
    url = next;
  }
}

/** The `rel="next"` target of a Link header, resolved against the response URL. */
export function nextLink(link: string | undefined, base: string): string | undefined {
  if (link === undefined) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    if (/;\s*rel\s*=\s*"?next"?/i.test(m[2] ?? "")) {
      try {
        return new URL(m[1] ?? "", base).toString();
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
