module github.com/mcp-sidecar/mcp-sidecar-operator/agent

go 1.22
