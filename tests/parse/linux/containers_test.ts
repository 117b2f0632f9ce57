/**
 * The parsers that name a network namespace's containers: /proc/[pid]/cgroup and the layouts
 * runtimes and the kubelet name groups with, Docker's config.v2.json and hostconfig.json (real
 * files of containers run by Debian's docker.io 20.10.24, tests/testdata/namespaces/docker/),
 * containers/storage's index, OCI bundle annotations, the kubelet's log folders, and the
 * namespace link text.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  cgroupContainer,
  containerOfCgroups,
  parseProcPidCgroup,
} from "../../../src/parse/linux/proc_pid_cgroup.ts";
import { parseDockerConfigV2 } from "../../../src/parse/linux/docker_config_v2_json.ts";
import { parseDockerHostConfig } from "../../../src/parse/linux/docker_hostconfig_json.ts";
import { parseStorageContainers } from "../../../src/parse/linux/podman_containers_json.ts";
import { parseOciConfig } from "../../../src/parse/linux/oci_config_json.ts";
import { parseContainerLogName, parsePodLogDir } from "../../../src/parse/linux/var_log_pods.ts";
import { parseNetnsLink } from "../../../src/parse/linux/proc_pid_ns.ts";
import { ParseError } from "../../../src/errors.ts";

const DATA = new URL("../../testdata/namespaces/docker/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DATA), "utf8");
const ID = "ab".repeat(32);
const UID = "0e1c4f7a-3b2d-4c9e-8f1a-2b3c4d5e6f70";

test("parseProcPidCgroup() reads v1 and v2 lines and warns on a broken one", () => {
  const r = parseProcPidCgroup("12:pids:/docker/x\n0::/system.slice\nbroken\n", "cg");
  assert.deepEqual(r.value, [
    { hierarchy: 12, controllers: ["pids"], path: "/docker/x" },
    { hierarchy: 0, controllers: [], path: "/system.slice" },
  ]);
  assert.deepEqual(r.warnings, ['cg:3: cannot read cgroup line: "broken"']);
});

test("containerOfCgroups() finds a Docker container in a real cgroup v1+v2 (cgroupfs) file", () => {
  const id = JSON.parse(read("web/config.v2.json")).ID as string;
  const c = containerOfCgroups(parseProcPidCgroup(read("web/cgroup"), "cgroup").value);
  assert.deepEqual(c, { runtime: "docker", id });
});

test("cgroupContainer() knows each runtime's layout, systemd's and cgroupfs'", () => {
  const cases: [string, ReturnType<typeof cgroupContainer>][] = [
    [`/system.slice/docker-${ID}.scope`, { runtime: "docker", id: ID }],
    [`/docker/${ID}`, { runtime: "docker", id: ID }],
    [`/machine.slice/libpod-${ID}.scope`, { runtime: "podman", id: ID }],
    [`/libpod_parent/libpod-${ID}`, { runtime: "podman", id: ID }],
    [`/machine.slice/libpod-conmon-${ID}.scope`, undefined],
    [
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${
        UID.replaceAll("-", "_")
      }.slice/cri-containerd-${ID}.scope`,
      { runtime: "containerd", id: ID, podUid: UID },
    ],
    [
      `/kubepods.slice/kubepods-pod${UID.replaceAll("-", "_")}.slice/crio-${ID}.scope`,
      { runtime: "cri-o", id: ID, podUid: UID },
    ],
    [`/kubepods.slice/kubepods-burstable.slice/crio-conmon-${ID}.scope`, undefined],
    [`/kubepods/burstable/pod${UID}/${ID}`, { id: ID, podUid: UID }],
    [`/kubepods/pod${UID}/${ID}`, { id: ID, podUid: UID }],
    [`/system.slice/nerdctl-${ID}.scope`, { runtime: "containerd", id: ID }],
    ["/lxc.payload.web1", { runtime: "lxc", id: "web1" }],
    [`/docker/${"cd".repeat(32)}/docker/${ID}`, { runtime: "docker", id: ID }],
    ["/system.slice/ssh.service", undefined],
    ["/", undefined],
    [`/user.slice/pod${UID}/${ID}`, undefined],
  ];
  for (const [path, want] of cases) assert.deepEqual(cgroupContainer(path), want, path);
});

test("parseDockerConfigV2() reads name, image, labels, pid, sandbox and published ports", () => {
  const doc = JSON.parse(read("web/config.v2.json"));
  const r = parseDockerConfigV2(read("web/config.v2.json"), "config.v2.json");
  assert.deepEqual(r.warnings, []);
  const c = r.value!;
  assert.equal(c.id, doc.ID);
  assert.equal(c.name, "nsnapx-web");
  assert.equal(c.image, "nsnapx-bb:1");
  assert.equal(c.running, true);
  assert.equal(c.pid, doc.State.Pid);
  assert.equal(c.labels?.["com.docker.compose.project"], "shop");
  assert.match(c.sandboxKey!, /^\/var\/run\/docker\/netns\/[0-9a-f]{12}$/);
  assert.deepEqual(c.networks, [
    { name: "bridge", address: "10.123.250.2", mac: "02:42:0a:7b:fa:02" },
  ]);
  assert.deepEqual(c.ports, [
    { protocol: "tcp", containerPort: 80, hostAddress: "127.0.0.1", hostPort: 18099 },
  ]);
});

test("parseDockerConfigV2() reads a joined container (no networks) and a user bridge's ports", () => {
  const joined = parseDockerConfigV2(read("joined/config.v2.json"), "x").value!;
  assert.deepEqual(joined.networks, []);
  assert.deepEqual(joined.ports, []);
  assert.equal(joined.sandboxKey, undefined);
  const br = parseDockerConfigV2(read("br/config.v2.json"), "x").value!;
  assert.deepEqual(br.ports.map((p) => `${p.hostAddress} ${p.hostPort}->${p.containerPort}`), [
    "0.0.0.0 8099->8080",
    ":: 8099->8080",
  ]);
});

test("parseDockerConfigV2() refuses text that is not JSON and warns on a nameless document", () => {
  assert.throws(() => parseDockerConfigV2("{not json", "c.json"), ParseError);
  assert.deepEqual(parseDockerConfigV2('{"ID":"x"}', "c.json"), {
    value: undefined,
    warnings: ["c.json: no container ID or Name"],
  });
  // A field of another type loses that field only.
  const odd = parseDockerConfigV2('{"ID":"x","Name":"/a","Config":{"Labels":[1]}}', "c");
  assert.equal(odd.value?.labels, undefined);
  assert.equal(odd.value?.name, "a");
});

test("parseDockerHostConfig() reads the network mode and the requested bindings", () => {
  assert.deepEqual(parseDockerHostConfig(read("web/hostconfig.json"), "h").value, {
    networkMode: "default",
    portBindings: [
      { protocol: "tcp", containerPort: 80, hostAddress: "127.0.0.1", hostPort: 18099 },
    ],
  });
  assert.equal(parseDockerHostConfig(read("host/hostconfig.json"), "h").value.networkMode, "host");
  assert.match(
    parseDockerHostConfig(read("joined/hostconfig.json"), "h").value.networkMode!,
    /^container:[0-9a-f]{64}$/,
  );
  assert.deepEqual(
    parseDockerHostConfig(read("br/hostconfig.json"), "h").value.portBindings,
    [{ protocol: "tcp", containerPort: 8080, hostAddress: "", hostPort: 8099 }],
  );
});

test("parseStorageContainers() reads names and image names; a bad entry is a warning", () => {
  const doc = JSON.stringify([
    {
      id: ID,
      names: ["web"],
      image: "d7af",
      metadata: JSON.stringify({ "image-name": "quay.io/x/httpd:latest", name: "web" }),
    },
    { id: "cd", names: [], metadata: "{broken" },
    { names: ["noid"] },
  ]);
  const r = parseStorageContainers(doc, "containers.json");
  assert.deepEqual(r.value, [{ id: ID, name: "web", image: "quay.io/x/httpd:latest" }, {
    id: "cd",
  }]);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /^containers\.json\[2\]: cannot read container/);
  assert.throws(() => parseStorageContainers("{}", "c"), ParseError);
});

test("parseOciConfig() reads containerd's and CRI-O's Kubernetes annotations", () => {
  const containerd = JSON.stringify({
    annotations: {
      "io.kubernetes.cri.container-type": "container",
      "io.kubernetes.cri.sandbox-name": "web-0",
      "io.kubernetes.cri.sandbox-namespace": "shop",
      "io.kubernetes.cri.sandbox-uid": UID,
      "io.kubernetes.cri.container-name": "nginx",
      "io.kubernetes.cri.image-name": "nginx:1.25",
    },
  });
  assert.deepEqual(parseOciConfig(containerd, "c").value, {
    sandbox: false,
    pod: "web-0",
    podNamespace: "shop",
    podUid: UID,
    container: "nginx",
    image: "nginx:1.25",
  });
  const sandbox = JSON.stringify({
    annotations: {
      "io.kubernetes.cri-o.ContainerType": "sandbox",
      "io.kubernetes.pod.name": "web-0",
      "io.kubernetes.pod.namespace": "shop",
      "io.kubernetes.container.name": "POD",
    },
  });
  assert.deepEqual(parseOciConfig(sandbox, "c").value, {
    sandbox: true,
    pod: "web-0",
    podNamespace: "shop",
  });
  assert.equal(parseOciConfig('{"annotations":{"x":"y"}}', "c").value, undefined);
  assert.equal(parseOciConfig('{"ociVersion":"1.0.2"}', "c").value, undefined);
});

test("parsePodLogDir() and parseContainerLogName() split the kubelet's names", () => {
  assert.deepEqual(parsePodLogDir(`kube-system_coredns-5d78c9869d-x2x4z_${UID}`), {
    namespace: "kube-system",
    pod: "coredns-5d78c9869d-x2x4z",
    uid: UID,
  });
  assert.deepEqual(parsePodLogDir(`shop_web-0.a_${UID}`), {
    namespace: "shop",
    pod: "web-0.a",
    uid: UID,
  });
  assert.equal(parsePodLogDir("shop_web-0"), undefined);
  assert.equal(parsePodLogDir(`Shop_web_${UID}`), undefined);
  assert.deepEqual(parseContainerLogName(`web-0_shop_nginx-proxy-${ID}.log`), {
    pod: "web-0",
    namespace: "shop",
    container: "nginx-proxy",
    id: ID,
  });
  assert.equal(parseContainerLogName(`web-0_shop_nginx-${ID}`), undefined);
});

test("parseNetnsLink() reads net:[N] and nothing else", () => {
  assert.equal(parseNetnsLink("net:[4026532184]"), 4026532184);
  assert.equal(parseNetnsLink("net:[4026532184]\n"), 4026532184);
  assert.equal(parseNetnsLink("mnt:[4026531841]"), undefined);
  assert.equal(parseNetnsLink("net:[]"), undefined);
  assert.equal(parseNetnsLink("/run/netns/blue"), undefined);
});
