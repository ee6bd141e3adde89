// subscriptions/listen (2026-07-28): a long-lived POST whose SSE response carries the change
// notifications the client opted in to. In front of a legacy server the bridge emulates it: the
// server's own */list_changed and (subscribed, ref-counted upstream) resources/updated notifications
// are filtered per stream and tagged with the stream's subscription id.
import type { JSONRPCMessage, RequestId } from '../jsonrpc.js';
import type { EventStream } from '../sessions/reply-target.js';
import { META } from './envelope.js';
import type { ServerInfo } from './results.js';

export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The filter the client asked for, read leniently (unknown fields ignored, wrong types dropped). */
export function requestedFilter(params: Record<string, unknown> | undefined): ListenFilter {
  const raw = isObject(params?.notifications) ? params.notifications : {};
  const filter: ListenFilter = {};
  if (raw.toolsListChanged === true) filter.toolsListChanged = true;
  if (raw.promptsListChanged === true) filter.promptsListChanged = true;
  if (raw.resourcesListChanged === true) filter.resourcesListChanged = true;
  if (Array.isArray(raw.resourceSubscriptions)) {
    const uris = raw.resourceSubscriptions.filter((u): u is string => typeof u === 'string');
    if (uris.length > 0) filter.resourceSubscriptions = [...new Set(uris)];
  }
  return filter;
}

/**
 * What the bridge can honour for this server (the acknowledgement says exactly this): list changes
 * only where the server advertises listChanged, resource updates only where it supports subscribe.
 */
export function honouredFilter(requested: ListenFilter, capabilities: Record<string, unknown>): ListenFilter {
  const has = (kind: string, flag: string): boolean => isObject(capabilities[kind]) && (capabilities[kind])[flag] === true;
  const filter: ListenFilter = {};
  if (requested.toolsListChanged === true && has('tools', 'listChanged')) filter.toolsListChanged = true;
  if (requested.promptsListChanged === true && has('prompts', 'listChanged')) filter.promptsListChanged = true;
  if (requested.resourcesListChanged === true && has('resources', 'listChanged')) filter.resourcesListChanged = true;
  if (requested.resourceSubscriptions !== undefined && has('resources', 'subscribe')) filter.resourceSubscriptions = requested.resourceSubscriptions;
  return filter;
}

const LIST_CHANGED: Readonly<Record<string, keyof ListenFilter>> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

/** One open subscriptions/listen stream. */
export class ListenStream {
  readonly id: string;
  readonly modern = true;
  logLevel: undefined;

  constructor(
    readonly subscriptionId: RequestId,
    readonly filter: ListenFilter,
    private readonly stream: EventStream,
  ) {
    this.id = `listen-${String(subscriptionId)}-${Math.random().toString(36).slice(2)}`;
  }

  get isOpen(): boolean {
    return this.stream.isOpen;
  }

  get resourceUris(): readonly string[] {
    return this.filter.resourceSubscriptions ?? [];
  }

  /** The first message on the stream: what the bridge agreed to deliver. */
  acknowledge(): void {
    this.stream.send({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { _meta: { [META.subscriptionId]: this.subscriptionId }, notifications: this.filter },
    });
  }

  /** Delivers a server notification if this stream asked for it; true if sent. */
  deliverUnrelated(message: JSONRPCMessage): boolean {
    if (!this.isOpen || !('method' in message) || 'id' in message) return false;
    const params = isObject((message as { params?: unknown }).params) ? ((message as { params: Record<string, unknown> }).params) : {};
    const flag = LIST_CHANGED[message.method];
    let wanted = flag !== undefined && this.filter[flag] === true;
    if (message.method === 'notifications/resources/updated') wanted = typeof params.uri === 'string' && this.resourceUris.includes(params.uri);
    if (!wanted) return false;
    const meta = isObject(params._meta) ? params._meta : {};
    return this.stream.send({ ...message, params: { ...params, _meta: { ...meta, [META.subscriptionId]: this.subscriptionId } } });
  }

  /** The bridge ends the subscription (shutdown): a complete result says it ended gracefully. */
  close(serverInfo: ServerInfo | undefined): void {
    if (!this.isOpen) return;
    this.stream.send({
      jsonrpc: '2.0',
      id: this.subscriptionId,
      result: { resultType: 'complete', _meta: { [META.subscriptionId]: this.subscriptionId, ...(serverInfo !== undefined ? { [META.serverInfo]: serverInfo } : {}) } },
    });
    this.stream.close();
  }
}
