/**
 * `struct tcp_info` (linux/tcp.h), as INET_DIAG_INFO carries it for a TCP socket: decoded by byte
 * offset. The struct only ever grows at its end, so an older kernel sends a shorter one (its
 * missing fields stay absent, never zero) and a newer one a longer one (the extra bytes are
 * ignored). Layout known up to Linux 6.18 (280 bytes, with the AccECN counters).
 *
 * Units as the kernel gives them: times in microseconds (µs) unless a field says ms, windows and
 * thresholds in segments unless it says bytes, rates in bytes per second. 64-bit fields are
 * `bigint`: they are counters that may pass 2^53.
 */

/** Decoded tcp_info. Fields after `totalRetrans` (byte 104) exist only on newer kernels. */
export interface TcpInfo {
  /** Kernel TCP state number (1 ESTABLISHED … 10 LISTEN); the socket record names it. */
  state: number;
  /** Congestion-avoidance state: 0 Open, 1 Disorder, 2 CWR, 3 Recovery, 4 Loss. */
  caState: number;
  /** Retransmissions of the segment at the head of the queue that timed out (0 when fine). */
  retransmits: number;
  /** Unanswered zero-window probes (or keepalive probes). */
  probes: number;
  /** Exponential backoff of the retransmission timer. */
  backoff: number;
  /** Negotiated options bitmask: 1 timestamps, 2 SACK, 4 window scaling, 8 ECN, 16 ECN seen, 32 SYN data, 64 µs timestamps. */
  options: number;
  /** Send window scale (valid when options has 4). */
  sndWscale: number;
  /** Receive window scale (valid when options has 4). */
  rcvWscale: number;
  /** True when the last delivery-rate sample was limited by the application. */
  deliveryRateAppLimited: boolean;
  /** TCP Fast Open client failure reason (0 none). */
  fastopenClientFail: number;
  /** Retransmission timeout, µs. */
  rto: number;
  /** Delayed-ACK timeout, µs. */
  ato: number;
  /** Send MSS, bytes. */
  sndMss: number;
  /** Receive MSS estimate, bytes. */
  rcvMss: number;
  /** Segments sent and not yet acknowledged (packets in flight + lost). */
  unacked: number;
  /** Segments SACKed by the peer. */
  sacked: number;
  /** Segments the sender considers lost right now. */
  lost: number;
  /** Segments retransmitted and not yet acknowledged ("retransmits in flight"). */
  retrans: number;
  /** Obsolete FACK count (0 on modern kernels). */
  fackets: number;
  /** Time since the last data was sent, ms. */
  lastDataSent: number;
  /** Time since the last ACK was sent, ms (the kernel does not track it: always 0). */
  lastAckSent: number;
  /** Time since the last data was received, ms. */
  lastDataRecv: number;
  /** Time since the last ACK was received, ms. */
  lastAckRecv: number;
  /** Path MTU, bytes. */
  pmtu: number;
  /** Receive slow-start threshold (window clamp), bytes. */
  rcvSsthresh: number;
  /** Smoothed round-trip time, µs. */
  rtt: number;
  /** Round-trip time variation, µs. */
  rttvar: number;
  /** Slow-start threshold, segments (≥ 0x7fffffff: not set, "infinite"). */
  sndSsthresh: number;
  /** Congestion window, segments. */
  sndCwnd: number;
  /** Advertised MSS, bytes. */
  advmss: number;
  /** Reordering degree the sender tolerates, segments. */
  reordering: number;
  /** Receiver-side RTT estimate, µs. */
  rcvRtt: number;
  /** Receive buffer space the autotuning aims at, bytes. */
  rcvSpace: number;
  /** Segments retransmitted over the connection's life. */
  totalRetrans: number;
  /** Pacing rate, bytes/s (2^64-1: unlimited). */
  pacingRate?: bigint;
  /** Maximum pacing rate (SO_MAX_PACING_RATE), bytes/s (2^64-1: unlimited). */
  maxPacingRate?: bigint;
  /** Bytes acknowledged by the peer (RFC 4898 HCThruOctetsAcked). */
  bytesAcked?: bigint;
  /** Bytes received in order (RFC 4898 HCThruOctetsReceived). */
  bytesReceived?: bigint;
  /** Segments sent, retransmissions included. */
  segsOut?: number;
  /** Segments received. */
  segsIn?: number;
  /** Bytes written by the application and not yet sent. */
  notsentBytes?: number;
  /** Minimum RTT seen, µs (2^32-1: none yet). */
  minRtt?: number;
  /** Segments received that carried data. */
  dataSegsIn?: number;
  /** Segments sent that carried data. */
  dataSegsOut?: number;
  /** Latest delivery-rate sample, bytes/s. */
  deliveryRate?: bigint;
  /** Time busy sending data, µs. */
  busyTime?: bigint;
  /** Time limited by the peer's receive window, µs. */
  rwndLimited?: bigint;
  /** Time limited by the send buffer, µs. */
  sndbufLimited?: bigint;
  /** Segments delivered (acknowledged), retransmissions included. */
  delivered?: number;
  /** Of those, delivered with an ECN CE mark. */
  deliveredCe?: number;
  /** Bytes sent, retransmissions included (RFC 4898 HCDataOctetsOut). */
  bytesSent?: bigint;
  /** Bytes retransmitted (RFC 4898 OctetsRetrans). */
  bytesRetrans?: bigint;
  /** Duplicate segments the peer reported with D-SACK. */
  dsackDups?: number;
  /** Reordering events seen. */
  reordSeen?: number;
  /** Out-of-order segments received. */
  rcvOoopack?: number;
  /** The peer's advertised receive window, bytes (scaled). */
  sndWnd?: number;
  /** Our advertised receive window, bytes (scaled). */
  rcvWnd?: number;
  /** Path rehash attempts (PLB or timeouts). */
  rehash?: number;
  /** RTO timeouts, SYN and repeated ones included. */
  totalRto?: number;
  /** RTO recoveries, an unfinished one included. */
  totalRtoRecoveries?: number;
  /** Time spent in RTO recoveries, ms. */
  totalRtoTime?: number;
  /** CE-marked segments received (AccECN). */
  receivedCe?: number;
  /** AccECN byte counters: delivered ECT(1), ECT(0) and CE bytes. */
  deliveredE1Bytes?: number;
  deliveredE0Bytes?: number;
  deliveredCeBytes?: number;
  /** AccECN byte counters: received ECT(1), ECT(0) and CE bytes. */
  receivedE1Bytes?: number;
  receivedE0Bytes?: number;
  receivedCeBytes?: number;
  /** AccECN failure mode bits. */
  accecnFailMode?: number;
  /** AccECN option seen state. */
  accecnOptSeen?: number;
}

