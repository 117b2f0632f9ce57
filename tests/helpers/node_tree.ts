/**
 * A fixture tree shaped like a Kubernetes node with Docker beside it, for captures under `--root`
 * (no cluster runs here). The layouts are the documented ones — the kubelet's cgroup paths in both
 * drivers (systemd: `kubepods-<qos>-pod<uid_>.slice/cri-containerd-<id>.scope`; cgroupfs:
 * `/kubepods/<qos>/pod<uid>/<id>`), /var/log/pods/<ns>_<pod>_<uid>/<container>/,
 * /var/log/containers/<pod>_<ns>_<container>-<id>.log, containerd's task bundles with the CRI
 * annotations, Docker's config.v2.json and hostconfig.json (a real file of this host's
 * docker.io, renamed) — and each namespace's /proc/<pid>/net files hold its own sockets.
 *
 * | namespace (inode)            | what is in it                                                  |
 * | ---------------------------- | -------------------------------------------------------------- |
 * | host (4026531833)            | systemd 1, kubelet 10, host-network pod kube-proxy 20 (:10249)  |
 * | pod shop/web-0 (…300)        | pause 300, nginx 301 (0.0.0.0:80), envoy 302 (127.0.0.1:15000)  |
 * | pod kube-system/coredns (…400) | coredns 400 (tcp and udp 0.0.0.0:53), cgroupfs layout        |
 * | docker:api (…800)            | api 800 (0.0.0.0:8443), published on host 0.0.0.0:8443         |
 * | netns:blue (…500)            | nc 500 (0.0.0.0:7000)                                          |
 * | inode:4026532600             | a daemon 600 in no container and no named namespace (:7100)     |
 * | netns:empty (…700)           | nothing runs in it                                             |
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const HOST_INODE = 4026531833;
export const UID = {
  web: "7c0ffee0-1111-4a2b-8c3d-000000000001",
  coredns: "7c0ffee0-2222-4a2b-8c3d-000000000002",
  proxy: "7c0ffee0-3333-4a2b-8c3d-000000000003",
};
const hex = (c: string) => c.repeat(64);
export const CID = {
  pause: hex("1"),
  nginx: hex("2"),
  envoy: hex("3"),
  coredns: hex("4"),
  proxy: hex("5"),
  api: hex("6"),
};

function put(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function link(root: string, path: string, target: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  symlinkSync(target, join(root, path));
}

/** An IPv4 address and port as /proc/net/tcp writes them (little-endian hex). */
function procAddress(address: string, port: number): string {
  const b = address.split(".").map(Number);
  const h = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");
  return `${h(b[3]!)}${h(b[2]!)}${h(b[1]!)}${h(b[0]!)}:${
    port.toString(16).toUpperCase().padStart(4, "0")
  }`;
}

/** A listener in a namespace: its protocol, address, port and socket inode. */
interface Sock {
  protocol: "tcp" | "udp";
  address: string;
  port: number;
  inode: number;
}

function procNetFile(socks: Sock[]): string {
  const header =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
  return header +
    socks.map((s, i) =>
      `   ${i}: ${procAddress(s.address, s.port)} 00000000:0000 ${
        s.protocol === "tcp" ? "0A" : "07"
      } 00000000:00000000 00:00000000 00000000     0        0 ${s.inode} 1 0000000000000000 100 0 0 10 0\n`
    ).join("");
}

const DEV = "Inter-|   Receive                                                |  Transmit\n" +
  " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";

function devLine(name: string, rx: number): string {
  return `${name.padStart(6)}: ${rx} 10 0 0 0 0 0 0 ${rx} 10 0 0 0 0 0 0\n`;
}

const UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n";

