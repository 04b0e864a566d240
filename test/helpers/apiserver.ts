// A FAKE Kubernetes API server, for tests only. No kube-apiserver can run on the machines
// these tests run on (Debian packages none, and nothing can be downloaded), so this serves
// the part of the API kompat and kubectl use, and the tests check it against the real
// `kubectl` (test/k8s/kubectl.test.ts): discovery, /version, list with limit/continue and
// label selectors (and metadata-only lists), get, server-side apply, 401/403/404/410, TLS
// with the test CA, bearer tokens and client certificates. Every request is logged.
//
// It is not a re-implementation of the API server: apply replaces the fields given (no
// field ownership), there is no watch, no validation beyond what the tests need.

import { execFile } from "node:child_process";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { testTls, type TlsFiles } from "./tls.js";

export interface Resource {
  group: string; // "" for core
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
}

export const NODES: Resource = {
  group: "",
  version: "v1",
  plural: "nodes",
  kind: "Node",
  namespaced: false,
};
export const PODS: Resource = {
  group: "",
  version: "v1",
  plural: "pods",
  kind: "Pod",
  namespaced: true,
  shortNames: ["po"],
};
export const NODEFEATURES: Resource = {
  group: "nfd.k8s-sigs.io",
  version: "v1alpha1",
  plural: "nodefeatures",
  kind: "NodeFeature",
  namespaced: true,
};
export const NODEFEATURERULES: Resource = {
  group: "nfd.k8s-sigs.io",
  version: "v1alpha1",
  plural: "nodefeaturerules",
  kind: "NodeFeatureRule",
  namespaced: false,
  shortNames: ["nfr"],
};

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  user: string | undefined;
  accept: string;
  contentType: string;
  status: number;
}

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> };

export interface FakeOptions {
  /** Bearer token → user name. */
  tokens?: Record<string, string>;
  /** Serve the NFD group (its CRDs "installed"). Default true. */
  nfd?: boolean;
  /** Kubernetes version reported by /version (kubectl's dispatcher picks its kubectl by it). */
  minor?: number;
}

export class FakeApiServer {
  readonly log: LoggedRequest[] = [];
  /** Bearer token → user name (tests add to it). */
  readonly tokens: Map<string, string>;
  /** `verb resource` pairs (e.g. "list nodefeatures") answered with 403. */
  readonly deny = new Set<string>();
  /** The next N list requests that carry a continue token get 410 Gone… */
  expireContinues = 0;
  /** …for this resource (plural) only, if set. */
  expireResource: string | undefined;
  nfd: boolean;
  private readonly objects = new Map<string, Map<string, Obj>>();
  private rv = 1000;
  private server: Server | undefined;
  url = "";

  constructor(
    readonly tls: TlsFiles,
    private readonly opts: FakeOptions = {},
  ) {
    this.nfd = opts.nfd ?? true;
    this.tokens = new Map(Object.entries(opts.tokens ?? {}));
  }

  static async start(opts: FakeOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(await testTls(), opts);
    await s.listen();
    return s;
  }

