// Small response helpers: every error the bridge answers carries a JSON-RPC error body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { drainsOversize } from './body.js';
import { ErrorCodes, errorBody, type RequestId } from '../jsonrpc.js';

export function sendError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  id: RequestId | null = null,
  data?: unknown,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const error = errorBody(id, code, message);
  const body = JSON.stringify(data === undefined ? error : { ...error, error: { ...error.error, data } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** A request body stalled past --body-timeout: 408, and the connection closes (it is mid-body). */
export function sendStalled(res: ServerResponse, seconds: number): void {
  sendError(res, 408, ErrorCodes.serverError, `Request Timeout: the request body stalled for ${seconds} s (--body-timeout)`, { connection: 'close' });
}

/** 413, delivered whole: the connection stays open while the rest of the body is drained (body.ts). */
export function sendTooLarge(res: ServerResponse, req: IncomingMessage, limit: number): void {
  const headers: Record<string, string> = drainsOversize(req, limit) ? {} : { connection: 'close' };
  sendError(res, 413, ErrorCodes.serverError, `Payload Too Large: the body exceeds ${limit} bytes (--max-body)`, headers);
}
