"""Local mocks of the model APIs the Python clients call, on 127.0.0.1:0, offline:
OpenAI chat completions (JSON and server-sent events), the OpenAI Responses API (JSON and SSE), and
Anthropic messages (JSON and SSE). Every request is kept (path and body) so tests count model calls.

The scripted agent behaviour is the Node mock's: while tools are offered and no tool result is in
the conversation yet, answer with a `get_weather` call for Paris; once a result is there, answer
with text quoting it."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _tool_result(body: dict[str, Any]) -> str | None:
    """The last tool result in a chat, responses or messages conversation, if any."""
    found: str | None = None
    for m in body.get("messages") or []:
        if not isinstance(m, dict):
            continue
        if m.get("role") == "tool":
            found = str(m.get("content"))
        for part in m.get("content") if isinstance(m.get("content"), list) else []:
            if isinstance(part, dict) and part.get("type") == "tool_result":
                c = part.get("content")
                found = c if isinstance(c, str) else json.dumps(c)
    for item in body.get("input") if isinstance(body.get("input"), list) else []:
        if isinstance(item, dict) and item.get("type") == "function_call_output":
            found = str(item.get("output"))
    return found


def _tool_name(body: dict[str, Any]) -> str:
    """The first offered tool's name (chat: function.name; responses and messages: name)."""
    t = (body.get("tools") or [{}])[0]
    return str((t.get("function") or {}).get("name") or t.get("name") or "get_weather")


@dataclass
class MockModels:
    """A running mock; `requests` holds (path, body) of every model call, in order."""

    base_url: str
    server: ThreadingHTTPServer
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: Seconds each answer waits, to stand for a model's latency (benchmarks).
    delay: float = 0.0
    #: How the next call fails, once: {"status": 529} answers that status with an error body in the
    #: provider's shape; {"drop": True} sends the first events of a stream, then drops the connection.
    fail_next: dict[str, Any] | None = None

    @property
    def openai_url(self) -> str:
        return f"{self.base_url}/v1"

    def calls(self) -> int:
        return len(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _sse(events: list[tuple[str | None, Any]]) -> Iterator[bytes]:
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        payload = data if isinstance(data, str) else json.dumps(data)
        yield f"{head}data: {payload}\n\n".encode()


def _chat(body: dict[str, Any], n: int) -> tuple[dict[str, Any], list[tuple[str | None, Any]]]:
    result = _tool_result(body)
    wants_tool = bool(body.get("tools")) and result is None
    model = body.get("model", "mock")
    call = {"id": f"call_{n}", "type": "function", "function": {"name": _tool_name(body), "arguments": json.dumps({"city": "Paris"})}}
    text = f"The weather is: {result}"
    message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]} if wants_tool else {"role": "assistant", "content": text}
    finish = "tool_calls" if wants_tool else "stop"
    usage = {"prompt_tokens": 50 + 10 * n, "completion_tokens": 12, "total_tokens": 62 + 10 * n}
    whole = {
        "id": f"chatcmpl-mock-{n}",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": usage,
    }
    base = {"id": f"chatcmpl-mock-{n}", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model}
    if wants_tool:
        deltas = [
            {"role": "assistant", "content": None, "tool_calls": [{"index": 0, **call, "function": {"name": call["function"]["name"], "arguments": ""}}]},
            {"tool_calls": [{"index": 0, "function": {"arguments": call["function"]["arguments"]}}]},
        ]
    else:
        words = text.split(" ")
        deltas = [{"role": "assistant", "content": ""}] + [{"content": w if i == 0 else " " + w} for i, w in enumerate(words)]
    chunks: list[tuple[str | None, Any]] = [(None, {**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]}) for d in deltas]
    chunks.append((None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}], "usage": usage if (body.get("stream_options") or {}).get("include_usage") else None}))
    chunks.append((None, "[DONE]"))
    return whole, chunks


