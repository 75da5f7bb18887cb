"""A script with no Tracefork code at all: the openai client on the SDK's httpx client is the only
hint, as in `python -m tracefork.auto plain_openai.py`. Prints the answer as JSON."""

import json
import os

import openai

import tracefork

client = openai.OpenAI(base_url=os.environ["MOCK_OPENAI_URL"], api_key="sk-test-secret", http_client=tracefork.http_client())
first = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
second = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "again"}])
print(json.dumps({"answer": second.choices[0].message.content}))
