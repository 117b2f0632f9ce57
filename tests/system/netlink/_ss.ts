/**
 * `ss` output read for the netlink cross-checks: one line per socket (the tests run ss with -O),
 * columns first, then the `key:value` and bare-word fields `-p -e -i -o` add. Continuation lines
 * (packet sockets' `ver:` details) are skipped.
 */

/** One socket as ss printed it. */
export interface SsSocket {
  netid?: string;
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  peer: string;
  /** For UNIX sockets: the inode in the "Port" column and the peer's. */
  localPort?: string;
  peerPort?: string;
  /** key:value fields (ino, sk, v6only, rtt, cwnd, bytes_acked …), and `send`, `pacing_rate`. */
  fields: Map<string, string>;
  /** Bare words (ts, sack, bbr, app_limited …). */
  words: Set<string>;
  /** Pids in users:((…)). */
  pids: number[];
  /** timer:(name,expires,retrans). */
  timer?: { name: string; expires: string; retrans: number };
}

/** Fields written as a key and a value in two words. */
const TWO_WORD = new Set(["send", "pacing_rate", "delivery_rate"]);

/**
 * Parses ss lines. `netid` when the output has a Netid column (-x, -0, or several kinds);
 * `unix` when Local and Peer are each two columns (path, inode).
 */
export function parseSsLines(text: string, netid: boolean, unix = false): SsSocket[] {
  const out: SsSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    if (line.trim() === "" || /^\s/.test(line)) continue;
    const t = line.trim().split(/\s+/);
    let i = 0;
    const s: SsSocket = {
      state: "",
      recvQ: 0,
      sendQ: 0,
      local: "",
      peer: "",
      fields: new Map(),
      words: new Set(),
      pids: [],
    };
    if (netid) s.netid = t[i++]!;
    s.state = t[i++]!;
    s.recvQ = Number(t[i++]);
    s.sendQ = Number(t[i++]);
    s.local = t[i++]!;
    if (unix) s.localPort = t[i++]!;
    s.peer = t[i++]!;
    if (unix) s.peerPort = t[i++]!;
    for (; i < t.length; i++) {
      const w = t[i]!;
      if (w.startsWith("users:(")) {
        for (const m of w.matchAll(/pid=(\d+)/g)) s.pids.push(Number(m[1]));
      } else if (w.startsWith("timer:(")) {
        const [name, expires, retrans] = w.slice(7, -1).split(",");
        s.timer = { name: name!, expires: expires!, retrans: Number(retrans) };
      } else if (TWO_WORD.has(w)) {
        s.fields.set(w, t[++i]!);
      } else if (w.includes(":") && !w.startsWith("<")) {
        const at = w.indexOf(":");
        s.fields.set(w.slice(0, at), w.slice(at + 1));
      } else s.words.add(w);
    }
    out.push(s);
  }
  return out;
}

/** ss's state words for the kernel's state names. */
const SS_STATES: Record<string, string> = {
  ESTABLISHED: "ESTAB",
  SYN_SENT: "SYN-SENT",
  SYN_RECV: "SYN-RECV",
  NEW_SYN_RECV: "SYN-RECV",
  FIN_WAIT1: "FIN-WAIT-1",
  FIN_WAIT2: "FIN-WAIT-2",
  TIME_WAIT: "TIME-WAIT",
  CLOSE_WAIT: "CLOSE-WAIT",
  LAST_ACK: "LAST-ACK",
};

/** The state as ss writes it. */
export function ssState(state: string): string {
  return SS_STATES[state] ?? state;
}

/**
 * An inet endpoint as ss writes it with -n: IPv6 in brackets, a dual-stack wildcard as `*`, the
 * bound device after `%`, port 0 as `*`.
 */
export function ssEndpoint(
  family: "inet" | "inet6",
  address: string,
  port: number,
  v6only: boolean | undefined,
  device: string | undefined,
): string {
  const host = family === "inet" ? address : !v6only && address === "::" ? "*" : `[${address}]`;
  return `${host}${device ? `%${device}` : ""}:${port === 0 ? "*" : port}`;
}

/** Milliseconds of an ss timer value ("58sec", "119min", "204ms", "1min30sec"). */
export function ssTimerMs(text: string): number {
  let ms = 0;
  for (const m of text.matchAll(/([0-9.]+)(ms|sec|min)/g)) {
    const v = Number(m[1]);
    ms += m[2] === "ms" ? v : m[2] === "sec" ? v * 1000 : v * 60_000;
  }
  return ms;
}