/** The shortest tcp_info worth decoding: the Linux 2.6 struct, up to totalRetrans. */
export const TCP_INFO_MIN = 104;
/** The longest layout this decoder knows (Linux 6.18). */
export const TCP_INFO_KNOWN = 280;

/** Where each optional field ends: it is present when the kernel's struct reaches that far. */
const OPTIONAL_END: ReadonlyArray<[keyof TcpInfo, number]> = [
  ["pacingRate", 112],
  ["maxPacingRate", 120],
  ["bytesAcked", 128],
  ["bytesReceived", 136],
  ["segsOut", 140],
  ["segsIn", 144],
  ["notsentBytes", 148],
  ["minRtt", 152],
  ["dataSegsIn", 156],
  ["dataSegsOut", 160],
  ["deliveryRate", 168],
  ["busyTime", 176],
  ["rwndLimited", 184],
  ["sndbufLimited", 192],
  ["delivered", 196],
  ["deliveredCe", 200],
  ["bytesSent", 208],
  ["bytesRetrans", 216],
  ["dsackDups", 220],
  ["reordSeen", 224],
  ["rcvOoopack", 228],
  ["sndWnd", 232],
  ["rcvWnd", 236],
  ["rehash", 240],
  ["totalRto", 242],
  ["totalRtoRecoveries", 244],
  ["totalRtoTime", 248],
  ["receivedCe", 252],
  ["deliveredE1Bytes", 256],
  ["deliveredE0Bytes", 260],
  ["deliveredCeBytes", 264],
  ["receivedE1Bytes", 268],
  ["receivedE0Bytes", 272],
  ["receivedCeBytes", 276],
  ["accecnFailMode", 278],
  ["accecnOptSeen", 280],
];

const scratch = new DataView(new ArrayBuffer(TCP_INFO_KNOWN));

/**
 * Decodes `length` bytes of tcp_info at `at`; undefined when shorter than the oldest struct.
 *
 * @example
 * ```ts
 * import { decodeTcpInfo } from "./tcp_info.ts";
 * const info = decodeTcpInfo(new DataView(new ArrayBuffer(280)), 0, 280);
 * info?.rtt; // µs
 * ```
 */
export function decodeTcpInfo(view: DataView, at: number, length: number): TcpInfo | undefined {
  if (length < TCP_INFO_MIN) return undefined;
  if (length >= TCP_INFO_KNOWN) return decodeFull(view, at);
  // An older kernel's shorter struct: decode a zero-padded copy, then drop what it lacks.
  for (let i = 0; i < TCP_INFO_KNOWN; i++) {
    scratch.setUint8(i, i < length ? view.getUint8(at + i) : 0);
  }
  const info = decodeFull(scratch, 0);
  for (const [key, end] of OPTIONAL_END) if (end > length) delete info[key];
  return info;
}

