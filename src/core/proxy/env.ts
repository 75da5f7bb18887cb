/**
 * The environment that points an agent at the receiver for one run: its traces (OTLP), its model
 * clients (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, with the run's token in the path), its MCP clients
 * (TRACEFORK_MCP_BASE_URL/<server name>) and `tracefork mcp-proxy` (TRACEFORK_RUN, TRACEFORK_RECEIVER). Shared by `tracefork run`, replays
 * of proxy-recorded runs and the extension's *Run Agent with Tracefork…*.
 */

/** Variables `tracefork mcp-proxy` reads. */
export const RUN_ENV = 'TRACEFORK_RUN';
export const RECEIVER_ENV = 'TRACEFORK_RECEIVER';

/** The base URLs of a run's proxies on a receiver. */
export function proxyBaseUrls(receiverUrl: string, token: string | null): { openai: string; anthropic: string; mcp: string } {
  const base = `${receiverUrl.replace(/\/+$/, '')}/proxy${token ? `/run/${token}` : ''}`;
  return { openai: `${base}/openai/v1`, anthropic: `${base}/anthropic`, mcp: `${base}/mcp` };
}

/** The variables to start the agent with. */
export function proxyEnv(receiverUrl: string, token: string): Record<string, string> {
  const urls = proxyBaseUrls(receiverUrl, token);
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
    OPENAI_BASE_URL: urls.openai,
    ANTHROPIC_BASE_URL: urls.anthropic,
    TRACEFORK_MCP_BASE_URL: urls.mcp,
    [RUN_ENV]: token,
    [RECEIVER_ENV]: receiverUrl,
  };
}
