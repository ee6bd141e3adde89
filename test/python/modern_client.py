"""The official Python SDK 2.x client (PyPI `mcp`, `mcp.Client`) run against one MCP URL, the way an
application uses it: `Client(url)` in its default mode ("auto": probe `server/discover`, stay on
2026-07-28 when the server answers it, fall back to `initialize` otherwise), with sampling and
elicitation callbacks (used for the `input_required` rounds of 2026-07-28), a logging callback and
per-request log levels. Prints one JSON line describing what happened.

Usage: modern_client.py <url> <plan-json>
  plan: {"mode": "auto" | "legacy" | "2026-07-28" (default "auto"), "ops": [op, ...]}
  op:   {"op": "list_tools"}                                  -> {"tools": [names]}
        {"op": "call_tool", "name": N, "arguments": {...},
         "log_level": L (optional, sent as _meta io.modelcontextprotocol/logLevel)}
                                                              -> {"text", "is_error", "structured", "progress", "logs"}
        {"op": "list_resources"}                              -> {"uris": [...]}
        {"op": "read_resource", "uri": U}                     -> {"texts": [...]}
        {"op": "list_prompts"}                                -> {"prompts": [names]}
        {"op": "get_prompt", "name": N, "arguments": {...}}   -> {"texts": [...]}
        {"op": "listen_tools", "trigger": {"name", "arguments"}}
                        opens subscriptions/listen {toolsListChanged}, calls the trigger tool, waits for the
                        first event                           -> {"honored": {...}, "event": "ToolsListChanged"}
  A failing op gives {"error": {"code": C, "message": M}} (code null for non-MCP errors) and the plan goes on.
Output: {"protocol_version", "server": name or null, "results": [...], "sampling": [prompt texts asked],
         "elicitation": [messages asked]}
"""

import asyncio
import json
import sys
from typing import Any

import mcp_types as types
from mcp import Client
from mcp.shared.exceptions import MCPError

LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel"


def texts_of(content: list[Any]) -> list[str]:
    return [c.text for c in content if getattr(c, "type", "") == "text"]


async def run(url: str, plan: dict[str, Any]) -> dict[str, Any]:
    asked_sampling: list[str] = []
    asked_elicitation: list[str] = []
    logs: list[str] = []

    async def on_sampling(_ctx: Any, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        first = params.messages[0].content if params.messages else None
        asked_sampling.append(getattr(first, "text", "?"))
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text="python says hi"),
            model="python-test-model",
            stop_reason="endTurn",
        )

    async def on_elicitation(_ctx: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked_elicitation.append(params.message)
        return types.ElicitResult(action="accept", content={"answer": "from python", "name": "py"})

    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        logs.append(f"{params.level}:{params.data}")

    results: list[dict[str, Any]] = []
    async with Client(
        url,
        mode=plan.get("mode", "auto"),
        sampling_callback=on_sampling,
        elicitation_callback=on_elicitation,
        logging_callback=on_log,
        read_timeout_seconds=30,
    ) as client:
        for op in plan["ops"]:
            logs.clear()
            try:
                results.append(await run_op(client, op, logs))
            except MCPError as err:
                results.append({"error": {"code": err.code, "message": str(err)}})
            except Exception as err:  # reported, not raised: the test asserts on it
                results.append({"error": {"code": None, "message": f"{type(err).__name__}: {err}"}})
        server = client.server_info.name if client.server_info is not None else None
        return {
            "protocol_version": client.protocol_version,
            "server": server,
            "results": results,
            "sampling": asked_sampling,
            "elicitation": asked_elicitation,
        }


async def run_op(client: Client, op: dict[str, Any], logs: list[str]) -> dict[str, Any]:
    kind = op["op"]
    if kind == "list_tools":
        return {"tools": [t.name for t in (await client.list_tools()).tools]}
    if kind == "call_tool":
        progress: list[float] = []

        async def on_progress(value: float, _total: float | None, _message: str | None) -> None:
            progress.append(value)

        meta = {LOG_LEVEL_KEY: op["log_level"]} if op.get("log_level") else None
        result = await client.call_tool(op["name"], op.get("arguments", {}), progress_callback=on_progress, meta=meta)
        return {
            "text": "".join(texts_of(result.content)),
            "is_error": bool(result.is_error),
            "structured": result.structured_content,
            "progress": progress,
            "logs": list(logs),
        }
    if kind == "list_resources":
        return {"uris": [str(r.uri) for r in (await client.list_resources()).resources]}
    if kind == "read_resource":
        contents = (await client.read_resource(op["uri"])).contents
        return {"texts": [getattr(c, "text", None) or getattr(c, "blob", "") for c in contents]}
    if kind == "list_prompts":
        return {"prompts": [p.name for p in (await client.list_prompts()).prompts]}
    if kind == "get_prompt":
        prompt = await client.get_prompt(op["name"], op.get("arguments", {}))
        return {"texts": [getattr(m.content, "text", "") for m in prompt.messages]}
    if kind == "listen_tools":
        async with client.listen(tools_list_changed=True) as sub:
            trigger = op["trigger"]
            await client.call_tool(trigger["name"], trigger.get("arguments", {}))
            async with asyncio.timeout(10):
                async for event in sub:
                    return {"honored": sub.honored.model_dump(by_alias=True, exclude_none=True), "event": type(event).__name__}
        return {"error": {"code": None, "message": "the subscription ended without an event"}}
    raise ValueError(f"unknown op {kind}")


def main() -> None:
    url, plan = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(asyncio.run(run(url, plan))))


main()
