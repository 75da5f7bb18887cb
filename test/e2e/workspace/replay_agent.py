"""A Python agent recorded with the Tracefork SDK, for fork & replay in the end-to-end tests: the
openai client (through Tracefork's httpx client) asks a mock model, served in this process, which
asks for the weather of Paris; the weather service fails for Paris. Forking at the failing tool
call with another city makes the run succeed.
    python replay_agent.py"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import tracefork

registration = tracefork.register(service_name="py-replay-agent")

from openai import OpenAI  # noqa: E402

TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
]


class MockModel(BaseHTTPRequestHandler):
    """An OpenAI chat completions endpoint: a get_weather call for Paris, then text quoting the result."""

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        results = [m["content"] for m in body["messages"] if m.get("role") == "tool"]
        call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": json.dumps({"city": "Paris"})}}
        message = {"role": "assistant", "content": f"Forecast: {results[-1]}"} if results else {"role": "assistant", "content": None, "tool_calls": [call]}
        reply = {
            "id": "chatcmpl-mock",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop" if results else "tool_calls"}],
            "usage": {"prompt_tokens": 30, "completion_tokens": 9, "total_tokens": 39},
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


@tracefork.tool("get_weather")
def get_weather(city: str) -> dict[str, Any]:
    if city == "Paris":
        raise RuntimeError(f"weather service unavailable for {city}")
    return {"city": city, "temperatureC": 21}


@tracefork.step("py-weather-agent")
def ask(client: OpenAI, question: str) -> str:
    messages: list[Any] = [{"role": "user", "content": question}]
    for _ in range(3):
        answer = client.chat.completions.create(model="mock-model", messages=messages, tools=TOOLS).choices[0].message
        if not answer.tool_calls:
            return answer.content or ""
        messages.append(answer.model_dump(exclude_none=True))
        for call in answer.tool_calls:
            try:
                result = json.dumps(get_weather(**json.loads(call.function.arguments)))
            except RuntimeError as e:
                result = f"error: {e}"
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    return ""


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), MockModel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = OpenAI(base_url=f"http://127.0.0.1:{server.server_address[1]}/v1", api_key="sk-test", http_client=tracefork.http_client())
    print(ask(client, "What is the weather in Paris?"))
    registration.shutdown()
    server.shutdown()
