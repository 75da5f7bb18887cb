"""httpx transports that record model API calls and serve them in a replay. They wrap another
transport (the default one unless given), so any client that takes an httpx client records:
openai.OpenAI(http_client=...), anthropic.Anthropic(http_client=...), LangChain's ChatOpenAI.

Both `httpx` and `httpx2` (its API-identical successor, which openai>=3 and anthropic>=2 use) are
supported: `transports(module)` makes the transport classes for either.

A JSON answer is recorded whole; server-sent events pass through as they arrive and are recorded
when the stream ends. Both are recorded as {status, headers, body} and served back byte for byte.
"""

from __future__ import annotations

import codecs
import functools
import importlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from ._json import to_tagged
from ._jsontext import dumps
from ._models import ModelApi, describe, describes_call, model_api
from ._runtime import Attrs, Call, CallInfo

_DROP = {"content-encoding", "content-length", "transfer-encoding"}


def _match(request: Any, body: bytes) -> tuple[ModelApi, dict[str, Any]] | None:
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
    attrs: Attrs = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": api.provider, "gen_ai.request.model": model}
    return CallInfo("llm", model, api.adapter, body, f"chat {model}", attrs, lambda out: describe(api, body, out), adopt=lambda span: describes_call(span, model))


def _send(mod: Any, request: Any, call: Call) -> Any:
    """The request to send: the fork's edited body when it is the fork, and no compression (the body is recorded as text)."""
    headers = mod.Headers(request.headers)
    headers["accept-encoding"] = "identity"
    content = request.content
    if call.decision.kind == "fork":
        content = dumps(to_tagged(call.input)).encode("utf-8")
        headers.pop("content-length", None)
    return mod.Request(request.method, request.url, headers=headers, content=content, extensions=request.extensions)


def _served(mod: Any, rec: Any, request: Any) -> Any:
    r = rec if isinstance(rec, dict) else {}
    return mod.Response(int(r.get("status", 200)), headers=r.get("headers") or {}, content=str(r.get("body", "")).encode("utf-8"), request=request)


def _headers(resp: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in resp.headers.items() if k.lower() not in _DROP}


def _is_stream(resp: Any) -> bool:
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


def _record_whole(call: Call, mod: Any, resp: Any, body: bytes, request: Any) -> Any:
    headers = _headers(resp)
    call.finish({"status": resp.status_code, "headers": headers, "body": body.decode("utf-8", "replace")})
    return mod.Response(resp.status_code, headers=headers, content=body, request=request, extensions=resp.extensions)


class _Exchange:
    """One request through a recording transport, the part the sync and async transports share:
    serving it from the recording, the request to send, and the tee that records a stream."""

    def __init__(self, mod: Any, request: Any, body: bytes) -> None:
        self.mod, self.request = mod, request
        m = _match(request, body)
        self.call = Call(_info(*m)) if m else None

    def served(self) -> Any:
        """The recorded answer when the recording serves this call, else None."""
        assert self.call is not None
        if not self.call.served:
            return None
        rec = self.call.recorded_output()
        self.call.finish(rec)
        return _served(self.mod, rec, self.request)

    def outgoing(self) -> Any:
        assert self.call is not None
        return _send(self.mod, self.request, self.call)

    def tee(self, resp: Any) -> _Tee:
        assert self.call is not None
        return _Tee(self.call, resp.status_code, _headers(resp))


