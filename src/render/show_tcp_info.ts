/**
 * What ss prints about a TCP socket beyond its addresses: the `-o` timer
 * (`timer:(keepalive,119min,0)`) and the `-i` TCP info line (`ss -ti`), from the snapshot's
 * `timer` and `tcpInfo`.
 */
import type { SocketTimer, TcpInfo } from "../model.ts";

/**
 * A time in ms as ss prints a timer's expiry: `119min`, `1min12sec`, `59sec`, `200ms`, `0`;
 * minutes above 9 drop the seconds, seconds above 9 drop the milliseconds.
 * @example
 * ```ts
 * import { timerTime } from "./show_tcp_info.ts";
 * timerTime(7_140_000); // "119min"
 * timerTime(1_500); // "1sec500ms"
 * ```
 */
export function timerTime(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  let secs = Math.floor(ms / 1000) % 60;
  let msecs = ms % 1000;
  let out = "";
  if (minutes > 0) {
    msecs = 0;
    out += `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs > 0) {
    if (secs > 9) msecs = 0;
    out += `${secs}sec`;
  }
  if (msecs > 0) out += `${msecs}ms`;
  return out === "" ? "0" : out;
}

/** A socket's timer as ss -o prints it: `keepalive,119min,0` (name, expiry, retransmissions). */
export function timerText(t: SocketTimer): string {
  return `${t.name},${timerTime(t.expiresMs)},${t.retrans}`;
}

const ms = (us: number) => (us / 1000).toFixed(3).replace(/\.?0+$/, "");

/**
 * The TCP info of a session as `ss -ti` prints it (the fields the snapshot has): congestion
 * control, `rto`, `rtt:rtt/rttvar` in ms, `mss`, `cwnd`, `ssthresh`, bytes and segments,
 * `lastsnd/lastrcv/lastack`, `pmtu`, `unacked`, `retrans:in-flight/total`, `lost`,
 * `delivery_rate`.
 */
export function tcpInfoText(i: TcpInfo): string {
  const parts: string[] = [];
  const add = (name: string, v: number | bigint | string | undefined, unit = "") => {
    if (v !== undefined) parts.push(`${name}:${v}${unit}`);
  };
  if (i.congestion !== undefined) parts.push(i.congestion);
  if (i.rto !== undefined) add("rto", ms(i.rto));
  parts.push(`rtt:${ms(i.rtt)}/${ms(i.rttvar)}`);
  if (i.ato !== undefined) add("ato", ms(i.ato));
  add("mss", i.sndMss);
  add("pmtu", i.pmtu);
  add("rcvmss", i.rcvMss);
  add("advmss", i.advmss);
  add("cwnd", i.sndCwnd);
  if (i.sndSsthresh !== undefined && i.sndSsthresh < 0x7fffffff) add("ssthresh", i.sndSsthresh);
  add("bytes_sent", i.bytesSent);
  add("bytes_retrans", i.bytesRetrans);
  add("bytes_acked", i.bytesAcked);
  add("bytes_received", i.bytesReceived);
  add("segs_out", i.segsOut);
  add("segs_in", i.segsIn);
  add("data_segs_out", i.dataSegsOut);
  add("data_segs_in", i.dataSegsIn);
  add("lastsnd", i.lastDataSent);
  add("lastrcv", i.lastDataRecv);
  add("lastack", i.lastAckRecv);
  if (i.deliveryRate !== undefined) add("delivery_rate", `${i.deliveryRate * 8n}bps`);
  add("unacked", i.unacked || undefined);
  parts.push(`retrans:${i.retrans}/${i.totalRetrans}`);
  if (i.lost > 0) parts.push(`lost:${i.lost}`);
  add("minrtt", i.minRtt === undefined ? undefined : ms(i.minRtt));
  return parts.join(" ");
}
