// Runs `validate-node --image` against an in-memory registry while the start-up snapshot is
// built, so that the blob holds the registry code evaluated and compiled: reference parsing,
// the transport, authentication's anonymous path, the referrers fallback, the content cache.
// Node's http cannot load while a snapshot is built; exchange.ts takes a stand-in for it
// here, which answers as Distribution does (no referrers API) or as a registry with one.
// Nothing leaves the process; the content cache is a temporary directory, removed after.

import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withHttpModule, type HttpModule } from "../oci/exchange.js";
import {
  ANNOTATION_CREATED,
  COMPAT_ARTIFACT_TYPE,
  COMPAT_SPEC_LAYER,
  EMPTY_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
} from "../oci/mediatypes.js";

/** The prefix of the warm-up's temporary content cache. */
const WARM_UP_DIR = "kompat-snapshot-warm-up-";

/** What the stand-in answers: path → body and content type; HEAD gets the headers. */
type Routes = Map<string, { body: Buffer; type: string }>;

const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const described = (mediaType: string, b: Buffer) => ({
  mediaType,
  digest: digestOf(b),
  size: b.byteLength,
});

/** An image `warm/app:1` with `spec` attached, listed by the fallback tag (and the API). */
function registryContent(spec: string, referrersApi: boolean): Routes {
  const base = "/v2/warm/app";
  const image = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: EMPTY_CONFIG.digest,
      size: 2,
    },
    layers: [],
  });
  const layer = Buffer.from(spec);
  const created = { [ANNOTATION_CREATED]: "2025-01-01T00:00:00.000Z" };
  const artifact = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: COMPAT_ARTIFACT_TYPE,
    config: { mediaType: EMPTY_CONFIG.mediaType, digest: EMPTY_CONFIG.digest, size: 2 },
    layers: [described(COMPAT_SPEC_LAYER, layer)],
    subject: described(OCI_MANIFEST, image),
    annotations: created,
  });
  const index = json({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      {
        ...described(OCI_MANIFEST, artifact),
        artifactType: COMPAT_ARTIFACT_TYPE,
        annotations: created,
      },
    ],
  });
  const subject = digestOf(image);
  const routes: Routes = new Map([
    [`${base}/manifests/1`, { body: image, type: OCI_MANIFEST }],
    [`${base}/manifests/${subject}`, { body: image, type: OCI_MANIFEST }],
    [`${base}/manifests/${digestOf(artifact)}`, { body: artifact, type: OCI_MANIFEST }],
    [`${base}/blobs/${digestOf(layer)}`, { body: layer, type: "application/octet-stream" }],
  ]);
  if (referrersApi) routes.set(`${base}/referrers/${subject}`, { body: index, type: OCI_INDEX });
  else
    routes.set(`${base}/manifests/${subject.replace(":", "-")}`, { body: index, type: OCI_INDEX });
  return routes;
}

/** node:http's request and Agent as far as exchange.ts uses them, answered from `routes`. */
function standIn(routes: Routes): HttpModule {
  class Agent {
    destroy(): void {}
  }
  const request = (url: URL, opts: { method?: string }) => {
    const req = new EventEmitter() as EventEmitter & { end(): void; destroy(): void };
    const socket = { bytesRead: 0, bytesWritten: 0 };
    req.destroy = () => undefined;
    req.end = () => {
      setImmediate(() => {
        req.emit("socket", socket);
        const hit = routes.get(url.pathname);
        const body = hit?.body ?? json({ errors: [{ code: "MANIFEST_UNKNOWN" }] });
        const res = Object.assign(new EventEmitter(), {
          statusCode: hit ? 200 : 404,
          headers: {
            "content-type": hit?.type ?? "application/json",
            "content-length": String(body.byteLength),
            ...(hit ? { "docker-content-digest": digestOf(hit.body) } : {}),
          },
        });
        req.emit("response", res);
        setImmediate(() => {
          if (opts.method !== "HEAD") res.emit("data", body);
          socket.bytesRead += body.byteLength;
          res.emit("end");
        });
      });
    };
    return req;
  };
  // exchange.ts reads only the members written above.
  return { Agent, request } as unknown as HttpModule;
}

/**
 * `validate-node --image` with a cold cache, a warm one and none, against both kinds of
 * registry; `run` is warmup.ts's (main with a captured Io, given `env` and stdin).
 */
export async function warmUpRegistry(
  spec: string,
  features: string,
  run: (argv: string[], input: string, env: Record<string, string>) => Promise<void>,
  /** Where the temporary cache goes (tests give their own directory). */
  parent = tmpdir(),
): Promise<void> {
  const cache = await mkdtemp(join(parent, WARM_UP_DIR));
  const env = { XDG_CACHE_HOME: cache };
  const argv = ["validate-node", "--image", "warm.invalid/warm/app:1", "--features", "-"];
  try {
    for (const referrersApi of [false, true]) {
      await withHttpModule(standIn(registryContent(spec, referrersApi)), async () => {
        await run([...argv, "--plain-http"], features, env); // cold cache
        await run([...argv, "--plain-http", "-o", "json"], features, env); // warm
        await run([...argv, "--no-cache"], features, env); // https
      });
      await rm(cache, { recursive: true, force: true });
    }
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}
