// @opentelemetry/semantic-conventions 1.45.0 marks the MCP and GenAI names deprecated: they moved to
// the semantic-conventions-genai repository (same names, its v0.1.0). They are still the names, and
// this package still the only published source of them, so the drift check uses them.
/* eslint-disable @typescript-eslint/no-deprecated */
import * as semconv from '@opentelemetry/semantic-conventions/incubating';
import { OPERATION_LABELS, SESSION_LABELS } from '../metrics.js';
import { ATTR, OTHER, listedNames, methodName, outcomeOf, protocolVersionLabel, spanName, targetOf } from './semconv.js';

describe('names against @opentelemetry/semantic-conventions', () => {
  it('when the attribute names are compared with the package constants, then they are equal', () => {
    expect(ATTR).toEqual({
      methodName: semconv.ATTR_MCP_METHOD_NAME,
      sessionId: semconv.ATTR_MCP_SESSION_ID,
      protocolVersion: semconv.ATTR_MCP_PROTOCOL_VERSION,
      resourceUri: semconv.ATTR_MCP_RESOURCE_URI,
      toolName: semconv.ATTR_GEN_AI_TOOL_NAME,
      promptName: semconv.ATTR_GEN_AI_PROMPT_NAME,
      operationName: semconv.ATTR_GEN_AI_OPERATION_NAME,
      requestId: semconv.ATTR_JSONRPC_REQUEST_ID,
      networkTransport: semconv.ATTR_NETWORK_TRANSPORT,
      networkProtocolName: semconv.ATTR_NETWORK_PROTOCOL_NAME,
      errorType: semconv.ATTR_ERROR_TYPE,
    });
  });

  it('when the Prometheus names are derived (dots to underscores, unit suffix), then they are the semconv ones', () => {
    const prom = (name: string) => name.replaceAll('.', '_');
    expect([...OPERATION_LABELS]).toEqual([ATTR.methodName, ATTR.toolName, ATTR.promptName, ATTR.resourceUri, ATTR.errorType, ATTR.protocolVersion, ATTR.networkTransport].map(prom));
    expect([...SESSION_LABELS]).toEqual([ATTR.protocolVersion, ATTR.networkTransport, ATTR.errorType].map(prom));
    expect(OPERATION_LABELS).not.toContain(prom(ATTR.sessionId));
    expect(`${prom(semconv.METRIC_MCP_SERVER_OPERATION_DURATION)}_seconds`).toBe('mcp_server_operation_duration_seconds');
    expect(`${prom(semconv.METRIC_MCP_SERVER_SESSION_DURATION)}_seconds`).toBe('mcp_server_session_duration_seconds');
  });
});

describe('method and target', () => {
  it('when a request names a tool, prompt or resource, then that is its target', () => {
    expect(targetOf('tools/call', { name: 'get-weather', arguments: {} })).toEqual({ kind: 'tool', name: 'get-weather' });
    expect(targetOf('prompts/get', { name: 'review' })).toEqual({ kind: 'prompt', name: 'review' });
    expect(targetOf('resources/read', { uri: 'file:///a' })).toEqual({ kind: 'resource', name: 'file:///a' });
    expect(targetOf('resources/subscribe', { uri: 'file:///a' })?.kind).toBe('resource');
    expect(targetOf('tools/list', {})).toBeUndefined();
    expect(targetOf('tools/call', { name: 3 })).toBeUndefined();
  });

  it('when a target is very long, then the span keeps only its first 256 characters', () => {
    expect(targetOf('tools/call', { name: 'x'.repeat(1000) })?.name).toHaveLength(256);
  });

  it('when the span is named, then tools and prompts appear in it and resource URIs do not (semconv: high cardinality)', () => {
    expect(spanName('tools/call', { kind: 'tool', name: 'get-weather' })).toBe('tools/call get-weather');
    expect(spanName('prompts/get', { kind: 'prompt', name: 'review' })).toBe('prompts/get review');
    expect(spanName('resources/read', { kind: 'resource', name: 'file:///a' })).toBe('resources/read');
    expect(spanName('tools/list', undefined)).toBe('tools/list');
  });

  it('when a client sends a method nobody defined, then it folds into _OTHER; 2026-07-28 methods keep their names', () => {
    expect(methodName('made/up')).toBe(OTHER);
    expect(methodName('server/discover')).toBe('server/discover');
    expect(methodName('tools/call')).toBe('tools/call');
  });

  it('when a client claims an unknown protocol version, then the label is _OTHER; none known is empty', () => {
    expect(protocolVersionLabel('2025-11-25', ['2025-11-25'])).toBe('2025-11-25');
    expect(protocolVersionLabel('1999-01-01', ['2025-11-25'])).toBe(OTHER);
    expect(protocolVersionLabel(undefined, ['2025-11-25'])).toBe('');
  });
});

describe('error.type', () => {
  it('when the response is a JSON-RPC error, then error.type is its code as a string and the message is kept', () => {
    expect(outcomeOf({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'Unknown tool' } })).toEqual({ errorType: '-32602', statusCode: '-32602', message: 'Unknown tool' });
  });

  it('when a tool result has isError, then error.type is tool_error', () => {
    expect(outcomeOf({ jsonrpc: '2.0', id: 1, result: { content: [], isError: true } }).errorType).toBe('tool_error');
  });

  it('when the call succeeded, then there is no error.type', () => {
    expect(outcomeOf({ jsonrpc: '2.0', id: 1, result: { content: [] } }).errorType).toBeUndefined();
    expect(outcomeOf({ jsonrpc: '2.0', id: 1, result: { resultType: 'input_required' } }).errorType).toBeUndefined();
  });
});

describe('names a server lists', () => {
  it('when a list result passes, then its tool names, prompt names or resource URIs are read', () => {
    expect(listedNames('tools/list', { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'a' }, { name: 'b' }, { nope: 1 }] } })).toEqual({ kind: 'tool', names: ['a', 'b'] });
    expect(listedNames('prompts/list', { jsonrpc: '2.0', id: 1, result: { prompts: [{ name: 'p' }] } })).toEqual({ kind: 'prompt', names: ['p'] });
    expect(listedNames('resources/list', { jsonrpc: '2.0', id: 1, result: { resources: [{ uri: 'file:///x', name: 'x' }] } })).toEqual({ kind: 'resource', names: ['file:///x'] });
    expect(listedNames('tools/call', { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'a' }] } })).toBeUndefined();
    expect(listedNames('tools/list', { jsonrpc: '2.0', id: 1, error: { code: -1, message: 'x' } })).toBeUndefined();
  });
});
