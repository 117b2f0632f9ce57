#!/usr/bin/python3
"""A socket holder for the netlink tests, run inside a test's network namespace.

    sockets.py [--ttl SECONDS] SPEC...

Each SPEC is a kind and comma-separated key=value options:

    tcp-listen,addr=A,port=P[,backlog=N][,dev=IF][,scope=IF][,mark=N][,v6only=0|1][,pending=K]
        a TCP listener; `pending` clients connect to it and are never accepted; `scope` binds
        an IPv6 link-local address on that interface (its scope id, no SO_BINDTODEVICE);
        `mark` sets SO_MARK
    tcp-pair,addr=A,port=P[,unread=BYTES][,keepalive=1]
        a listener, one accepted connection and its client; the client sends `unread` bytes
        that the server side never reads (so its Recv-Q is that many); keepalive on the client
    tcp-timewait,addr=A,port=P
        a connection closed by the client first: the client side stays in TIME_WAIT
    udp,addr=A,port=P[,dev=IF]
    unix-stream,path=P | unix-dgram,path=P | unix-seqpacket,path=P
        a UNIX socket bound to P (P starting with @ is abstract); stream and seqpacket listen
    unix-pair
        a connected socketpair (no names)
    packet[,proto=0x0003][,dev=IF]
        an AF_PACKET SOCK_RAW socket (ETH_P_ALL by default), bound to IF when given
    raw-icmp | raw-icmp6
        a SOCK_RAW IPPROTO_ICMP / IPPROTO_ICMPV6 socket

Prints one line of JSON when every socket is up, {"ready": true, "pid": PID}, then holds them
until the TTL (default 60 s) runs out or it is killed: it always ends by itself.
"""
import json
import os
import socket
import sys
import time

SO_BINDTODEVICE = 25
SO_MARK = 36


def options(spec):
    kind, _, rest = spec.partition(",")
    opts = dict(kv.split("=", 1) for kv in rest.split(",") if kv)
    return kind, opts


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def bind_device(sock, opts):
    if "dev" in opts:
        sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, opts["dev"].encode())


def unix_address(path):
    return "\0" + path[1:] if path.startswith("@") else path


held = []


def tcp_listen(opts):
    fam = family_of(opts["addr"])
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6 and "v6only" in opts:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(opts["v6only"]))
    bind_device(s, opts)
    if "mark" in opts:
        s.setsockopt(socket.SOL_SOCKET, SO_MARK, int(opts["mark"]))
    if "scope" in opts:
        s.bind((opts["addr"], int(opts["port"]), 0, socket.if_nametoindex(opts["scope"])))
    else:
        s.bind((opts["addr"], int(opts["port"])))
    s.listen(int(opts.get("backlog", "128")))
    held.append(s)
    target = "127.0.0.1" if fam == socket.AF_INET else "::1"
    if opts["addr"] not in ("0.0.0.0", "::"):
        target = opts["addr"]
    for _ in range(int(opts.get("pending", "0"))):
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.connect((target, int(opts["port"])))
        held.append(c)


def connected(opts):
    """A listener on addr:port, a client connected to it, and the accepted server side."""
    fam = family_of(opts["addr"])
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((opts["addr"], int(opts["port"])))
    s.listen(8)
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.connect((opts["addr"], int(opts["port"])))
    a, _ = s.accept()
    return s, c, a


def tcp_pair(opts):
    s, c, a = connected(opts)
    unread = int(opts.get("unread", "0"))
    if unread:
        c.sendall(b"x" * unread)
    if opts.get("keepalive") == "1":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    held.extend([s, c, a])


def tcp_timewait(opts):
    s, c, a = connected(opts)
    c.close()
    a.recv(1)  # the FIN
    a.close()
    held.append(s)


def udp(opts):
    s = socket.socket(family_of(opts["addr"]), socket.SOCK_DGRAM)
    bind_device(s, opts)
    s.bind((opts["addr"], int(opts["port"])))
    held.append(s)


def unix(kind, opts):
    types = {
        "unix-stream": socket.SOCK_STREAM,
        "unix-dgram": socket.SOCK_DGRAM,
        "unix-seqpacket": socket.SOCK_SEQPACKET,
    }
    s = socket.socket(socket.AF_UNIX, types[kind])
    path = opts["path"]
    if not path.startswith("@"):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    s.bind(unix_address(path))
    if kind != "unix-dgram":
        s.listen(int(opts.get("backlog", "16")))
    held.append(s)


def packet(opts):
    proto = int(opts.get("proto", "0x0003"), 16)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    if "dev" in opts:
        s.bind((opts["dev"], proto))
    held.append(s)


def raw(kind):
    if kind == "raw-icmp":
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    else:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    held.append(s)


def main(argv):
    ttl = 60.0
    specs = []
    i = 0
    while i < len(argv):
        if argv[i] == "--ttl":
            ttl = float(argv[i + 1])
            i += 2
        else:
            specs.append(argv[i])
            i += 1
    for spec in specs:
        kind, opts = options(spec)
        if kind == "tcp-listen":
            tcp_listen(opts)
        elif kind == "tcp-pair":
            tcp_pair(opts)
        elif kind == "tcp-timewait":
            tcp_timewait(opts)
        elif kind == "udp":
            udp(opts)
        elif kind in ("unix-stream", "unix-dgram", "unix-seqpacket"):
            unix(kind, opts)
        elif kind == "unix-pair":
            held.extend(socket.socketpair())
        elif kind == "packet":
            packet(opts)
        elif kind in ("raw-icmp", "raw-icmp6"):
            raw(kind)
        else:
            raise SystemExit("unknown socket kind " + kind)
    print(json.dumps({"ready": True, "pid": os.getpid()}), flush=True)
    time.sleep(ttl)


main(sys.argv[1:])
