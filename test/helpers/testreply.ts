// A reply of the test servers, and the JSON and registry-error replies they send.

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: Buffer.from(JSON.stringify(value)),
  };
}

export function regError(status: number, code: string, message: string, headers = {}): Reply {
  return json(status, { errors: [{ code, message }] }, headers);
}