/** Writes one namespace's /proc/<pid>/net files (or /proc/net for the host's). */
function netFiles(root: string, dir: string, socks: Sock[], ifaces: string[]): void {
  put(root, `${dir}/tcp`, procNetFile(socks.filter((s) => s.protocol === "tcp")));
  put(root, `${dir}/udp`, procNetFile(socks.filter((s) => s.protocol === "udp")));
  put(root, `${dir}/tcp6`, procNetFile([]));
  put(root, `${dir}/udp6`, procNetFile([]));
  put(root, `${dir}/dev`, DEV + ifaces.map((n, i) => devLine(n, 100 * (i + 1))).join(""));
  put(root, `${dir}/snmp`, "Tcp: RtoAlgorithm ActiveOpens\nTcp: 1 " + socks.length + "\n");
  put(root, `${dir}/unix`, UNIX_HEADER);
  put(root, `${dir}/raw`, procNetFile([]));
  put(root, `${dir}/raw6`, procNetFile([]));
  put(root, `${dir}/packet`, "sk       RefCnt Type Proto  Iface R Rmem   User   Inode\n");
  put(
    root,
    `${dir}/route`,
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n",
  );
}

/** A process: stat, cgroup, its namespace link and one fd per socket it holds. */
function proc(
  root: string,
  pid: number,
  comm: string,
  inode: number,
  cgroup: string,
  sockets: number[] = [],
): void {
  put(
    root,
    `proc/${pid}/stat`,
    `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5000 0 0\n`,
  );
  put(root, `proc/${pid}/cgroup`, cgroup);
  link(root, `proc/${pid}/ns/net`, `net:[${inode}]`);
  mkdirSync(join(root, `proc/${pid}/fd`), { recursive: true });
  sockets.forEach((s, i) => symlinkSync(`socket:[${s}]`, join(root, `proc/${pid}/fd/${i + 3}`)));
}

const systemdPod = (qos: string, uid: string, runtimeScope: string) =>
  `0::/kubepods.slice/kubepods-${qos}.slice/kubepods-${qos}-pod${
    uid.replaceAll("-", "_")
  }.slice/${runtimeScope}\n`;