  private async listen(): Promise<void> {
    this.server = createServer(
      {
        cert: this.tls.cert,
        key: this.tls.key,
        ca: this.tls.ca,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        this.handle(req, res).catch((e: unknown) => {
          this.reply(req, res, 500, status(500, "InternalError", String(e)), undefined);
        });
      },
    );
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    const addr = this.server.address();
    if (addr === null || typeof addr === "string") throw new Error("no address");
    this.url = `https://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** Stores an object as if it had been created. */
  put(res: Resource, obj: Record<string, unknown>): void {
    const o = structuredClone(obj) as Obj;
    o.apiVersion = res.group ? `${res.group}/${res.version}` : res.version;
    o.kind = res.kind;
    o.metadata ??= {};
    o.metadata.resourceVersion = String(++this.rv);
    o.metadata.uid ??= `uid-${this.rv}`;
    this.store(res).set(key(o), o);
  }

  get(res: Resource, name: string, namespace?: string): Obj | undefined {
    return this.store(res).get(`${namespace ?? ""}/${name}`);
  }

  all(res: Resource): Obj[] {
    return [...this.store(res).values()];
  }

  requests(filter: (r: LoggedRequest) => boolean = () => true): LoggedRequest[] {
    return this.log.filter(filter);
  }

  private store(res: Resource): Map<string, Obj> {
    const k = `${res.group}/${res.plural}`;
    let m = this.objects.get(k);
    if (!m) this.objects.set(k, (m = new Map()));
    return m;
  }

  private resources(): Resource[] {
    return this.nfd ? [NODES, PODS, NODEFEATURES, NODEFEATURERULES] : [NODES, PODS];
  }

  private user(req: IncomingMessage): string | undefined {
    const auth = req.headers.authorization;
    if (auth?.startsWith("Bearer ")) return this.tokens.get(auth.slice(7));
    const sock = req.socket as TLSSocket;
    if (sock.authorized) {
      const cn = sock.getPeerCertificate().subject?.CN;
      return typeof cn === "string" ? cn : undefined;
    }
    return undefined;
  }

  private reply(
    req: IncomingMessage,
    res: ServerResponse,
    code: number,
    body: unknown,
    user: string | undefined,
  ): void {
    const u = new URL(req.url ?? "/", "https://x");
    this.log.push({
      method: req.method ?? "",
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      user,
      accept: req.headers.accept ?? "",
      contentType: req.headers["content-type"] ?? "",
      status: code,
    });
    const text = body instanceof JsonText ? body.text : JSON.stringify(body);
    res.writeHead(code, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const u = new URL(req.url ?? "/", "https://x");
    const user = this.user(req);
    const send = (code: number, b: unknown) => this.reply(req, res, code, b, user);
    if (user === undefined) return send(401, status(401, "Unauthorized", "Unauthorized"));
    const p = u.pathname.replace(/\/$/, "");
    if (p === "/version")
      return send(200, {
        major: "1",
        minor: String(this.opts.minor ?? 31),
        gitVersion: `v1.${this.opts.minor ?? 31}.0`,
      });
    if (p === "/api")
      return send(200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
    if (p === "/apis") return send(200, this.groupList());
    if (p === "/api/v1" || (this.nfd && p === "/apis/nfd.k8s-sigs.io/v1alpha1")) {
      const gv = p === "/api/v1" ? "v1" : "nfd.k8s-sigs.io/v1alpha1";
      return send(200, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: gv,
        resources: this.resources()
          .filter((r) => (r.group ? `${r.group}/${r.version}` : r.version) === gv)
          .map((r) => ({
            name: r.plural,
            singularName: r.kind.toLowerCase(),
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
            ...(r.shortNames ? { shortNames: r.shortNames } : {}),
          })),
      });
    }
    const route = this.route(p);
    if (!route)
      return send(
        404,
        status(404, "NotFound", `the server could not find the requested resource (${p})`),
      );
    const { res: r, namespace, name } = route;
    const verb =
      req.method === "GET"
        ? name
          ? "get"
          : "list"
        : req.method === "PATCH"
          ? "patch"
          : (req.method ?? "").toLowerCase();
    if (this.deny.has(`${verb} ${r.plural}`)) {
      const scope = namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
      return send(
        403,
        status(
          403,
          "Forbidden",
          `${r.plural}${r.group ? `.${r.group}` : ""} is forbidden: User "${user}" cannot ${verb} resource "${r.plural}" in API group "${r.group}" ${scope}`,
        ),
      );
    }
    if (verb === "get") {
      const o = this.get(r, name as string, namespace);
      if (!o) return send(404, status(404, "NotFound", `${r.plural} "${name}" not found`));
      return send(200, o);
    }
    if (verb === "list")
      return this.list(r, namespace, u.searchParams, req.headers.accept ?? "", send);
    if (verb === "patch") {
      if (req.headers["content-type"] !== "application/apply-patch+yaml")
        return send(415, status(415, "UnsupportedMediaType", "only server-side apply is served"));
      const patch = parseYaml(body) as Obj;
      const meta = patch.metadata ?? {};
      if (meta.name !== undefined && meta.name !== name)
        return send(
          400,
          status(400, "BadRequest", "the name of the object does not match the URL"),
        );
      const manager = u.searchParams.get("fieldManager") ?? "";
      if (!manager)
        return send(400, status(400, "BadRequest", "fieldManager is required for apply requests"));
      const old = this.get(r, name as string, namespace);
      const obj = {
        ...patch,
        metadata: { ...meta, name, ...(namespace ? { namespace } : {}) },
      } as Obj;
      obj.metadata.uid = old?.metadata.uid;
      obj.metadata.managedFields = [{ manager, operation: "Apply", apiVersion: patch.apiVersion }];
      this.put(r, obj);
      return send(old ? 200 : 201, this.get(r, name as string, namespace));
    }
    return send(405, status(405, "MethodNotAllowed", `${req.method} is not served`));
  }

  private groupList(): unknown {
    const groups = this.nfd
      ? [
          {
            name: "nfd.k8s-sigs.io",
            versions: [{ groupVersion: "nfd.k8s-sigs.io/v1alpha1", version: "v1alpha1" }],
            preferredVersion: { groupVersion: "nfd.k8s-sigs.io/v1alpha1", version: "v1alpha1" },
          },
        ]
      : [];
    return { kind: "APIGroupList", apiVersion: "v1", groups };
  }

  private route(p: string): { res: Resource; namespace?: string; name?: string } | undefined {
    for (const r of this.resources()) {
      const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      if (!p.startsWith(base + "/")) continue;
      const parts = p
        .slice(base.length + 1)
        .split("/")
        .map(decodeURIComponent);
      if (r.namespaced && parts[0] === "namespaces" && parts[2] === r.plural) {
        return { res: r, namespace: parts[1] as string, ...(parts[3] ? { name: parts[3] } : {}) };
      }
      if (parts[0] === r.plural && parts.length <= 2)
        return { res: r, ...(parts[1] ? { name: parts[1] } : {}) };
    }
    return undefined;
  }

  private list(
    r: Resource,
    namespace: string | undefined,
    q: URLSearchParams,
    accept: string,
    send: (code: number, b: unknown) => void,
  ): void {
    const token = q.get("continue");
    let start = "";
    if (token) {
      if (this.expireContinues > 0 && (this.expireResource ?? r.plural) === r.plural) {
        this.expireContinues--;
        return send(
          410,
          status(
            410,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
          ),
        );
      }
      start = Buffer.from(token, "base64url").toString("utf8");
    }
    const sel = parseSelector(q.get("labelSelector") ?? "");
    if (sel === undefined)
      return send(
        400,
        status(400, "BadRequest", `unable to parse requirement: ${q.get("labelSelector")}`),
      );
    const keys = [...this.store(r).keys()].sort();
    const matching = keys
      .filter((k) => k > start)
      .map((k) => this.store(r).get(k) as Obj)
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .filter((o) => sel((o.metadata.labels ?? {}) as Record<string, string>));
    const limit = Number(q.get("limit") ?? "0");
    const page = limit > 0 ? matching.slice(0, limit) : matching;
    const more = limit > 0 && matching.length > limit;
    const last = page[page.length - 1];
    const metadata: Record<string, unknown> = { resourceVersion: String(this.rv) };
    if (more && last) metadata.continue = Buffer.from(key(last)).toString("base64url");
    const metaOnly = /as=PartialObjectMetadataList/.test(accept.split(",")[0] ?? "");
    if (metaOnly) {
      return send(200, {
        kind: "PartialObjectMetadataList",
        apiVersion: "meta.k8s.io/v1",
        metadata,
        items: page.map((o) => ({
          kind: "PartialObjectMetadata",
          apiVersion: "meta.k8s.io/v1",
          metadata: o.metadata,
        })),
      });
    }
    // Built from each object's text, made once per stored version: serialising 500
    // NodeFeatures of 45 KB per page was most of the fake's CPU in bench/cluster.ts.
    const head = JSON.stringify({
      kind: `${r.kind}List`,
      apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
      metadata,
    });
    const items = page.map((o) => this.textOf(o)).join(",");
    send(200, new JsonText(`${head.slice(0, -1)},"items":[${items}]}`));
  }

  private readonly texts = new WeakMap<Obj, { rv: unknown; text: string }>();

  private textOf(o: Obj): string {
    const have = this.texts.get(o);
    if (have && have.rv === o.metadata.resourceVersion) return have.text;
    const text = JSON.stringify(o);
    this.texts.set(o, { rv: o.metadata.resourceVersion, text });
    return text;
  }
}

/** A body already serialised. */
class JsonText {
  constructor(readonly text: string) {}
}

function key(o: Obj): string {
  return `${(o.metadata.namespace as string | undefined) ?? ""}/${o.metadata.name as string}`;
}

function status(code: number, reason: string, message: string): unknown {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
}

/** Label selectors as the API server reads them: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`. */
export function parseSelector(
  s: string,
): ((labels: Record<string, string>) => boolean) | undefined {
  const reqs: Array<(l: Record<string, string>) => boolean> = [];
  const parts = s.trim() === "" ? [] : (s.match(/(?:[^,(]+|\([^)]*\))+/g) ?? []);
  for (const raw of parts) {
    const p = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      const [, k, op, vals] = m as unknown as [string, string, string, string];
      const set = new Set(vals.split(",").map((v) => v.trim()));
      reqs.push(
        op === "in"
          ? (l) => Object.hasOwn(l, k) && set.has(l[k] as string)
          : (l) => !Object.hasOwn(l, k) || !set.has(l[k] as string),
      );
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(p))) {
      const [, k, op, v] = m as unknown as [string, string, string, string];
      reqs.push(op === "!=" ? (l) => l[k] !== v : (l) => Object.hasOwn(l, k) && l[k] === v);
    } else if ((m = /^!([\w./-]+)$/.exec(p))) {
      const k = m[1] as string;
      reqs.push((l) => !Object.hasOwn(l, k));
    } else if ((m = /^([\w./-]+)$/.exec(p))) {
      const k = m[1] as string;
      reqs.push((l) => Object.hasOwn(l, k));
    } else return undefined;
  }
  return (l) => reqs.every((r) => r(l));
}

