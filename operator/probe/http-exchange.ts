// One HTTP exchange of the MCP probe (node:http, a fresh connection each, no pooled sockets left
// behind): a POST whose answer is JSON or an SSE stream, read until the JSON-RPC response with our id
// arrives, bounded in size; and a bare request for the session cleanup (DELETE).
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** Bytes read from one answer at most (a discover or initialize result is a few kB). */
export const MAX_ANSWER_BYTES = 1 << 20;

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first JSON-RPC message carrying our request id (a JSON body, or an SSE `data:` line), if any. */
  response?: unknown;
  /** The start of a body that held no such message, for error messages. */
  snippet: string;
}

/** The connection failed or no answer came in time (as opposed to an HTTP answer of any status). */
export class NoAnswerError extends Error {}

function send(url: string, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, signal }, resolve);
    req.on('error', (err) => {
      reject(new NoAnswerError(signal.aborted ? 'no answer in time' : err.message, { cause: err }));
    });
    req.end(body);
  });
}

const idOf = (m: unknown): unknown => (m !== null && typeof m === 'object' && 'id' in m ? m.id : undefined);
const isResponseTo = (m: unknown, id: number): boolean =>
  idOf(m) === id && m !== null && typeof m === 'object' && ('result' in m || 'error' in m);

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // not JSON: the caller reports the snippet
  }
}

/** Reads an answer: JSON (whole body) or SSE (event by event, stopping at the response to `id`). */
async function readAnswer(res: IncomingMessage, id: number): Promise<HttpAnswer> {
  const status = res.statusCode ?? 0;
  const sse = (res.headers['content-type'] ?? '').toLowerCase().startsWith('text/event-stream');
  let text = '';
  let read = 0;
  let response: unknown;
  for await (const chunk of res) {
    const piece = (chunk as Buffer).toString('utf8');
    read += piece.length;
    text += piece;
    if (sse) {
      // Events end with a blank line; keep the unfinished tail for the next chunk.
      const events = text.split(/\r?\n\r?\n/);
      text = events.pop() ?? '';
      for (const event of events) {
        const data = event
          .split(/\r?\n/)
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).replace(/^ /, ''))
          .join('\n');
        const message = data === '' ? undefined : tryJson(data);
        if (isResponseTo(message, id)) {
          response = message;
          break;
        }
      }
      if (response !== undefined) break;
    }
    if (read > MAX_ANSWER_BYTES) break;
  }
  res.destroy();
  if (!sse && read <= MAX_ANSWER_BYTES) {
    const message = tryJson(text);
    if (isResponseTo(message, id)) response = message;
  }
  return { status, headers: res.headers, ...(response === undefined ? {} : { response }), snippet: text.slice(0, 300).trim() };
}

/** POSTs a JSON-RPC request and reads the answer. Throws NoAnswerError when there is no HTTP answer. */
export async function postJsonRpc(
  url: string,
  message: { id: number } & Record<string, unknown>,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const res = await send(url, 'POST', { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, JSON.stringify(message), signal);
  try {
    return await readAnswer(res, message.id);
  } catch (err) {
    throw new NoAnswerError(signal.aborted ? 'no answer in time' : `reading the answer: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Sends a request whose body we do not need (a notification POST, the session DELETE); returns the status. */
export async function exchange(url: string, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<number> {
  const res = await send(url, method, body === undefined ? headers : { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body, signal);
  res.resume();
  res.destroy();
  return res.statusCode ?? 0;
}
