"""LiteLLM's way of using an MCP server, with the official Python SDK: for every operation a new
transport and session (initialize, one call, close). Prints one JSON line of results.

Usage: litellm_pattern.py <url> <http|sse> <rounds>
"""
import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client


def open_transport(url: str, kind: str):
    return streamable_http_client(url) if kind == "http" else sse_client(url)


async def one_round(url: str, kind: str, i: int) -> dict:
    async with open_transport(url, kind) as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            result = await session.call_tool("echo", {"message": f"round-{i}"})
            text = "".join(c.text for c in result.content if getattr(c, "type", "") == "text")
            return {"server": init.server_info.name, "tools": len(tools.tools), "echo": text}


async def main() -> None:
    url, kind, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    results = [await one_round(url, kind, i) for i in range(rounds)]
    print(json.dumps({"rounds": results}))


asyncio.run(main())
