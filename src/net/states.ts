/**
 * Socket state names, in one place for the parsers, the views and the tests. nsnap writes the
 * names Linux's netstat prints (`SYN_RECV`, `FIN_WAIT1`, `CLOSE`); every other spelling a tool
 * prints or a user types (ss's `SYN-RECV` and `ESTAB`, BSD netstat's and lsof's `SYN_RCVD`,
 * `FIN_WAIT_1` and `CLOSED`) is read through `canonicalState()`, so a state means one thing
 * whichever host or tool it came from.
 */

/** The classic TCP states every netstat prints, in the kernel's order (ESTABLISHED is 1). */
export const TCP_STATES = [
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
] as const;

/** TCP states indexed by the kernel's number (include/net/tcp_states.h); 0 is not a state. */
export const KERNEL_TCP_STATES: readonly string[] = ["UNKNOWN", ...TCP_STATES, "NEW_SYN_RECV"];

/** Every state name nsnap writes: the TCP states, NEW_SYN_RECV, and UDP's UNCONN. */
export const SOCKET_STATES = [...TCP_STATES, "NEW_SYN_RECV", "UNCONN"] as const;

/** A state nsnap writes, or `UNKNOWN` where the source printed none it could name. */
const NAMES: ReadonlySet<string> = new Set([...SOCKET_STATES, "UNKNOWN"]);

/** Other spellings (upper case, `-` as `_`) by the name nsnap writes. */
const SPELLINGS: Readonly<Record<string, string>> = {
  ESTAB: "ESTABLISHED", // ss
  SYN_RCVD: "SYN_RECV", // BSD netstat, lsof
  SYN_RECEIVED: "SYN_RECV",
  FIN_WAIT_1: "FIN_WAIT1", // BSD netstat, lsof; ss prints FIN-WAIT-1
  FIN_WAIT_2: "FIN_WAIT2",
  CLOSED: "CLOSE", // BSD netstat, lsof
  LISTENING: "LISTEN", // what people type after years of Windows netstat
};

/**
 * nsnap's name for a socket state as any tool prints it or a user types it, in any case and with
 * `-` or `_`; undefined when it is no socket state.
 *
 * @example
 * ```ts
 * import { canonicalState } from "./states.ts";
 * canonicalState("SYN_RCVD"); // "SYN_RECV" (macOS, FreeBSD)
 * canonicalState("syn-recv"); // "SYN_RECV" (ss, or a user)
 * canonicalState("open"); // undefined
 * ```
 */
export function canonicalState(text: string): string | undefined {
  const up = text.trim().toUpperCase().replaceAll("-", "_");
  const name = Object.hasOwn(SPELLINGS, up) ? SPELLINGS[up]! : up;
  return NAMES.has(name) ? name : undefined;
}
