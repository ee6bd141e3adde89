import { BridgeMetrics } from './metrics.js';

describe('BridgeMetrics', () => {
  it('when nothing happened yet, then every known rejection reason, exit cause, relay reason and session transport is exported at 0', async () => {
    const text = await new BridgeMetrics(false).registry.metrics();
    for (const series of [
      'mcp_bridge_sessions_rejected_total{reason="capacity"} 0',
      'mcp_bridge_sessions_rejected_total{reason="draining"} 0',
      'mcp_bridge_child_exits_total{cause="exited"} 0',
      'mcp_bridge_child_exits_total{cause="stopped"} 0',
      'mcp_bridge_child_exits_total{cause="oversize_line"} 0',
      'mcp_bridge_relayed_total{reason="session"} 0',
      'mcp_bridge_relayed_total{reason="request_state"} 0',
      'mcp_bridge_sessions_active{transport="streamable-http"} 0',
      'mcp_bridge_sessions_active{transport="sse"} 0',
    ]) {
      expect(text).toContain(series);
    }
  });
});
