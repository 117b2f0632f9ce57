/**
 * docker-proxy's command line (/proc/[pid]/cmdline): Docker's userland proxy, one process per
 * published port and host address, started as
 * `docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 8080 -container-ip 172.17.0.2 -container-port 80`.
 * Its listener on the host is the published end of a container's port, so the arguments say
 * which container address a host listener leads to.
 */
import { canonicalAddress, parseIPv4, parseIPv6 } from "../../net/address.ts";

/** What one docker-proxy forwards. */
export interface ProxyForward {
  protocol: "tcp" | "udp" | "sctp";
  hostAddress: string;
  hostPort: number;
  toAddress: string;
  toPort: number;
}

function flag(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `-${name}` || a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`-${name}=`)) return a.slice(name.length + 2);
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

function address(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return parseIPv4(text) !== undefined || parseIPv6(text) !== undefined
    ? canonicalAddress(text)
    : undefined;
}

function port(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * Reads docker-proxy's argv (the executable first); undefined when it is not a docker-proxy or
 * lacks one of the five arguments.
 *
 * @example
 * ```ts
 * import { parseDockerProxyArgs } from "./docker_proxy_cmdline.ts";
 * parseDockerProxyArgs(["/usr/sbin/docker-proxy", "-proto", "tcp", "-host-ip", "0.0.0.0",
 *   "-host-port", "8080", "-container-ip", "172.17.0.2", "-container-port", "80"])?.toPort; // 80
 * ```
 */
export function parseDockerProxyArgs(argv: readonly string[]): ProxyForward | undefined {
  if (!/(^|\/)docker-proxy$/.test(argv[0] ?? "")) return undefined;
  const protocol = flag(argv, "proto") ?? "tcp";
  if (protocol !== "tcp" && protocol !== "udp" && protocol !== "sctp") return undefined;
  const hostAddress = address(flag(argv, "host-ip"));
  const hostPort = port(flag(argv, "host-port"));
  const toAddress = address(flag(argv, "container-ip"));
  const toPort = port(flag(argv, "container-port"));
  if (!hostAddress || !hostPort || !toAddress || !toPort) return undefined;
  return { protocol, hostAddress, hostPort, toAddress, toPort };
}
