#!/bin/sh
# An agent in plain shell and curl: no client library, no SDK, no tracing. Two model calls through
# OPENAI_BASE_URL (which `tracefork run` points at the proxy): one that asks for the weather tool,
# then the answer, streamed (curl -N, server-sent events as they arrive) with the tool's result.
# Writes each call's HTTP status and body beside $ANSWER_FILE: .1.status/.1.json and .2.status/.2.sse.
set -eu
TOOL_RESULT="${AGENT_TOOL_RESULT:-sunny, 21C}"
TOOLS='[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]'
curl -sS -o "$ANSWER_FILE.1.json" -w '%{http_code}' -X POST "$OPENAI_BASE_URL/chat/completions" \
  -H "Authorization: Bearer $OPENAI_API_KEY" -H 'Content-Type: application/json' \
  -d "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}],\"tools\":$TOOLS}" > "$ANSWER_FILE.1.status"
[ "$(cat "$ANSWER_FILE.1.status")" = 200 ] || exit 0
curl -sS -N -o "$ANSWER_FILE.2.sse" -w '%{http_code}' -X POST "$OPENAI_BASE_URL/chat/completions" \
  -H "Authorization: Bearer $OPENAI_API_KEY" -H 'Content-Type: application/json' \
  -d "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"$TOOL_RESULT\"}],\"tools\":$TOOLS}" > "$ANSWER_FILE.2.status"
