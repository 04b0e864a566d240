// `npm run bench`: prints kompat's performance figures on this machine.
import { benchEvaluate } from "./evaluate.js";
import { benchDiscovery } from "./discovery.js";
import { benchProcess } from "./process.js";
import { benchRegistry } from "./registry.js";
import { benchFleet } from "./fleet.js";
import { benchCluster } from "./cluster.js";
import { benchWebhook } from "./webhook.js";

process.stdout.write(`kompat benchmarks — node ${process.version}, ${process.arch}\n\n`);
benchEvaluate();
await benchDiscovery();
benchProcess();
await benchRegistry();
await benchFleet();
await benchCluster();
await benchWebhook();
