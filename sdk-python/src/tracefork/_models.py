"""Which HTTP requests are model calls, and the OTel GenAI attributes of their spans. Chat
completions use the adapter name `openai`, as the Node fetch wrapper does (same input: the
request body; same output: {status, headers, body}); the Responses API is `openai-responses`,
Anthropic Messages `anthropic`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._runtime import Attrs


@dataclass(frozen=True)
class ModelApi:
    """One model API recognised by its path."""

    adapter: str
    provider: str
    suffix: str


APIS = (
    ModelApi("openai", "openai", "/chat/completions"),
    ModelApi("openai-responses", "openai", "/responses"),
    ModelApi("anthropic", "anthropic", "/messages"),
)


def model_api(method: str, path: str) -> ModelApi | None:
    """The API a request calls, or None for requests that pass through unrecorded."""
    if method.upper() != "POST":
        return None
    p = path.rstrip("/")
    return next((a for a in APIS if p.endswith(a.suffix)), None)


_MODEL_OPS = ("chat", "text_completion", "generate_content", "responses")


def describes_call(span: Any, model: str) -> bool:
    """True when a span (a client library's own, e.g. anthropic>=2's `anthropic.messages.create`,
    or an instrumentation's LLM span made current) describes the model call about to be sent:
    a GenAI chat/completion span, or an OpenInference LLM span, for the same model when it names one."""
    a = getattr(span, "attributes", None) or {}
    if a.get("gen_ai.operation.name") in _MODEL_OPS:
        named = a.get("gen_ai.request.model")
    elif a.get("openinference.span.kind") == "LLM":
        named = a.get("llm.model_name")
    else:
        return False
    return named is None or str(named) == model


def _text_parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}] if content else []
    parts: list[dict[str, Any]] = []
    for p in content if isinstance(content, list) else []:
        if isinstance(p, dict) and p.get("type") in ("text", "input_text", "output_text"):
            parts.append({"type": "text", "content": p.get("text")})
        elif isinstance(p, dict) and p.get("type") == "tool_use":
            parts.append({"type": "tool_call", "id": p.get("id"), "name": p.get("name"), "arguments": p.get("input")})
        elif isinstance(p, dict) and p.get("type") == "tool_result":
            parts.append({"type": "tool_call_response", "id": p.get("tool_use_id"), "response": p.get("content")})
        else:
            parts.append(p)
    return parts


def semconv(m: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    """OTel GenAI (1.37+) message parts of an OpenAI or Anthropic message."""
    parts: list[Any] = []
    if m.get("role") == "tool":
        parts.append({"type": "tool_call_response", "id": m.get("tool_call_id"), "response": m.get("content")})
    else:
        parts.extend(_text_parts(m.get("content")))
    for c in m.get("tool_calls") or []:
        fn = c.get("function") or {}
        parts.append({"type": "tool_call", "id": c.get("id"), "name": fn.get("name"), "arguments": fn.get("arguments")})
    out: dict[str, Any] = {"role": m.get("role") or "user", "parts": parts}
    if finish_reason:
        out["finish_reason"] = finish_reason
    return out


def _input_messages(api: ModelApi, request: dict[str, Any]) -> list[dict[str, Any]]:
    if api.adapter == "openai-responses":
        items = request.get("input")
        msgs = [{"role": "user", "content": items}] if isinstance(items, str) else [i for i in items or [] if isinstance(i, dict)]
        if isinstance(request.get("instructions"), str):
            msgs = [{"role": "system", "content": request["instructions"]}, *msgs]
        return [semconv(m) for m in msgs]
    msgs = [m for m in request.get("messages") or [] if isinstance(m, dict)]
    if api.adapter == "anthropic" and request.get("system"):
        msgs = [{"role": "system", "content": request["system"]}, *msgs]
    return [semconv(m) for m in msgs]


def describe(api: ModelApi, request: dict[str, Any], recorded: dict[str, Any]) -> Attrs:
    """gen_ai.* attributes of a recorded call: messages always, output and usage from JSON answers."""
    attrs: Attrs = {"gen_ai.input.messages": json.dumps(_input_messages(api, request), ensure_ascii=False)}
    headers = recorded.get("headers") or {}
    if "json" not in str(headers.get("content-type", "")):
        return attrs
    try:
        body = json.loads(recorded.get("body") or "")
    except ValueError:
        return attrs
    if not isinstance(body, dict):
        return attrs
    usage = body.get("usage") or {}
    if api.adapter == "openai":
        choices = [c for c in body.get("choices") or [] if isinstance(c, dict)]
        attrs["gen_ai.output.messages"] = json.dumps([semconv(c.get("message") or {}, c.get("finish_reason")) for c in choices], ensure_ascii=False)
        attrs["gen_ai.response.finish_reasons"] = [str(c.get("finish_reason") or "") for c in choices]
        tokens = (usage.get("prompt_tokens"), usage.get("completion_tokens"))
    elif api.adapter == "anthropic":
        attrs["gen_ai.output.messages"] = json.dumps([semconv({"role": "assistant", "content": body.get("content")}, body.get("stop_reason"))], ensure_ascii=False)
        attrs["gen_ai.response.finish_reasons"] = [str(body.get("stop_reason") or "")]
        tokens = (usage.get("input_tokens"), usage.get("output_tokens"))
    else:
        out = [i for i in body.get("output") or [] if isinstance(i, dict) and i.get("type") == "message"]
        attrs["gen_ai.output.messages"] = json.dumps([semconv(m) for m in out], ensure_ascii=False)
        tokens = (usage.get("input_tokens"), usage.get("output_tokens"))
    if isinstance(body.get("model"), str):
        attrs["gen_ai.response.model"] = body["model"]
    if isinstance(body.get("id"), str):
        attrs["gen_ai.response.id"] = body["id"]
    if isinstance(tokens[0], int):
        attrs["gen_ai.usage.input_tokens"] = tokens[0]
    if isinstance(tokens[1], int):
        attrs["gen_ai.usage.output_tokens"] = tokens[1]
    return attrs
