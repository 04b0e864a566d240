// `kompat webhook manifests`: the objects that install the webhook, as multi-document YAML
// (or a JSON List) for kubectl apply.

import { stringify as toYaml } from "yaml";
import { parseFlags, parseDuration, readInput } from "../../flags.js";
import { UserError, type Io } from "../../io.js";
import { outputFormat } from "../cluster/common.js";

const HELP = `Usage: kompat webhook manifests --kompat-image IMG [--namespace NS] [options]

Prints what installs the webhook: ServiceAccount, ClusterRole and binding (NodeFeatureRules:
get, list, create, patch, update), Deployment (2 replicas on different nodes when it can,
non-root, read-only root), Service, PodDisruptionBudget and the MutatingWebhookConfiguration
(Pod CREATE; namespaces labelled kompat.feature.node.kubernetes.io/webhook=enabled, or pods
labelled so elsewhere; the webhook's own namespace excluded; failurePolicy Ignore).
The TLS certificate is the Secret <name>-tls (tls.crt, tls.key).

  --kompat-image IMG          the kompat image the Deployment runs (required)
  --namespace NS              (default kompat-system)
  --name NAME                 of every object (default kompat-webhook)
  --cert-manager              add a cert-manager Issuer and Certificate, CA injected
  --ca-bundle FILE            else: the PEM CA that signed the Secret's certificate
  --timeout-seconds N         the API server's wait, 1..30 (default 5)
  --deadline DURATION         the server's own budget (default 3s; under timeout-seconds)
  --fail-closed               failurePolicy Fail, and the server denies what it cannot check
  --allow-registry GLOB       passed to the server (repeatable)
  -o, --output yaml|json      (default yaml)
`;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  "kompat-image": { type: "string" },
  namespace: { type: "string", short: "n" },
  name: { type: "string" },
  "cert-manager": { type: "boolean" },
  "ca-bundle": { type: "string" },
  "timeout-seconds": { type: "string" },
  deadline: { type: "string" },
  "fail-closed": { type: "boolean" },
  "allow-registry": { type: "string", multiple: true },
  output: { type: "string", short: "o" },
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(argv, OPTIONS, "webhook manifests");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = outputFormat(f.output ?? "yaml", ["yaml", "json"]);
  const image = f["kompat-image"];
  if (image === undefined || image === "")
    throw new UserError("webhook manifests: --kompat-image IMG is required");
  const namespace = f.namespace ?? "kompat-system";
  const name = f.name ?? "kompat-webhook";
  for (const [flag, v] of [
    ["--namespace", namespace],
    ["--name", name],
  ] as const)
    if (!DNS_LABEL.test(v))
      throw new UserError(
        `${flag} ${JSON.stringify(v.slice(0, 80))}: not a DNS label (a-z, 0-9, -)`,
      );
  const t = f["timeout-seconds"] ?? "5";
  const timeoutSeconds = Number(t);
  if (!/^\d+$/.test(t) || timeoutSeconds < 1 || timeoutSeconds > 30)
    throw new UserError(`--timeout-seconds ${t}: expected a whole number from 1 to 30`);
  const deadline = f.deadline ?? "3s";
  if (parseDuration(deadline, "--deadline") >= timeoutSeconds * 1000)
    throw new UserError(
      `--deadline ${deadline} must be under --timeout-seconds ${timeoutSeconds} (the API server stops waiting then)`,
    );
  if (f["cert-manager"] && f["ca-bundle"] !== undefined)
    throw new UserError("webhook manifests: --cert-manager injects the CA; no --ca-bundle");
  const caBundle =
    f["ca-bundle"] !== undefined
      ? (await readInput(f["ca-bundle"], io, "CA bundle", 1 << 20)).text
      : undefined;
  if (caBundle !== undefined && !caBundle.includes("-----BEGIN CERTIFICATE-----"))
    throw new UserError(`--ca-bundle ${f["ca-bundle"]}: no PEM certificate in it`);
  const { webhookManifests } = await import("../../../webhook/manifests.js");
  const objects = webhookManifests({
    namespace,
    name,
    image,
    timeoutSeconds,
    deadline,
    failClosed: f["fail-closed"] ?? false,
    certManager: f["cert-manager"] ?? false,
    ...(caBundle !== undefined ? { caBundle } : {}),
    ...(f["allow-registry"] ? { allowRegistries: f["allow-registry"] } : {}),
  });
  if (format === "json")
    io.stdout(`${JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2)}\n`);
  else io.stdout(objects.map((o) => toYaml(o, { lineWidth: 0 })).join("---\n"));
  return 0;
}
