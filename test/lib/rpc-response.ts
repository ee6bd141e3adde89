// The JSON-RPC response in a Streamable HTTP answer to a raw POST, whichever form the server chose:
// a plain application/json body, or an SSE stream (progress, logs or a slow call make the bridge
// switch to one) whose last response message is the answer.

export interface RpcResponse {
  status: number;
  message: { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } };
}

export async function readRpc(res: Response): Promise<RpcResponse> {
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream')) return { status: res.status, message: JSON.parse(text) as RpcResponse['message'] };
  const messages = text
    .split(/\r?\n\r?\n/)
    .map((event) => event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n'))
    .filter((data) => data !== '')
    .map((data) => JSON.parse(data) as RpcResponse['message'] & { method?: string });
  const answer = messages.filter((m) => m.method === undefined && ('result' in m || 'error' in m)).pop();
  if (answer === undefined) throw new Error(`no JSON-RPC response in the SSE stream: ${text.slice(0, 300)}`);
  return { status: res.status, message: answer };
}