/** Builds the tree in a new temporary folder and returns its path. */
export function nodeTree(): string {
  const root = mkdtempSync(join(tmpdir(), "nsnap-node-"));
  put(root, "proc/stat", "cpu  1 2 3\nbtime 1764000000\n");
  put(root, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  link(root, "proc/self/ns/net", `net:[${HOST_INODE}]`);
  // The host.
  proc(root, 1, "systemd", HOST_INODE, "0::/init.scope\n");
  proc(root, 10, "kubelet", HOST_INODE, "0::/system.slice/kubelet.service\n");
  proc(
    root,
    20,
    "kube-proxy",
    HOST_INODE,
    systemdPod("besteffort", UID.proxy, `cri-containerd-${CID.proxy}.scope`),
    [9001],
  );
  netFiles(root, "proc/net", [{ protocol: "tcp", address: "0.0.0.0", port: 10249, inode: 9001 }], [
    "lo",
    "eth0",
  ]);
  // Pod shop/web-0 (systemd driver, containerd), its namespace also named by CNI.
  const web = 4026532300;
  proc(
    root,
    300,
    "pause",
    web,
    systemdPod("burstable", UID.web, `cri-containerd-${CID.pause}.scope`),
  );
  proc(
    root,
    301,
    "nginx",
    web,
    systemdPod("burstable", UID.web, `cri-containerd-${CID.nginx}.scope`),
    [
      9300,
    ],
  );
  proc(
    root,
    302,
    "envoy",
    web,
    systemdPod("burstable", UID.web, `cri-containerd-${CID.envoy}.scope`),
    [
      9301,
      9302,
    ],
  );
  netFiles(root, "proc/300/net", [
    { protocol: "tcp", address: "0.0.0.0", port: 80, inode: 9300 },
    { protocol: "tcp", address: "127.0.0.1", port: 15000, inode: 9301 },
  ], ["lo", "eth0"]);
  // Envoy's admin socket: a UNIX listener of the pod's namespace (__SO_ACCEPTCON, stream).
  put(
    root,
    "proc/300/net/unix",
    UNIX_HEADER +
      "0000000000000000: 00000002 00000000 00010000 0001 01  9302 /run/envoy/admin.sock\n",
  );
  link(root, "run/netns/cni-0b6e2f2c-0000-4000-8000-000000000300", `net:[${web}]`);
  put(
    root,
    `run/containerd/io.containerd.runtime.v2.task/k8s.io/${CID.pause}/config.json`,
    JSON.stringify({
      ociVersion: "1.1.0",
      annotations: {
        "io.kubernetes.cri.container-type": "sandbox",
        "io.kubernetes.cri.sandbox-name": "web-0",
        "io.kubernetes.cri.sandbox-namespace": "shop",
        "io.kubernetes.cri.sandbox-uid": UID.web,
      },
    }),
  );
  // Pod kube-system/coredns (cgroupfs driver, v1 lines): names from the kubelet's logs only.
  const dns = 4026532400;
  proc(
    root,
    400,
    "coredns",
    dns,
    `11:pids:/kubepods/burstable/pod${UID.coredns}/${CID.coredns}\n0::/\n`,
    [9400, 9401],
  );
  netFiles(root, "proc/400/net", [
    { protocol: "tcp", address: "0.0.0.0", port: 53, inode: 9400 },
    { protocol: "udp", address: "0.0.0.0", port: 53, inode: 9401 },
  ], ["lo", "eth0"]);
  // The kubelet's logs.
  for (
    const [ns, pod, uid, containers] of [
      ["shop", "web-0", UID.web, [["nginx", CID.nginx], ["envoy", CID.envoy]]],
      ["kube-system", "coredns-5d78c9869d-x2x4z", UID.coredns, [["coredns", CID.coredns]]],
      ["kube-system", "kube-proxy-7xk2p", UID.proxy, [["kube-proxy", CID.proxy]]],
    ] as const
  ) {
    for (const [name, id] of containers) {
      put(root, `var/log/pods/${ns}_${pod}_${uid}/${name}/0.log`, "");
      link(
        root,
        `var/log/containers/${pod}_${ns}_${name}-${id}.log`,
        `/var/log/pods/${ns}_${pod}_${uid}/${name}/0.log`,
      );
    }
  }
  // A Docker container on cgroup v2 with systemd's driver, published on 0.0.0.0:8443.
  const api = 4026532800;
  proc(root, 800, "api", api, `0::/system.slice/docker-${CID.api}.scope\n`, [9800]);
  netFiles(
    root,
    "proc/800/net",
    [{ protocol: "tcp", address: "0.0.0.0", port: 8443, inode: 9800 }],
    [
      "lo",
      "eth0",
    ],
  );
  const real = JSON.parse(
    readFileSync(
      new URL("../testdata/namespaces/docker/br/config.v2.json", import.meta.url),
      "utf8",
    ),
  );
  real.ID = CID.api;
  real.Name = "/api";
  real.Config.Image = "registry.example/api:2.1";
  real.State.Pid = 800;
  real.NetworkSettings.Ports = { "8443/tcp": [{ HostIp: "0.0.0.0", HostPort: "8443" }] };
  put(root, `var/lib/docker/containers/${CID.api}/config.v2.json`, JSON.stringify(real));
  put(
    root,
    `var/lib/docker/containers/${CID.api}/hostconfig.json`,
    JSON.stringify({
      NetworkMode: "apinet",
      PortBindings: { "8443/tcp": [{ HostIp: "", HostPort: "8443" }] },
    }),
  );
  // A named namespace with a process, one with none, and one nothing names.
  proc(root, 500, "nc", 4026532500, "0::/user.slice/user-0.slice/session-1.scope\n", [9500]);
  netFiles(
    root,
    "proc/500/net",
    [{ protocol: "tcp", address: "0.0.0.0", port: 7000, inode: 9500 }],
    [
      "lo",
      "veth-blue",
    ],
  );
  link(root, "run/netns/blue", "net:[4026532500]");
  link(root, "run/netns/empty", "net:[4026532700]");
  proc(root, 600, "daemon", 4026532600, "0::/system.slice/daemon.service\n", [9600]);
  netFiles(
    root,
    "proc/600/net",
    [{ protocol: "tcp", address: "0.0.0.0", port: 7100, inode: 9600 }],
    [
      "lo",
    ],
  );
  return root;
}
