// An agent with no Tracefork SDK and no tracing: the openai client reading OPENAI_BASE_URL, as
// "Run Agent with Tracefork…" sets it (the same agent as the CLI's proxy tests).
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

await import(pathToFileURL(path.join(process.env.TRACEFORK_E2E_REPO, 'test/clients/proxyAgent.mjs')).href);
