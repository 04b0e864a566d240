// `kompat audit`: images × node groups. Which of these images fit these nodes?
// Exit 0 every image with a spec fits every node, 1 otherwise, 2 errors that leave no matrix.

import { stringify as toYaml } from "yaml";
import { UserError, type Io } from "../io.js";
import { parseFlags, claimStdin } from "../flags.js";
import { clientOptions, REGISTRY_FLAGS, REGISTRY_HELP, stdinReaders } from "../registry-flags.js";
import { readImageRefs, readNodes } from "../fleet-input.js";
import { auditData } from "../fleet-render.js";
import { renderAuditText } from "../audit-render.js";
import { style } from "../render.js";

const HELP = `Usage: kompat audit --images REF|FILE… --features FILE [options]

A matrix of images × node groups: nodes with the same features (as far as the images'
specs read them) form one group; each image's spec is fetched once and evaluated once
per group.

  --images REF|FILE           an image, or a file of images (one a line, # comments; - for
                              stdin); repeatable
  --features FILE             the nodes: any snapshot file validate-node reads (- for stdin)
  --summary                   text: the matrix and the groups only, without the reasons
  -o, --output text|json|yaml|html
                              html: one self-contained page (no network access)

${REGISTRY_HELP}
Exit status: 0 every image with a spec fits every node, 1 otherwise, 2 error.
`;

const OPTIONS = {
  ...REGISTRY_FLAGS,
  images: { type: "string", multiple: true },
  features: { type: "string" },
  summary: { type: "boolean" },
  output: { type: "string", short: "o" },
} as const;

type Format = "text" | "json" | "yaml" | "html";

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(argv, OPTIONS, "audit");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = (f.output ?? "text") as Format;
  if (!["text", "json", "yaml", "html"].includes(format))
    throw new UserError(`audit: -o ${f.output}: expected text, json, yaml or html`);
  if (f.image !== undefined) throw new UserError("audit: the images are given with --images");
  if (f.images === undefined || f.images.length === 0)
    throw new UserError("audit: give the images with --images REF or --images FILE");
  if (f.features === undefined) throw new UserError("audit: give the nodes with --features FILE");
  claimStdin("audit", [
    f.images.includes("-") && "--images -",
    f.features === "-" && "--features -",
    ...stdinReaders(f),
  ]);

  const images = await readImageRefs(f.images, io);
  const nodes = await readNodes(f.features, io);
  const opts = await clientOptions(f, io, "audit");
  const { auditImages, auditFits } = await import("../../fleet/audit.js");
  const audit = await auditImages({
    images,
    nodes,
    fetch: { ...opts, ...(f.platform !== undefined ? { platform: f.platform } : {}) },
  });
  if (f.verbose)
    for (const img of audit.images)
      if (img.spec.state === "spec")
        for (const n of img.spec.notes) io.stderr(`kompat: note: ${img.ref}: ${n}\n`);

  if (format === "text") {
    const width = Number(io.env.COLUMNS);
    io.stdout(
      renderAuditText(audit, style(io.color), {
        summary: f.summary === true,
        ...(Number.isInteger(width) && width > 0 ? { width } : {}),
      }),
    );
  } else if (format === "json") io.stdout(`${JSON.stringify(auditData(audit), null, 2)}\n`);
  else if (format === "yaml") io.stdout(toYaml(auditData(audit), { aliasDuplicateObjects: false }));
  else {
    const { renderAuditHtml } = await import("../html/audit-page.js");
    io.stdout(renderAuditHtml(audit));
  }
  return auditFits(audit) ? 0 : 1;
}
