// system.name: the node's name.
//
// NFD sets `nodename` from the NODE_NAME environment variable (the worker's pod spec fills
// it from spec.nodeName) and leaves it "" otherwise. kompat difference: without NODE_NAME
// it falls back to the host's /etc/hostname (first non-comment line), because kompat also
// runs outside Kubernetes, where "" would tell a user nothing.

import type { HostRoot } from "../hostroot.js";
import { trimSpace } from "../../lib/go/strings.js";

export async function nodeName(
  host: HostRoot,
  env: Record<string, string | undefined>,
): Promise<string> {
  const fromEnv = env.NODE_NAME;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const text = await host.tryReadText("/etc/hostname", 4096);
  if (text === undefined) return "";
  for (const line of text.split("\n")) {
    const t = trimSpace(line);
    if (t !== "" && !t.startsWith("#")) return t;
  }
  return "";
}