def _responses(body: dict[str, Any], n: int) -> tuple[dict[str, Any], list[tuple[str | None, Any]]]:
    result = _tool_result(body)
    wants_tool = bool(body.get("tools")) and result is None
    model = body.get("model", "mock")
    if wants_tool:
        item: dict[str, Any] = {"type": "function_call", "id": f"fc_{n}", "call_id": f"call_{n}", "name": _tool_name(body), "arguments": json.dumps({"city": "Paris"}), "status": "completed"}
    else:
        item = {"type": "message", "id": f"msg_{n}", "role": "assistant", "status": "completed", "content": [{"type": "output_text", "text": f"The weather is: {result}", "annotations": []}]}
    usage = {"input_tokens": 40 + n, "output_tokens": 9, "total_tokens": 49 + n, "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}}
    whole = {
        "id": f"resp_{n}",
        "object": "response",
        "created_at": 1_700_000_000,
        "model": model,
        "status": "completed",
        "output": [item],
        "usage": usage,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": body.get("tools") or [],
    }
    pending = {**whole, "status": "in_progress", "output": [], "usage": None}
    events: list[tuple[str | None, Any]] = [
        ("response.created", {"type": "response.created", "sequence_number": 0, "response": pending}),
        ("response.output_item.added", {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0, "item": {**item, "status": "in_progress"}}),
        ("response.output_item.done", {"type": "response.output_item.done", "sequence_number": 2, "output_index": 0, "item": item}),
        ("response.completed", {"type": "response.completed", "sequence_number": 3, "response": whole}),
    ]
    return whole, events


def _messages(body: dict[str, Any], n: int) -> tuple[dict[str, Any], list[tuple[str | None, Any]]]:
    result = _tool_result(body)
    wants_tool = bool(body.get("tools")) and result is None
    model = body.get("model", "mock")
    block: dict[str, Any] = {"type": "tool_use", "id": f"toolu_{n}", "name": _tool_name(body), "input": {"city": "Paris"}} if wants_tool else {"type": "text", "text": f"The weather is: {result}"}
    stop = "tool_use" if wants_tool else "end_turn"
    usage = {"input_tokens": 30 + n, "output_tokens": 7}
    whole = {"id": f"msg_mock_{n}", "type": "message", "role": "assistant", "model": model, "content": [block], "stop_reason": stop, "stop_sequence": None, "usage": usage}
    start_block = {**block, "input": {}} if wants_tool else {"type": "text", "text": ""}
    delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])} if wants_tool else {"type": "text_delta", "text": block["text"]}
    events: list[tuple[str | None, Any]] = [
        ("message_start", {"type": "message_start", "message": {**whole, "content": [], "stop_reason": None, "usage": {"input_tokens": usage["input_tokens"], "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": start_block}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}, "usage": {"output_tokens": usage["output_tokens"]}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return whole, events


ROUTES = {"/v1/chat/completions": _chat, "/v1/responses": _responses, "/v1/messages": _messages}


def start_mock() -> MockModels:
    """Starts the mock on a free loopback port (a daemon thread; `close()` stops it)."""
    mock: MockModels

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("content-type", ctype)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            route = ROUTES.get(self.path.split("?")[0])
            if route is None:
                self._send(404, "application/json", json.dumps({"error": {"message": f"no route {self.path}", "type": "not_found"}}).encode())
                return
            body = json.loads(raw)
            mock.requests.append((self.path, body))
            if mock.delay:
                time.sleep(mock.delay)
            fail, mock.fail_next = mock.fail_next, None
            if fail and "status" in fail:
                kind = "overloaded_error" if self.path.startswith("/v1/messages") else "server_error"
                err = {"type": "error", "error": {"type": kind, "message": f"mock upstream failure {fail['status']}"}}
                self._send(int(fail["status"]), "application/json", json.dumps(err).encode())
                return
            whole, events = route(body, len(mock.requests))
            if not body.get("stream"):
                self._send(200, "application/json", json.dumps(whole).encode())
                return
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for i, chunk in enumerate(_sse(events)):
                if fail and fail.get("drop") and i == 2:
                    # The connection dies mid-stream: no terminating chunk.
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    mock = MockModels(f"http://127.0.0.1:{server.server_address[1]}", server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return mock


if __name__ == "__main__":  # a standalone mock for agents run by hand: prints its base URL
    m = start_mock()
    print(m.base_url, flush=True)
    threading.Event().wait()
