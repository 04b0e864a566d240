// A failure talking to a cluster that the user can act on: the message says which verb on
// which resource failed, why, and what to do. The CLI prints it and exits 2.

export class ClusterError extends Error {
  constructor(
    message: string,
    /** The HTTP status when the API server answered, else undefined. */
    readonly status?: number,
  ) {
    super(message);
    this.name = "ClusterError";
  }
}
