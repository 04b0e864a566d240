// Image → its compatibility spec, as the webhook needs it: only allowed registries, an
// in-memory cache (digest answers never expire, tag answers and "no artifact" after a TTL),
// one fetch per image at a time, stale answers while the registry is down.

import { createHash } from "node:crypto";
import type { ClientOptions } from "../oci/client.js";
import { NotFoundError } from "../oci/errors.js";
import { formatReference, parseReference, type Reference } from "../oci/reference.js";
import { hasErrors } from "../spec/diagnostic.js";
import type { Spec } from "../spec/model.js";
import { loadSpec } from "../rules/index.js";
import type { RuleSource } from "../k8s/rule.js";
import { SingleFlightCache, type Lookup } from "./cache.js";

export type ImageAnswer =
  | { kind: "spec"; spec: Spec; source: RuleSource }
  /** No compatibility artifact (or no such image): the pod is left as it is. */
  | { kind: "none"; reason: string }
  /** The artifact's spec is invalid: reported, nothing changed. */
  | { kind: "invalid"; reason: string };

export interface SpecSourceOptions {
  client: ClientOptions;
  /** Glob patterns on the registry host (`*.example.com`, `127.0.0.1:5000`); none: all. */
  allowRegistries?: string[];
  /** How long a tag's answer is fresh (default 5 min). */
  tagTtlMs?: number;
  /** How long "no artifact" is believed (default 1 min). */
  negativeTtlMs?: number;
  /** Images remembered (default 1000). */
  maxEntries?: number;
  /** The registry fetch itself; the default is the library's spec fetch. */
  fetch?: (image: string, client: ClientOptions) => Promise<FetchedSpec>;
}

export interface FetchedSpec {
  specText: string;
  subject: string;
  subjectDigest: string;
  artifactDigest: string;
}

/** The library's "fetch the compat spec of an image" use case (loaded at first use). */
async function fetchCompatSpec(image: string, client: ClientOptions): Promise<FetchedSpec> {
  const oci = await import("../oci/usecases.js");
  return oci.fetchCompatSpec(image, client);
}

export class RegistryNotAllowed extends Error {}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]*");
  return new RegExp(`^${body}$`, "i");
}

export class SpecSource {
  readonly cache: SingleFlightCache<ImageAnswer>;
  /** Registry fetches started (successful or not). */
  fetches = 0;
  fetchErrors = 0;
  private readonly allow: RegExp[] | undefined;

  constructor(private readonly opts: SpecSourceOptions) {
    this.cache = new SingleFlightCache(opts.maxEntries ?? 1000);
    this.allow = opts.allowRegistries?.length ? opts.allowRegistries.map(globToRegExp) : undefined;
  }

  /** The canonical reference, or a reason the webhook will not look it up. */
  check(image: string): { ref: Reference; key: string } {
    const ref = parseReference(image);
    if (ref.kind !== "registry") throw new RegistryNotAllowed(`${image}: not a registry image`);
    if (this.allow && !this.allow.some((r) => r.test(ref.registry)))
      throw new RegistryNotAllowed(
        `registry ${ref.registry} is not in --allow-registry; not contacted`,
      );
    return { ref, key: formatReference(ref) };
  }

  async lookup(image: string): Promise<Lookup<ImageAnswer>> {
    const { ref, key } = this.check(image);
    const fetch = this.opts.fetch ?? fetchCompatSpec;
    return this.cache.get(key, async () => {
      this.fetches++;
      try {
        const got = await fetch(key, this.opts.client);
        const ttlMs = ref.digest !== undefined ? Infinity : (this.opts.tagTtlMs ?? 300_000);
        return { value: answerFor(image, got), ttlMs };
      } catch (e) {
        if (e instanceof NotFoundError)
          return {
            value: { kind: "none", reason: e.message },
            ttlMs: this.opts.negativeTtlMs ?? 60_000,
          };
        this.fetchErrors++;
        throw e;
      }
    });
  }
}

function answerFor(image: string, got: FetchedSpec): ImageAnswer {
  const parsed = loadSpec(got.specText, { file: got.subject });
  if (hasErrors(parsed.diagnostics) || !parsed.spec)
    return {
      kind: "invalid",
      reason: `the spec attached to ${got.subject} (artifact ${got.artifactDigest}) is invalid`,
    };
  return {
    kind: "spec",
    spec: parsed.spec,
    source: {
      image,
      subject: got.subject,
      subjectDigest: got.subjectDigest,
      artifactDigest: got.artifactDigest,
      specDigest: `sha256:${createHash("sha256").update(got.specText).digest("hex")}`,
    },
  };
}
