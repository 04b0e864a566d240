// `npm run bench`: prints kompat's performance figures on this machine.
import { benchEvaluate } from "./evaluate.js";

process.stdout.write(`kompat benchmarks — node ${process.version}, ${process.arch}\n\n`);
benchEvaluate();
