"""Python's real OpenTelemetry OTLP/gRPC exporters (traces and logs, plain and gzip) against the built
CLI's receiver (`tracefork serve --grpc-port N`), read back with `tracefork show --json`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.grpc.exporter import Compression
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from support import cli, start_serve_grpc


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    s, port = start_serve_grpc(str(tmp_path_factory.mktemp("grpc") / "traces.db"))
    assert s.grpc_url == f"http://127.0.0.1:{port}", "serve prints listening on grpc://127.0.0.1:PORT"
    yield s.grpc_url, s.db
    s.stop()


def wait_for_steps(db: str, trace_id: str, count: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 5
    while True:
        try:
            steps: list[dict[str, object]] = json.loads(cli("show", trace_id, "--db", db, "--json"))["steps"]
            if len(steps) == count:
                return steps
        except AssertionError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"trace {trace_id} did not arrive with {count} steps")
        time.sleep(0.05)


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip])
def test_traces_and_logs_over_grpc(serve: tuple[str, str], compression: Compression) -> None:
    endpoint, db = serve
    resource = Resource.create({"service.name": f"py-grpc-{compression.name}"})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=endpoint, insecure=True, compression=compression)))
    logs = LoggerProvider(resource=resource)
    logs.add_log_record_processor(SimpleLogRecordProcessor(OTLPLogExporter(endpoint=endpoint, insecure=True, compression=compression)))
    tracer = provider.get_tracer("py-grpc-test")
    with tracer.start_as_current_span("invoke_agent py-agent", attributes={"gen_ai.operation.name": "invoke_agent"}) as root:
        with tracer.start_as_current_span(
            "chat mock-model", attributes={"gen_ai.operation.name": "chat", "gen_ai.request.model": "mock-model", "gen_ai.usage.input_tokens": 11, "gen_ai.usage.output_tokens": 4}
        ):
            logs.get_logger("py-grpc-test").emit(event_name="gen_ai.evaluation.result", body="relevance", attributes={"gen_ai.evaluation.name": "relevance", "gen_ai.evaluation.score.value": 0.5})
        with tracer.start_as_current_span("execute_tool lookup", attributes={"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup"}):
            pass
    provider.force_flush()
    logs.force_flush()
    trace_id = format(root.get_span_context().trace_id, "032x")
    steps = wait_for_steps(db, trace_id, 3)
    assert [s["kind"] for s in steps] == ["agent", "llm", "tool"]
    llm = steps[1]
    assert (llm["model"], llm["inputTokens"], llm["outputTokens"]) == ("mock-model", 11, 4)
    deadline = time.monotonic() + 5
    while not any(e.get("source") == "log" for e in wait_for_steps(db, trace_id, 3)[1]["events"]):  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the log record did not reach its span"
        time.sleep(0.05)
    provider.shutdown()
    logs.shutdown()
