/** The proxy's command-line options (serve, run, replay), checked. */
import type { ProxyOptions } from '../core/proxy/routes';
import { UsageError } from './args';

/** `--upstream-openai URL --upstream-anthropic URL --mcp NAME=URL...` as proxy options (checked). */
export function proxyOptions(values: { 'upstream-openai'?: string; 'upstream-anthropic'?: string; mcp?: string[] }): ProxyOptions {
  const url = (flag: string, v: string) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new UsageError(`${flag} must be an http(s) URL, got "${v}"`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${flag} must be an http(s) URL, got "${v}"`);
    return v;
  };
  const mcpServers: Record<string, string> = {};
  for (const spec of values.mcp ?? []) {
    const i = spec.indexOf('=');
    if (i <= 0 || !/^[A-Za-z0-9_.-]+$/.test(spec.slice(0, i))) throw new UsageError(`--mcp takes NAME=URL (NAME of letters, digits, _ . -), got "${spec}"`);
    mcpServers[spec.slice(0, i)] = url('--mcp', spec.slice(i + 1));
  }
  return {
    upstream: {
      ...(values['upstream-openai'] ? { openai: url('--upstream-openai', values['upstream-openai']) } : {}),
      ...(values['upstream-anthropic'] ? { anthropic: url('--upstream-anthropic', values['upstream-anthropic']) } : {}),
    },
    mcpServers,
    onLog: (line) => process.stderr.write(`tracefork: ${line}\n`),
  };
}

/** The serve/run options of the proxy. */
export const proxyFlags = {
  'upstream-openai': { type: 'string' as const },
  'upstream-anthropic': { type: 'string' as const },
  mcp: { type: 'string' as const, multiple: true as const },
};
