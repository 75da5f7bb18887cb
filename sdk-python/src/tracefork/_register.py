"""`register()`: OTLP export to the running Tracefork (OTEL_EXPORTER_OTLP_ENDPOINT and
OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf to http://127.0.0.1:4318 by default, grpc to :4317 when
asked), a global tracer provider, call sites on every span, and the replay marks under a plan."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from ._processors import CallSiteProcessor, ReplayLinkProcessor
from ._runtime import runtime
from ._spans import FrameworkSpans


@dataclass
class Registration:
    """What register() set up."""

    provider: TracerProvider
    exporter: SpanExporter
    protocol: str
    endpoint: str

    def shutdown(self) -> None:
        """Flushes every pending span and stops exporting (call before the process exits)."""
        self.provider.force_flush()
        self.provider.shutdown()


_registered: list[Registration] = []


def _exporter(protocol: str, endpoint: str) -> SpanExporter:
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        target = endpoint.split("://", 1)[-1]
        return GrpcExporter(endpoint=target, insecure=not endpoint.startswith("https://"))
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

    return HttpExporter(endpoint=f"{endpoint}/v1/traces")


def export_settings(endpoint: str | None = None, protocol: str | None = None) -> tuple[str, str]:
    """(protocol, base endpoint) from the arguments, else the OTEL_EXPORTER_OTLP_* variables."""
    proto = (protocol or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf").strip().lower()
    if proto not in ("grpc", "http/protobuf"):
        sys.stderr.write(f"[tracefork] OTLP protocol {proto!r} is not supported here; using http/protobuf\n")
        proto = "http/protobuf"
    default = "http://127.0.0.1:4317" if proto == "grpc" else "http://127.0.0.1:4318"
    base = (endpoint or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or default).rstrip("/")
    return proto, base


def register(endpoint: str | None = None, service_name: str | None = None, protocol: str | None = None) -> Registration:
    """Sets up export to Tracefork with call sites; idempotent per process (later calls return the first set-up)."""
    if _registered:
        return _registered[0]
    proto, base = export_settings(endpoint, protocol)
    script = os.path.splitext(os.path.basename(sys.argv[0]))[0] if sys.argv and sys.argv[0] else ""
    name = service_name or os.environ.get("OTEL_SERVICE_NAME") or script or "agent"
    provider = TracerProvider(resource=Resource.create({"service.name": name, "telemetry.sdk.name.tracefork": "tracefork-sdk-python"}))
    exporter = _exporter(proto, base)
    framework = FrameworkSpans()
    provider.add_span_processor(CallSiteProcessor())
    provider.add_span_processor(ReplayLinkProcessor(lambda: runtime().replayer))
    provider.add_span_processor(framework)
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=200))
    trace.set_tracer_provider(provider)
    runtime().framework = framework  # also reads the plan now, so a bad plan fails at start-up
    reg = Registration(provider, exporter, proto, base)
    _registered.append(reg)
    return reg
