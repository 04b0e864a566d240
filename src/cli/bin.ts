// The process entry of ./bin/kompat (bundled by scripts/bundle.mjs for a short start-up).
import { main } from "./main.js";
import { processIo } from "./io.js";

process.exitCode = await main(process.argv.slice(2), processIo());
