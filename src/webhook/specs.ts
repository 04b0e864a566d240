// Image → its compatibility spec, as the webhook needs it: only allowed registries, an
// in-memory cache (each answer believed for a TTL: a tag can move, and a newer spec can be
// attached to a digest too; "no artifact" for a shorter one),
// one fetch per image at a time, stale answers while the registry is down.

import { createHash } from "node:crypto";
import type { ClientOptions } from "../oci/client.js";
import type { RegistrySession } from "../oci/session.js";
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
  /**
   * How long an answer for an image by digest is fresh (default 30 min): its manifest is
   * fixed, but a corrected spec attached to it later must be used.
   */
  digestTtlMs?: number;
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

/**
 * How long one registry session (connections, credentials found, tokens) serves lookups:
 * credentials changed on disk are read again after it.
 */
const SESSION_MS = 5 * 60_000;

interface SessionLease {
  session: RegistrySession;
  until: number;
  users: number;
  retired: boolean;
}

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
  private lease: SessionLease | undefined;

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
        const got = await this.withSession((client) => fetch(key, client));
        const ttlMs =
          ref.digest !== undefined
            ? (this.opts.digestTtlMs ?? 1_800_000)
            : (this.opts.tagTtlMs ?? 300_000);
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

  /** `fn` with the client options of the current session; a retired one closes when idle. */
  private async withSession<T>(fn: (client: ClientOptions) => Promise<T>): Promise<T> {
    // Loaded first: from here to the lease taken nothing waits, so one session at a time.
    const { RegistrySession } = await import("../oci/session.js");
    let lease = this.lease;
    if (lease === undefined || Date.now() >= lease.until) {
      const old = lease;
      lease = this.lease = {
        session: new RegistrySession(this.opts.client),
        until: Date.now() + SESSION_MS,
        users: 0,
        retired: false,
      };
      if (old !== undefined) {
        old.retired = true;
        if (old.users === 0) await old.session.close();
      }
    }
    lease.users++;
    try {
      return await fn({ ...this.opts.client, session: lease.session });
    } finally {
      lease.users--;
      if (lease.retired && lease.users === 0) await lease.session.close();
    }
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
