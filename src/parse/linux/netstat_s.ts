/**
 * Linux net-tools `netstat -s`: the /proc/net/snmp and /proc/net/netstat counters written out as
 * sentences. Each sentence net-tools prints is mapped back to the kernel's counter name
 * (`"428 segments retransmited"` → `Tcp.RetransSegs`); lines already in `Name: value` form keep
 * their name; a sentence not in the table is kept under its section with a name derived from its
 * words, so nothing is dropped.
 */
import type { Counters } from "../../model.ts";
import { cannotRead, counterGroup, own, parseCounter, type Parsed, splitLines } from "../text.ts";
import { dict } from "../../util/record.ts";

/** net-tools sentences (number replaced by `#`, lower case, no final dot) → kernel names. */
const SENTENCES: Record<string, Record<string, string>> = {
  Ip: {
    "default ttl is #": "DefaultTTL",
    "# total packets received": "InReceives",
    "# with invalid headers": "InHdrErrors",
    "# with invalid addresses": "InAddrErrors",
    "# forwarded": "ForwDatagrams",
    "# with unknown protocol": "InUnknownProtos",
    "# incoming packets discarded": "InDiscards",
    "# incoming packets delivered": "InDelivers",
    "# requests sent out": "OutRequests",
    "# outgoing packets dropped": "OutDiscards",
    "# dropped because of missing route": "OutNoRoutes",
    "# fragments dropped after timeout": "ReasmTimeout",
    "# reassemblies required": "ReasmReqds",
    "# packets reassembled ok": "ReasmOKs",
    "# packet reassembles failed": "ReasmFails",
    "# fragments received ok": "FragOKs",
    "# fragments failed": "FragFails",
    "# fragments created": "FragCreates",
  },
  Icmp: {
    "# icmp messages received": "InMsgs",
    "# input icmp message failed": "InErrors",
    "# icmp messages sent": "OutMsgs",
    "# icmp messages failed": "OutErrors",
  },
  Tcp: {
    "# active connections openings": "ActiveOpens",
    "# active connection openings": "ActiveOpens",
    "# passive connection openings": "PassiveOpens",
    "# failed connection attempts": "AttemptFails",
    "# connection resets received": "EstabResets",
    "# connections established": "CurrEstab",
    "# segments received": "InSegs",
    "# segments send out": "OutSegs",
    "# segments sent out": "OutSegs",
    "# segments retransmited": "RetransSegs",
    "# segments retransmitted": "RetransSegs",
    "# bad segments received": "InErrs",
    "# resets sent": "OutRsts",
  },
  Udp: {
    "# packets received": "InDatagrams",
    "# packets to unknown port received": "NoPorts",
    "# packet receive errors": "InErrors",
    "# packets sent": "OutDatagrams",
    "# receive buffer errors": "RcvbufErrors",
    "# send buffer errors": "SndbufErrors",
  },
  TcpExt: {
    "# syn cookies sent": "SyncookiesSent",
    "# syn cookies received": "SyncookiesRecv",
    "# invalid syn cookies received": "SyncookiesFailed",
    "# resets received for embryonic syn_recv sockets": "EmbryonicRsts",
    "# packets pruned from receive queue because of socket buffer overrun": "PruneCalled",
    "# packets pruned from receive queue": "RcvPruned",
    "# packets dropped from out-of-order queue because of socket buffer overrun": "OfoPruned",
    "# icmp packets dropped because they were out-of-window": "OutOfWindowIcmps",
    "# icmp packets dropped because socket was locked": "LockDroppedIcmps",
    "# tcp sockets finished time wait in fast timer": "TW",
    "# time wait sockets recycled by time stamp": "TWRecycled",
    "# tcp sockets finished time wait in slow timer": "TWKilled",
    "# passive connections rejected because of time stamp": "PAWSPassive",
    "# active connections rejected because of time stamp": "PAWSActive",
    "# packets rejects in established connections because of timestamp": "PAWSEstab",
    "# delayed acks sent": "DelayedACKs",
    "# delayed acks further delayed because of locked socket": "DelayedACKLocked",
    "quick ack mode was activated # times": "DelayedACKLost",
    "# times the listen queue of a socket overflowed": "ListenOverflows",
    "# syns to listen sockets dropped": "ListenDrops",
    "# syns to listen sockets ignored": "ListenDrops",
    "# packets directly queued to recvmsg prequeue": "TCPPrequeued",
    "# bytes directly in process context from backlog": "TCPDirectCopyFromBacklog",
    "# bytes directly received in process context from prequeue": "TCPDirectCopyFromPrequeue",
    "# packets dropped from prequeue": "TCPPrequeueDropped",
    "# packet headers predicted": "TCPHPHits",
    "# packets header predicted and directly queued to user": "TCPHPHitsToUser",
    "# acknowledgments not containing data payload received": "TCPPureAcks",
    "# acknowledgments not containing data received": "TCPPureAcks",
    "# predicted acknowledgments": "TCPHPAcks",
    "# times recovered from packet loss due to fast retransmit": "TCPRenoRecovery",
    "# times recovered from packet loss by selective acknowledgements": "TCPSackRecovery",
    "# bad sack blocks received": "TCPSACKReneging",
    "# congestion windows fully recovered without slow start": "TCPFullUndo",
    "# congestion windows partially recovered using hoe heuristic": "TCPPartialUndo",
    "# congestion windows recovered without slow start by dsack": "TCPDSACKUndo",
    "# congestion windows recovered without slow start after partial ack": "TCPLossUndo",
    "# tcp data loss events": "TCPLoss",
    "# retransmits lost": "TCPLostRetransmit",
    "# timeouts after reno fast retransmit": "TCPRenoRecoveryFail",
    "# timeouts after sack recovery": "TCPSackRecoveryFail",
    "# timeouts in loss state": "TCPLossFailures",
    "# fast retransmits": "TCPFastRetrans",
    "# forward retransmits": "TCPForwardRetrans",
    "# retransmits in slow start": "TCPSlowStartRetrans",
    "# other tcp timeouts": "TCPTimeouts",
    "# sack retransmits failed": "TCPSackFailures",
    "# times receiver scheduled too late for direct processing": "TCPSchedulerFailed",
    "# packets collapsed in receive queue due to low socket buffer": "TCPRcvCollapsed",
    "# dsacks sent for old packets": "TCPDSACKOldSent",
    "# dsacks sent for out of order packets": "TCPDSACKOfoSent",
    "# dsacks received": "TCPDSACKRecv",
    "# dsacks for out of order packets received": "TCPDSACKOfoRecv",
    "# connections reset due to unexpected syn": "TCPAbortOnSyn",
    "# connections reset due to unexpected data": "TCPAbortOnData",
    "# connections reset due to early user close": "TCPAbortOnClose",
    "# connections aborted due to memory pressure": "TCPAbortOnMemory",
    "# connections aborted due to timeout": "TCPAbortOnTimeout",
    "# connections aborted after user close in linger timeout": "TCPAbortOnLinger",
    "# times unable to send rst due to no memory": "TCPAbortFailed",
    "# times unabled to send rst due to no memory": "TCPAbortFailed",
    "# packets pruned from out-of-order queue": "OfoPruned",
  },
};

