import { headerTrace, incomingTrace, parseTraceparent, withTraceContext } from './trace-context.js';

const CLIENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const HTTP = '00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01';
const OTHER_TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

describe('traceparent parsing', () => {
  it('when a traceparent is valid W3C, then its ids and sampled flag are read', () => {
    expect(parseTraceparent(CLIENT)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true });
    expect(parseTraceparent(OTHER_TRACE)?.sampled).toBe(false);
  });

  it.each([
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['upper case', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
    ['extra fields on version 00', `${CLIENT}-extra`],
    ['a number', 42],
  ])('when the traceparent has %s, then it is ignored', (_why, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('when a later version carries extra fields, then it is still read (W3C forward compatibility)', () => {
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next')?.spanId).toBe('00f067aa0ba902b7');
  });
});

describe('which context a request continues', () => {
  it('when both _meta and the HTTP headers carry one, then _meta is the parent and the header a link', () => {
    const trace = incomingTrace({ _meta: { traceparent: CLIENT, tracestate: 'rojo=1' } }, headerTrace({ traceparent: HTTP }));
    expect(trace).toEqual({ parent: { traceparent: CLIENT, tracestate: 'rojo=1' }, link: { traceparent: HTTP } });
  });

  it('when only the HTTP headers carry one, then it is the parent', () => {
    expect(incomingTrace({ name: 'x' }, headerTrace({ traceparent: HTTP, tracestate: 'a=b' }))).toEqual({ parent: { traceparent: HTTP, tracestate: 'a=b' } });
  });

  it('when _meta has an invalid one, then the header is the parent', () => {
    expect(incomingTrace({ _meta: { traceparent: 'garbage' } }, headerTrace({ traceparent: HTTP }))).toEqual({ parent: { traceparent: HTTP } });
  });

  it('when both carry the same one, then there is no link to itself', () => {
    expect(incomingTrace({ _meta: { traceparent: CLIENT } }, headerTrace({ traceparent: CLIENT }))).toEqual({ parent: { traceparent: CLIENT } });
  });

  it('when neither carries one, then the span starts a new trace', () => {
    expect(incomingTrace(undefined, headerTrace({}))).toEqual({});
  });
});

describe('what the stdio server receives', () => {
  it('when the bridge forwards a request, then _meta carries the bridge span context instead of the client one, and the rest of _meta stays', () => {
    const params = withTraceContext({ name: 'echo', _meta: { traceparent: CLIENT, tracestate: 'client=1', progressToken: 7 } }, { traceparent: OTHER_TRACE });
    expect(params).toEqual({ name: 'echo', _meta: { traceparent: OTHER_TRACE, progressToken: 7 } });
  });

  it('when the request had no params, then they are created with the context', () => {
    expect(withTraceContext(undefined, { traceparent: CLIENT, tracestate: 's=1' })).toEqual({ _meta: { traceparent: CLIENT, tracestate: 's=1' } });
  });
});