/** Every field of the known layout, in one object literal (one shape for every socket). */
function decodeFull(v: DataView, at: number): TcpInfo {
  const u32 = (o: number) => v.getUint32(at + o, true);
  const u64 = (o: number) => v.getBigUint64(at + o, true);
  const u16 = (o: number) => v.getUint16(at + o, true);
  const wscale = v.getUint8(at + 6), bits = v.getUint8(at + 7);
  return {
    state: v.getUint8(at),
    caState: v.getUint8(at + 1),
    retransmits: v.getUint8(at + 2),
    probes: v.getUint8(at + 3),
    backoff: v.getUint8(at + 4),
    options: v.getUint8(at + 5),
    sndWscale: wscale & 15,
    rcvWscale: wscale >> 4,
    deliveryRateAppLimited: (bits & 1) === 1,
    fastopenClientFail: (bits >> 1) & 3,
    rto: u32(8),
    ato: u32(12),
    sndMss: u32(16),
    rcvMss: u32(20),
    unacked: u32(24),
    sacked: u32(28),
    lost: u32(32),
    retrans: u32(36),
    fackets: u32(40),
    lastDataSent: u32(44),
    lastAckSent: u32(48),
    lastDataRecv: u32(52),
    lastAckRecv: u32(56),
    pmtu: u32(60),
    rcvSsthresh: u32(64),
    rtt: u32(68),
    rttvar: u32(72),
    sndSsthresh: u32(76),
    sndCwnd: u32(80),
    advmss: u32(84),
    reordering: u32(88),
    rcvRtt: u32(92),
    rcvSpace: u32(96),
    totalRetrans: u32(100),
    pacingRate: u64(104),
    maxPacingRate: u64(112),
    bytesAcked: u64(120),
    bytesReceived: u64(128),
    segsOut: u32(136),
    segsIn: u32(140),
    notsentBytes: u32(144),
    minRtt: u32(148),
    dataSegsIn: u32(152),
    dataSegsOut: u32(156),
    deliveryRate: u64(160),
    busyTime: u64(168),
    rwndLimited: u64(176),
    sndbufLimited: u64(184),
    delivered: u32(192),
    deliveredCe: u32(196),
    bytesSent: u64(200),
    bytesRetrans: u64(208),
    dsackDups: u32(216),
    reordSeen: u32(220),
    rcvOoopack: u32(224),
    sndWnd: u32(228),
    rcvWnd: u32(232),
    rehash: u32(236),
    totalRto: u16(240),
    totalRtoRecoveries: u16(242),
    totalRtoTime: u32(244),
    receivedCe: u32(248),
    deliveredE1Bytes: u32(252),
    deliveredE0Bytes: u32(256),
    deliveredCeBytes: u32(260),
    receivedE1Bytes: u32(264),
    receivedE0Bytes: u32(268),
    receivedCeBytes: u32(272),
    accecnFailMode: u16(276),
    accecnOptSeen: u16(278),
  };
}

/**
 * The few tcp_info fields every snapshot keeps for each TCP connection (what the diff needs for
 * per-peer health: retransmissions, loss, RTT moves). The rest of TcpInfo comes with --tcp-info.
 */
export interface TcpInfoSummary {
  /** Smoothed round-trip time, µs. */
  rtt: number;
  /** Round-trip time variation, µs. */
  rttvar: number;
  /** Segments retransmitted and not yet acknowledged (retransmits in flight). */
  retrans: number;
  /** Segments retransmitted over the connection's life. */
  totalRetrans: number;
  /** Segments considered lost right now. */
  lost: number;
}

/** Decodes only the summary fields of a tcp_info at `at`; undefined when too short. */
export function decodeTcpInfoSummary(
  view: DataView,
  at: number,
  length: number,
): TcpInfoSummary | undefined {
  if (length < TCP_INFO_MIN) return undefined;
  return {
    rtt: view.getUint32(at + 68, true),
    rttvar: view.getUint32(at + 72, true),
    retrans: view.getUint32(at + 36, true),
    totalRetrans: view.getUint32(at + 100, true),
    lost: view.getUint32(at + 32, true),
  };
}

/** The summary of a full tcp_info (the same fields decodeTcpInfoSummary reads). */
export function summarizeTcpInfo(info: TcpInfo): TcpInfoSummary {
  return {
    rtt: info.rtt,
    rttvar: info.rttvar,
    retrans: info.retrans,
    totalRetrans: info.totalRetrans,
    lost: info.lost,
  };
}

/** Names of the congestion-avoidance states, by number. */
export const TCP_CA_STATES: readonly string[] = ["Open", "Disorder", "CWR", "Recovery", "Loss"];

/** Names of the negotiated-option bits, as `ss -i` prints them. */
export function tcpOptionNames(options: number): string[] {
  const out: string[] = [];
  if (options & 1) out.push("ts");
  if (options & 2) out.push("sack");
  if (options & 4) out.push("wscale");
  if (options & 8) out.push("ecn");
  if (options & 16) out.push("ecnseen");
  if (options & 32) out.push("fastopen");
  if (options & 64) out.push("usec_ts");
  return out;
}
