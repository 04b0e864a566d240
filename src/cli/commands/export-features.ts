// Placeholder until the command lands.
import { UserError, type Io } from "../io.js";

export async function run(_argv: string[], _io: Io): Promise<number> {
  throw new UserError("export-features is not implemented yet");
}