@functools.cache
def transports(mod: Any) -> tuple[type[Any], type[Any]]:
    """The (sync, async) recording transport classes for an httpx-compatible module (`httpx`, `httpx2`)."""

    class SyncTee(mod.SyncByteStream):  # type: ignore[misc]
        def __init__(self, inner: Any, tee: _Tee) -> None:
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

    class AsyncTee(mod.AsyncByteStream):  # type: ignore[misc]
        def __init__(self, inner: Any, tee: _Tee) -> None:
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

    class Transport(mod.BaseTransport):  # type: ignore[misc]
        """Records (and in a replay serves) model API calls; other requests go to the wrapped transport."""

        def __init__(self, transport: Any = None) -> None:
            self._inner = transport or mod.HTTPTransport()

        def handle_request(self, request: Any) -> Any:
            x = _Exchange(mod, request, request.read())
            if x.call is None:
                return self._inner.handle_request(request)
            with x.call.active():
                try:
                    served = x.served()
                    if served is not None:
                        return served
                    resp = self._inner.handle_request(x.outgoing())
                    if not _is_stream(resp):
                        body = resp.read()
                        resp.close()
                        return _record_whole(x.call, mod, resp, body, request)
                except BaseException as e:
                    x.call.fail(e)
                    raise
            return mod.Response(resp.status_code, headers=resp.headers, stream=SyncTee(resp.stream, x.tee(resp)), request=request, extensions=resp.extensions)

        def close(self) -> None:
            self._inner.close()

    class AsyncTransport(mod.AsyncBaseTransport):  # type: ignore[misc]
        """The async twin of the sync transport."""

        def __init__(self, transport: Any = None) -> None:
            self._inner = transport or mod.AsyncHTTPTransport()

        async def handle_async_request(self, request: Any) -> Any:
            x = _Exchange(mod, request, await request.aread())
            if x.call is None:
                return await self._inner.handle_async_request(request)
            with x.call.active():
                try:
                    served = x.served()
                    if served is not None:
                        return served
                    resp = await self._inner.handle_async_request(x.outgoing())
                    if not _is_stream(resp):
                        body = await resp.aread()
                        await resp.aclose()
                        return _record_whole(x.call, mod, resp, body, request)
                except BaseException as e:
                    x.call.fail(e)
                    raise
            return mod.Response(resp.status_code, headers=resp.headers, stream=AsyncTee(resp.stream, x.tee(resp)), request=request, extensions=resp.extensions)

        async def aclose(self) -> None:
            await self._inner.aclose()

    Transport.__name__ = Transport.__qualname__ = "TraceforkTransport"
    AsyncTransport.__name__ = AsyncTransport.__qualname__ = "AsyncTraceforkTransport"
    return Transport, AsyncTransport


TraceforkTransport, AsyncTraceforkTransport = transports(httpx)


def default_module() -> Any:
    """`httpx2` when it is installed (what openai>=3 and anthropic>=2 are built on), else `httpx`."""
    try:
        import httpx2  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return httpx
    return httpx2


def _library(obj: Any) -> Any:
    """The httpx-compatible library an object's class comes from (`httpx` or `httpx2`), looking
    through subclasses (openai's and anthropic's client wrappers subclass the library's client)."""
    for cls in type(obj).__mro__:
        root = cls.__module__.partition(".")[0]
        if root in ("httpx", "httpx2"):
            return importlib.import_module(root)
    return default_module()


def _module_of(transport: Any, module: Any) -> Any:
    if module is not None:
        return module
    return _library(transport) if transport is not None else default_module()


def http_client(transport: Any = None, *, module: Any = None, **kwargs: Any) -> Any:
    """A sync httpx client recording model calls (kwargs go to the client). Its library is `module`
    when given (`httpx` or `httpx2`), else the transport's, else `httpx2` when installed, else `httpx`."""
    mod = _module_of(transport, module)
    return mod.Client(transport=transports(mod)[0](transport), **kwargs)


def async_http_client(transport: Any = None, *, module: Any = None, **kwargs: Any) -> Any:
    """The async twin of http_client()."""
    mod = _module_of(transport, module)
    return mod.AsyncClient(transport=transports(mod)[1](transport), **kwargs)


def _wrap_client(client: Any) -> Any:
    """The client with a recording HTTP client of the same library and kind (sync or async) as its own."""
    inner = getattr(client, "_client", None)
    mod = _library(inner) if inner is not None else default_module()
    asynchronous = isinstance(inner, mod.AsyncClient) if inner is not None else False
    return client.with_options(http_client=async_http_client(module=mod) if asynchronous else http_client(module=mod))


def wrap_openai(client: Any) -> Any:
    """The same OpenAI client (sync or async) with a recording HTTP client: `client.with_options(http_client=...)`."""
    return _wrap_client(client)


def wrap_anthropic(client: Any) -> Any:
    """The same Anthropic client (sync or async) with a recording HTTP client."""
    return _wrap_client(client)
