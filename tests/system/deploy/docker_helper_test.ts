/**
 * The Docker helper, end to end with a real daemon: an image made offline from busybox-static
 * serves HTTP on a published loopback port, a `--network none` container has only its loopback,
 * a container on a user bridge answers on its own address, and afterwards nothing the test made
 * is left, and ip_forward and the FORWARD policy are as they were.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readlinkSync } from "node:fs";
import { spawnSync } from "node:child_process";
import {
  docker,
  DockerScope,
  dockerSkip,
  hostInterfaces,
  hostNetState,
  leftovers,
  withDocker,
} from "../../helpers/docker.ts";
import { httpGet } from "../../helpers/http.ts";

const skip = dockerSkip();

/** The index of a host interface. */
function ifindex(name: string): string {
  return spawnSync("cat", [`/sys/class/net/${name}/ifindex`], { encoding: "utf8" }).stdout.trim();
}

test("docker helper: busybox containers on a published port, no network and a user bridge", {
  skip,
  timeout: 120_000,
}, async () => {
  const before = hostNetState();
  // The host-side interfaces the test makes: the user network's bridge and the veth's end.
  const madeInterfaces: string[] = [];
  let made: string[] = [];
  await withDocker("helper", async (d) => {
    const t0 = performance.now();
    const image = d.busyboxImage();
    const importMs = performance.now() - t0;
    assert.ok(importMs < 5_000, `importing the busybox image took ${importMs.toFixed(0)} ms`);
    const page = `nsnap test page ${d.prefix}\n`;

    // Published on a free loopback port chosen by Docker.
    const web = d.run(image, ["httpd", "-f", "-p", "80", "-h", "/www"], {
      publish: ["127.0.0.1::80"],
    });
    const port = d.hostPort(web, "80/tcp");
    assert.equal((await httpGet("127.0.0.1", port, "/index.html")).body, page);
    assert.match(readlinkSync(`/proc/${web.pid}/exe`), /busybox$/);
    assert.notEqual(
      readlinkSync(`/proc/${web.pid}/ns/net`),
      readlinkSync("/proc/self/ns/net"),
      "the container has its own network namespace",
    );
    // Inside the container's namespace, ss sees httpd's listener held by the pid Docker reported.
    const ss = spawnSync("nsenter", ["-t", String(web.pid), "-n", "ss", "-Hltnp"], {
      encoding: "utf8",
    });
    assert.equal(ss.status, 0, ss.stderr);
    assert.match(ss.stdout, new RegExp(`:80\\s.*pid=${web.pid},`));

    // No network: the loopback only, until the test adds a veth; then it answers on that.
    const alone = d.run(image, ["httpd", "-f", "-p", "80", "-h", "/www"], { network: "none" });
    const names = () =>
      d.exec(alone, ["ip", "-o", "link"]).trim().split("\n").map((l) => l.split(":")[1]?.trim());
    assert.deepEqual(names(), ["lo"]);
    const veth = d.veth(alone);
    madeInterfaces.push(veth.hostIf);
    assert.deepEqual(names(), ["lo", "eth1@if" + ifindex(veth.hostIf)]);
    assert.equal((await httpGet(veth.address, 80, "/index.html")).body, page);

    // A user bridge: the container answers on its own address from the host.
    const net = d.network();
    const netId = docker(["network", "inspect", "-f", "{{.Id}}", net.name]).trim();
    madeInterfaces.push(`br-${netId.slice(0, 12)}`);
    assert.ok(hostInterfaces().includes(madeInterfaces.at(-1)!), "the bridge is on the host");
    const peer = d.run(image, ["httpd", "-f", "-p", "80", "-h", "/www"], { network: net.name });
    const settings = d.inspect(peer).NetworkSettings as {
      Networks: Record<string, { IPAddress: string }>;
    };
    const address = settings.Networks[net.name]!.IPAddress;
    assert.ok(address.startsWith(net.subnet.split(".").slice(0, 3).join(".") + "."), address);
    assert.equal((await httpGet(address, 80, "/index.html")).body, page);

    for (const c of [web, alone, peer]) assert.ok(c.name.startsWith(d.prefix), c.name);
    made = [...d.containers, ...d.networks, ...d.images];
  });
  assert.equal(made.length, 5, made.join(" "));
  assert.deepEqual(leftovers(), { containers: [], networks: [], images: [] });
  assert.deepEqual(
    hostInterfaces().filter((i) => madeInterfaces.includes(i)),
    [],
    "the user bridge and the veth are gone",
  );
  assert.deepEqual(hostNetState(), before, "ip_forward and the FORWARD policy are unchanged");
});

test("docker helper: a scope removes its containers and images when the test body throws", {
  skip,
  timeout: 60_000,
}, async () => {
  let scope: DockerScope | undefined;
  await assert.rejects(
    withDocker("throws", (d) => {
      scope = d;
      d.run(d.busyboxImage(), ["sleep", "120"]);
      d.network();
      throw new Error("the test failed here");
    }),
    /the test failed here/,
  );
  assert.ok(scope);
  assert.deepEqual(leftovers(), { containers: [], networks: [], images: [] });
});

test("docker helper: a rootfs with a program carries the libraries ldd lists", {
  skip,
  timeout: 60_000,
}, async () => {
  await withDocker("libs", (d) => {
    // ss is dynamically linked (libc, libmnl, libcap…): it runs only if all of them were copied.
    const image = d.importImage({ programs: { "/usr/bin/ss": "/usr/local/bin/ss" } });
    const r = d.runOnce(image, ["/usr/local/bin/ss", "-V"], { network: "none" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /iproute2/);
  });
});

test("docker helper: a new scope removes what a test run that died left behind", {
  skip,
  timeout: 60_000,
}, async () => {
  // A pid that is surely gone: a process that has exited.
  const gone = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
  await withDocker("stale", (d) => {
    const image = d.busyboxImage();
    const name = `${d.prefix}-orphan`;
    spawnSync("/usr/bin/docker", [
      "run",
      "-d",
      "--name",
      name,
      "--label",
      `nsnap.test.pid=${gone}`,
      image,
      "sleep",
      "120",
    ]);
    new DockerScope("sweeper").close();
    const r = spawnSync("/usr/bin/docker", ["inspect", name], { encoding: "utf8" });
    assert.notEqual(r.status, 0, `the orphan ${name} is still there`);
  });
});
