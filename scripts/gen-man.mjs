// Writes man/kompat.1 (src/cli/manpage.ts) and docs/cli.md (src/cli/clidoc.ts) from the
// commands' own help; part of `npm run build`, so both list the commands registered in
// src/cli/main.ts. test/docs.test.ts fails when a committed copy differs.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { commandHelps, overview } from "../dist/src/cli/help.js";
import { manPage } from "../dist/src/cli/manpage.js";
import { cliReference } from "../dist/src/cli/clidoc.js";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const helps = await commandHelps();
const page = manPage(helps, { version, ...overview() });
mkdirSync(new URL("../man/", import.meta.url), { recursive: true });
writeFileSync(new URL("../man/kompat.1", import.meta.url), page);
writeFileSync(new URL("../docs/cli.md", import.meta.url), cliReference(helps, overview().usage));
