// MCP tools through the proxy, the way a user meets them in the real VS Code: the workspace names
// an MCP server (tracefork.proxy.mcpServers) and an Anthropic gateway (tracefork.proxy.anthropicUpstream,
// which the Anthropic route then calls), and asks to be asked about the echo tool before a fork
// (tracefork.replay.tools: ask); "Run Agent with Tracefork…" runs an agent with no SDK whose MCP
// client goes through the proxy route; the run's tool calls are steps; Fork & Replay… at get-sum
// with edited arguments: the editor preselects nothing for echo and refuses to launch until the
// user chooses, then, with echo live, both calls reach the real server (the reference "everything"
// server from npm, behind a relay that counts what reaches it), get-sum with the edit.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { frameWith } from './uiHelpers.mjs';

export const timeout = 240_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json
const RELAY = 14401;

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, workspace, screenshot, runCommand }) {
  await page
    .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
    .first()
    .waitFor({ state: 'visible', timeout: 30_000 });
  const repo = path.resolve(import.meta.dirname, '../../..');
  const serverPort = await freePort();
  const server = spawn(process.execPath, [path.join(repo, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'streamableHttp'], {
    env: { ...process.env, PORT: String(serverPort) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  /** @type {Array<{ name: string, arguments: any }>} */
  const toolCalls = [];
  const relay = http.createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        const msg = JSON.parse(body.toString('utf8'));
        if (msg?.method === 'tools/call') toolCalls.push({ name: msg.params.name, arguments: msg.params.arguments });
      } catch {
        // not JSON: relayed as it is
      }
      const up = http.request({ host: '127.0.0.1', port: serverPort, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  // A stand-in for an Anthropic-compatible gateway, named in tracefork.proxy.anthropicUpstream.
  /** @type {Array<{ path: string | undefined, key: string | string[] | undefined }>} */
  const gateway = [];
  const anthropic = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      gateway.push({ path: req.url, key: req.headers['x-api-key'] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-x',
          content: [{ type: 'text', text: 'hi from the gateway' }],
          stop_reason: 'end_turn',
          usage: { input_tokens: 3, output_tokens: 4 },
        }),
      );
    });
  });
  const settings = path.join(workspace, '.vscode', 'settings.json');
  const original = fs.readFileSync(settings, 'utf8');
  try {
    await new Promise((resolve, reject) => {
      let err = '';
      server.stderr.on('data', (b) => ((err += b), /listening on port/.test(err) && resolve(undefined)));
      server.once('exit', (c) => reject(new Error(`the everything server exited ${c}: ${err}`)));
    });
    await new Promise((resolve) => relay.listen(RELAY, '127.0.0.1', () => resolve(undefined)));
    await new Promise((resolve) => anthropic.listen(0, '127.0.0.1', () => resolve(undefined)));
    const gatewayUrl = `http://127.0.0.1:${/** @type {net.AddressInfo} */ (anthropic.address()).port}`;
    fs.writeFileSync(
      settings,
      JSON.stringify({
        ...JSON.parse(original),
        'tracefork.proxy.mcpServers': { everything: `http://127.0.0.1:${RELAY}/mcp` },
        'tracefork.replay.tools': { echo: 'ask' },
        'tracefork.proxy.anthropicUpstream': gatewayUrl,
      }),
    );
    // The receiver takes the setting: its MCP route answers for "everything".
    for (let i = 0; ; i++) {
      const r = await fetch(`http://127.0.0.1:${PORT}/proxy/mcp/everything`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }).catch(() => null);
      if (r && r.status !== 404) break;
      assert.ok(i < 100, 'the receiver never took tracefork.proxy.mcpServers');
      await new Promise((r) => setTimeout(r, 100));
    }

    // The Anthropic route goes to the gateway of the setting, the agent's key with it.
    const viaGateway = await fetch(`http://127.0.0.1:${PORT}/proxy/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-e2e-gateway', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-x', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(viaGateway.status, 200);
    assert.match(await viaGateway.text(), /hi from the gateway/);
    assert.deepEqual(gateway, [{ path: '/v1/messages', key: 'sk-ant-e2e-gateway' }], 'tracefork.proxy.anthropicUpstream took the call');

    await runCommand('Tracefork: Run Agent with Tracefork…');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('"${TRACEFORK_E2E_NODE:-node}" mcp-agent.mjs');
    await input.press('Enter');

    const trace = await frameWith(page, '[role="treeitem"][data-loaded="true"]', 60_000);
    const sum = trace.locator('[role="treeitem"][data-loaded="true"]', { hasText: 'execute_tool get-sum' });
    await sum.first().waitFor({ state: 'visible', timeout: 30_000 });
    await trace.locator('[role="treeitem"][data-loaded="true"]', { hasText: 'execute_tool echo' }).first().waitFor({ timeout: 10_000 });
    assert.deepEqual(
      toolCalls.map((c) => c.name),
      ['echo', 'get-sum'],
      'the agent reached the server through the proxy',
    );
    await sum.first().click();
    await trace.locator('button[data-action="fork"]').click();

    const editor = await frameWith(page, '.fork-editor');
    const a = editor.locator('textarea[data-field="a"]');
    await a.waitFor({ timeout: 15_000 });
    await a.fill('40');
    const echoPolicy = editor.locator('select#tool-echo');
    assert.equal(await echoPolicy.inputValue(), 'ask', 'nothing is chosen for a tool whose policy is ask');
    await screenshot('mcp-fork-editor-ask');
    await editor.locator('button[data-action="launch"]').click();
    await editor.locator('.errors', { hasText: 'tool echo: choose whether to replay its recorded result or run it live' }).waitFor({ timeout: 10_000 });
    assert.equal(toolCalls.length, 2, 'nothing was launched without a choice');

    await echoPolicy.selectOption('live');
    await editor.locator('button[data-action="launch"]').click();
    await editor.locator('.fork-status', { hasText: 'Replayed as run' }).waitFor({ timeout: 90_000 });
    const made = toolCalls.slice(2);
    assert.deepEqual(
      made.map((c) => c.name),
      ['echo', 'get-sum'],
      'echo ran live as chosen, and the fork went to the server',
    );
    assert.deepEqual(made[1].arguments, { a: 40, b: 3 }, 'with the edited arguments');
    const first = page.locator('.pane-body .monaco-list-row', { hasText: 'first divergence' });
    await first.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await first.innerText(), /get-sum/);
    await screenshot('mcp-comparison');
  } finally {
    fs.writeFileSync(settings, original);
    server.kill();
    relay.closeAllConnections();
    relay.close();
    anthropic.closeAllConnections();
    anthropic.close();
    await runCommand('View: Close All Editor Groups').catch(() => {});
  }
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = /** @type {net.AddressInfo} */ (srv.address()).port;
      srv.close(() => resolve(port));
    });
  });
}
