// The API server fake of `bench/cluster.ts`, in a process of its own so that serving
// pages does not take CPU from the process measured. Reads the base features from the
// file named by argv[2], stores argv[3] nodes, prints {url, caFile} as one line of JSON,
// and serves until stdin closes.

import { readFileSync } from "node:fs";
import { FakeApiServer, NODEFEATURES, NODES } from "../test/helpers/apiserver.js";
import { nodeName, variant, type Raw } from "./cluster-fleet.js";

const base = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as Raw;
const n = Number(process.argv[3]);
const api = await FakeApiServer.start({ tokens: { bench: "bench" } });
for (let i = 0; i < n; i++) {
  const node = nodeName(i);
  api.put(NODES, { metadata: { name: node } });
  api.put(NODEFEATURES, {
    metadata: {
      name: node,
      namespace: "node-feature-discovery",
      labels: { "nfd.node.kubernetes.io/node-name": node },
    },
    spec: { features: variant(base, i), labels: {} },
  });
}
process.stdout.write(JSON.stringify({ url: api.url, caFile: api.tls.caFile }) + "\n");
process.stdin.resume();
process.stdin.on("end", () => void api.close().then(() => process.exit(0)));
