// The spec's size limit, shared by every reader and writer of specs (lint, validate-node,
// attach, fetch-spec), so that attach never writes what a reader refuses. 4 MiB is what NFD
// accepts: it fetches the spec blob with oras-go's FetchBytes, whose default cap is 4 MiB
// (also oras' and Distribution's cap on a manifest). No imports: oci/ and cli/ read it
// without loading the spec parser.

const MIB = 1024 * 1024;

export const MAX_SPEC_BYTES = 4 * MIB;

/** The limit as messages write it. */
export const MAX_SPEC_SIZE = `${MAX_SPEC_BYTES / MIB} MiB`;
