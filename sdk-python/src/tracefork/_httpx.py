"""httpx transports that record model API calls and serve them in a replay. They wrap another
transport (the default one unless given), so any client that takes an httpx client records:
openai.OpenAI(http_client=...), anthropic.Anthropic(http_client=...), LangChain's ChatOpenAI.

A JSON answer is recorded whole; server-sent events pass through as they arrive and are recorded
when the stream ends. Both are recorded as {status, headers, body} and served back byte for byte.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from ._json import to_tagged
from ._jsontext import dumps
from ._models import ModelApi, describe, model_api
from ._runtime import Call, CallInfo

_DROP = {"content-encoding", "content-length", "transfer-encoding"}


def _match(request: httpx.Request, body: bytes) -> tuple[ModelApi, dict[str, Any]] | None:
    api = model_api(request.method, request.url.path)
    if api is None or not body:
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return (api, parsed) if isinstance(parsed, dict) else None


def _info(api: ModelApi, body: dict[str, Any]) -> CallInfo:
    model = str(body.get("model") or "unknown")
    attrs = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": api.provider, "gen_ai.request.model": model}
    return CallInfo("llm", model, api.adapter, body, f"chat {model}", attrs, lambda out: describe(api, body, out))


def _send(request: httpx.Request, call: Call) -> httpx.Request:
    """The request to send: the fork's edited body when it is the fork, and no compression (the body is recorded as text)."""
    headers = httpx.Headers(request.headers)
    headers["accept-encoding"] = "identity"
    content = request.content
    if call.decision.kind == "fork":
        content = dumps(to_tagged(call.input)).encode("utf-8")
        headers.pop("content-length", None)
    return httpx.Request(request.method, request.url, headers=headers, content=content, extensions=request.extensions)


def _served(rec: Any, request: httpx.Request) -> httpx.Response:
    r = rec if isinstance(rec, dict) else {}
    return httpx.Response(int(r.get("status", 200)), headers=r.get("headers") or {}, content=str(r.get("body", "")).encode("utf-8"), request=request)


def _headers(resp: httpx.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in resp.headers.items() if k.lower() not in _DROP}


def _is_stream(resp: httpx.Response) -> bool:
    return "text/event-stream" in resp.headers.get("content-type", "")


class _Tee:
    """Keeps the text of a stream as it passes; records it on the call at the end."""

    def __init__(self, call: Call, status: int, headers: dict[str, str]) -> None:
        self.call, self.status, self.headers = call, status, headers
        self._dec = codecs.getincrementaldecoder("utf-8")("replace")
        self._parts: list[str] = []

    def feed(self, chunk: bytes) -> bytes:
        self._parts.append(self._dec.decode(chunk))
        return chunk

    def done(self) -> None:
        self._parts.append(self._dec.decode(b"", final=True))
        self.call.finish({"status": self.status, "headers": self.headers, "body": "".join(self._parts)})


class _SyncTeeStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, tee: _Tee) -> None:
        self._inner, self._tee = inner, tee

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self._inner:
                yield self._tee.feed(chunk)
        except BaseException as e:
            self._tee.call.fail(e)
            raise
        self._tee.done()

    def close(self) -> None:
        self._inner.close()
        self._tee.done()  # a stream closed early records what passed (no-op when already recorded)


class _AsyncTeeStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, tee: _Tee) -> None:
        self._inner, self._tee = inner, tee

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield self._tee.feed(chunk)
        except BaseException as e:
            self._tee.call.fail(e)
            raise
        self._tee.done()

    async def aclose(self) -> None:
        await self._inner.aclose()
        self._tee.done()


def _record_whole(call: Call, resp: httpx.Response, body: bytes, request: httpx.Request) -> httpx.Response:
    headers = _headers(resp)
    call.finish({"status": resp.status_code, "headers": headers, "body": body.decode("utf-8", "replace")})
    return httpx.Response(resp.status_code, headers=headers, content=body, request=request, extensions=resp.extensions)


class TraceforkTransport(httpx.BaseTransport):
    """Records (and in a replay serves) model API calls; other requests go to the wrapped transport."""

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self._inner = transport or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        m = _match(request, request.read())
        if m is None:
            return self._inner.handle_request(request)
        call = Call(_info(*m))
        with call.active():
            try:
                if call.served:
                    rec = call.recorded_output()
                    call.finish(rec)
                    return _served(rec, request)
                resp = self._inner.handle_request(_send(request, call))
                if not _is_stream(resp):
                    body = resp.read()
                    resp.close()
                    return _record_whole(call, resp, body, request)
            except BaseException as e:
                call.fail(e)
                raise
        assert isinstance(resp.stream, httpx.SyncByteStream)
        tee = _Tee(call, resp.status_code, _headers(resp))
        return httpx.Response(resp.status_code, headers=resp.headers, stream=_SyncTeeStream(resp.stream, tee), request=request, extensions=resp.extensions)

    def close(self) -> None:
        self._inner.close()


class AsyncTraceforkTransport(httpx.AsyncBaseTransport):
    """The async twin of TraceforkTransport."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = transport or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        m = _match(request, await request.aread())
        if m is None:
            return await self._inner.handle_async_request(request)
        call = Call(_info(*m))
        with call.active():
            try:
                if call.served:
                    rec = call.recorded_output()
                    call.finish(rec)
                    return _served(rec, request)
                resp = await self._inner.handle_async_request(_send(request, call))
                if not _is_stream(resp):
                    body = await resp.aread()
                    await resp.aclose()
                    return _record_whole(call, resp, body, request)
            except BaseException as e:
                call.fail(e)
                raise
        assert isinstance(resp.stream, httpx.AsyncByteStream)
        tee = _Tee(call, resp.status_code, _headers(resp))
        return httpx.Response(resp.status_code, headers=resp.headers, stream=_AsyncTeeStream(resp.stream, tee), request=request, extensions=resp.extensions)

    async def aclose(self) -> None:
        await self._inner.aclose()


def http_client(transport: httpx.BaseTransport | None = None, **kwargs: Any) -> httpx.Client:
    """An httpx.Client recording model calls (kwargs go to httpx.Client)."""
    return httpx.Client(transport=TraceforkTransport(transport), **kwargs)


def async_http_client(transport: httpx.AsyncBaseTransport | None = None, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx.AsyncClient recording model calls (kwargs go to httpx.AsyncClient)."""
    return httpx.AsyncClient(transport=AsyncTraceforkTransport(transport), **kwargs)


def _wrap_client(client: Any) -> Any:
    inner = getattr(client, "_client", None)
    new_http: httpx.Client | httpx.AsyncClient = async_http_client() if isinstance(inner, httpx.AsyncClient) else http_client()
    return client.with_options(http_client=new_http)


def wrap_openai(client: Any) -> Any:
    """The same OpenAI client (sync or async) with a recording HTTP client: `client.with_options(http_client=...)`."""
    return _wrap_client(client)


def wrap_anthropic(client: Any) -> Any:
    """The same Anthropic client (sync or async) with a recording HTTP client."""
    return _wrap_client(client)
