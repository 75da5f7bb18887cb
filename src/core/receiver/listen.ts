/** Listening on both loopbacks (127.0.0.1 and ::1) with one port, for the HTTP and the gRPC receiver alike. */

/** Codes that mean "this machine has no such address" (no IPv6): the other loopback still serves. */
const NO_ADDRESS = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EINVAL']);

/**
 * Binds `hosts[0]` on `port` (errors propagate: EADDRINUSE means the port is taken), then the other
 * hosts on the port it got. A later host that cannot be bound is reported through `warn`, not thrown:
 * the first listener serves whatever happens to the second. Returns the bound port.
 */
export async function listenBothLoopbacks(
  hosts: string[],
  port: number,
  bind: (host: string, port: number) => Promise<number>,
  warn: (message: string) => void,
): Promise<number> {
  const bound = await bind(hosts[0], port);
  for (const host of hosts.slice(1)) {
    try {
      await bind(host, bound);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (!NO_ADDRESS.has(code))
        warn(
          `also listening on ${host}:${bound} failed (${code || (e as Error).message}); clients that resolve localhost to ${host} will not reach this receiver`,
        );
    }
  }
  return bound;
}