const run = promisify(execFile);

/** A client certificate for `cn`, signed by the test CA (in the CA's temp dir). */
export async function clientCert(
  tls: TlsFiles,
  cn: string,
): Promise<{ certFile: string; keyFile: string }> {
  const f = (n: string) => join(tls.dir, n);
  const base = `client-${cn.replace(/[^a-z0-9]/gi, "_")}`;
  await run("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", f(`${base}.key`), "-out", f(`${base}.csr`), "-subj", `/CN=${cn}`]); // prettier-ignore
  await run("openssl", ["x509", "-req", "-in", f(`${base}.csr`), "-CA", f("ca.crt"), "-CAkey", f("ca.key"),
    "-CAcreateserial", "-days", "2", "-out", f(`${base}.crt`)]); // prettier-ignore
  return { certFile: f(`${base}.crt`), keyFile: f(`${base}.key`) };
}

/** A kubeconfig for the fake: contexts of `users` (token or certificate or exec). */
export function kubeconfigFor(
  url: string,
  caFile: string,
  users: Array<{
    name: string;
    token?: string;
    certFile?: string;
    keyFile?: string;
    exec?: { command: string; args?: string[] };
  }>,
  current = users[0]?.name ?? "",
  server = url,
): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "fake", cluster: { server, "certificate-authority": caFile } }],
    users: users.map((u) => ({
      name: u.name,
      user: {
        ...(u.token ? { token: u.token } : {}),
        ...(u.certFile ? { "client-certificate": u.certFile, "client-key": u.keyFile } : {}),
        ...(u.exec
          ? {
              exec: {
                apiVersion: "client.authentication.k8s.io/v1",
                command: u.exec.command,
                args: u.exec.args ?? [],
                interactiveMode: "Never",
              },
            }
          : {}),
      },
    })),
    contexts: users.map((u) => ({ name: u.name, context: { cluster: "fake", user: u.name } })),
    "current-context": current,
  });
}