/** ICMP histogram entries → the kernel's type names (In/Out is added from the histogram). */
const ICMP_TYPES: Record<string, string> = {
  "destination unreachable": "DestUnreachs",
  "timeout in transit": "TimeExcds",
  "wrong parameters": "ParmProbs",
  "source quenches": "SrcQuenchs",
  "redirects": "Redirects",
  "echo requests": "Echos",
  "echo request": "Echos",
  "echo replies": "EchoReps",
  "echo reply": "EchoReps",
  "timestamp request": "Timestamps",
  "timestamp requests": "Timestamps",
  "timestamp reply": "TimestampReps",
  "timestamp replies": "TimestampReps",
  "address mask request": "AddrMasks",
  "address mask replies": "AddrMaskReps",
};

/** A counter name made from a sentence's words: "packets to foo" → "PacketsToFoo". */
function derivedName(sentence: string): string {
  return sentence
    .replace(/#/g, " ")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

/** Parses Linux `netstat -s` text into counters grouped as the kernel names them. */
export function parseLinuxNetstatS(
  text: string,
  source = "netstat -s",
): Parsed<Counters> {
  const counters: Counters = dict();
  const warnings: string[] = [];
  let group: string | undefined;
  let histogram: "In" | "Out" | undefined;
  const put = (name: string, value: bigint) => {
    const g = counterGroup(counters, group!);
    g[name] = value;
  };
  splitLines(text).forEach((raw, idx) => {
    const line = raw.trim().replace(/\s+/g, " ");
    if (line === "") return;
    const section = /^([A-Za-z][A-Za-z0-9]*):$/.exec(line);
    if (section && (!/^\s/.test(raw) || group === undefined)) {
      group = section[1]!;
      histogram = undefined;
      counterGroup(counters, group);
      return;
    }
    if (group === undefined) {
      warnings.push(cannotRead(source, idx + 1, "netstat -s line (before any section)", raw));
      return;
    }
    if (/^ICMP input histogram:$/i.test(line)) return void (histogram = "In");
    if (/^ICMP output histogram:$/i.test(line)) return void (histogram = "Out");
    // "Name: 12" — already the kernel's name (TcpExt, IpExt, IcmpMsg) or a histogram entry.
    const named = /^([^:]+): (-?[0-9]+)$/.exec(line);
    if (named) {
      const label = named[1]!, value = parseCounter(named[2]);
      if (value === undefined) {
        return void warnings.push(cannotRead(source, idx + 1, "counter (beyond 64 bits)", raw));
      }
      if (histogram !== undefined) {
        const type = own(ICMP_TYPES, label.toLowerCase());
        return put(histogram + (type ?? derivedName(label)), value);
      }
      return put(/^[A-Za-z][A-Za-z0-9_]*$/.test(label) ? label : derivedName(label), value);
    }
    const num = /(?:^|\s)(-?[0-9]+)(?:\s|$)/.exec(line);
    if (!num) {
      warnings.push(cannotRead(source, idx + 1, "netstat -s line", raw));
      return;
    }
    const sentence = line.replace(/(^|\s)-?[0-9]+(?=\s|$)/, "$1#").replace(/\.$/, "")
      .toLowerCase();
    const table = own(SENTENCES, group);
    const name = (table && own(table, sentence)) ?? derivedName(sentence);
    if (name === "") {
      warnings.push(cannotRead(source, idx + 1, "netstat -s line", raw));
      return;
    }
    const value = parseCounter(num[1]);
    if (value === undefined) {
      return void warnings.push(cannotRead(source, idx + 1, "counter (beyond 64 bits)", raw));
    }
    put(name, value);
  });
  // An empty section (UdpLite: with nothing under it) says nothing; leave it out.
  for (const g of Object.keys(counters)) {
    if (Object.keys(counters[g]!).length === 0) delete counters[g];
  }
  return { value: counters, warnings };
}
