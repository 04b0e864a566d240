// Writes man/kompat.1 from the commands' own help (src/cli/manpage.ts); part of `npm run
// build`, so the page always lists the commands registered in src/cli/main.ts.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { commandHelps, overview } from "../dist/src/cli/help.js";
import { manPage } from "../dist/src/cli/manpage.js";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const page = manPage(await commandHelps(), { version, ...overview() });
mkdirSync(new URL("../man/", import.meta.url), { recursive: true });
writeFileSync(new URL("../man/kompat.1", import.meta.url), page);
