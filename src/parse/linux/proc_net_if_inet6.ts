/**
 * /proc/net/if_inet6: one IPv6 address per line — 32 hex digits, interface index, prefix length,
 * scope and flags (hex), then the interface name.
 */
import type { InterfaceAddress } from "../../model.ts";
import { formatIPv6Groups } from "../../net/address.ts";
import { cannotRead, type Parsed, readAt, splitLines } from "../text.ts";

/** One address of /proc/net/if_inet6 with the interface it belongs to. */
export interface IfInet6Entry {
  name: string;
  index: number;
  address: InterfaceAddress;
}

/** The kernel's IPv6 scope values (IPV6_ADDR_SCOPE_*) by name. */
const SCOPES: Record<number, string> = { 0: "global", 0x10: "host", 0x20: "link", 0x40: "site" };

/** Parses /proc/net/if_inet6 into addresses with their interface name and index. */
export function parseProcNetIfInet6(
  text: string,
  source = "/proc/net/if_inet6",
): Parsed<IfInet6Entry[]> {
  const entries: IfInet6Entry[] = [];
  const warnings: string[] = [];
  splitLines(text).forEach((line, i) => {
    if (line.trim() === "") return;
    const m =
      /^([0-9a-fA-F]{32})\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]{2})\s+([0-9a-fA-F]{2})\s+[0-9a-fA-F]+\s+(\S+)\s*$/
        .exec(line);
    const prefix = m ? parseInt(m[3]!, 16) : NaN;
    if (!m || prefix > 128) {
      warnings.push(cannotRead(source, i + 1, "if_inet6 line", line));
      return;
    }
    const hex = m[1]!;
    const groups = Array.from({ length: 8 }, (_, k) => parseInt(hex.slice(k * 4, k * 4 + 4), 16));
    const address: InterfaceAddress = {
      family: "inet6",
      address: formatIPv6Groups(groups),
      prefixLength: prefix,
    };
    const scope = Object.hasOwn(SCOPES, parseInt(m[4]!, 16))
      ? SCOPES[parseInt(m[4]!, 16)]
      : undefined;
    if (scope) address.scope = scope;
    entries.push(readAt({ name: m[5]!, index: parseInt(m[2]!, 16), address }, i + 1));
  });
  return { value: entries, warnings };
}
