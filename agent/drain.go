package main

// The preStop side of the bridge's drain socket (bridge/drain-socket.ts): in the sidecar topology the
// kubelet stops the server container before the bridge sidecar, so the server container's preStop hook
// runs `mcp-agent --drain PATH`, which asks the bridge to drain and returns when it is over. The server
// processes (this container's) keep serving the calls in flight meanwhile; the kubelet stops them after.

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"time"
)

// drain asks the bridge listening on path to drain and waits for its answer, at most timeout. It always
// succeeds (exit 0): a hook that fails only delays the pod's end by an event, and no bridge (not started,
// already stopped) means nothing to wait for.
func drain(path string, timeout time.Duration) int {
	conn, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mcp-agent: no bridge to drain at %s (%v); stopping at once\n", path, err)
		return 0
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write([]byte("drain\n")); err != nil {
		fmt.Fprintf(os.Stderr, "mcp-agent: asking the bridge to drain: %v\n", err)
		return 0
	}
	start := time.Now()
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		fmt.Fprintf(os.Stderr, "mcp-agent: the bridge did not say it drained (%v) after %s\n", err, time.Since(start).Round(time.Millisecond))
		return 0
	}
	fmt.Fprintf(os.Stderr, "mcp-agent: bridge %s after %s\n", trimNewline(line), time.Since(start).Round(time.Millisecond))
	return 0
}

func trimNewline(s string) string {
	if n := len(s); n > 0 && s[n-1] == '\n' {
		return s[:n-1]
	}
	return s
}
