/** Socket state names, netstat style, in one place for the parsers, the views and the tests. */

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
