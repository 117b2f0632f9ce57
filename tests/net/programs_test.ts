/** The one program rule: what show, port and diff call a process. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { exeName, invokedAs, programName } from "../../src/net/programs.ts";

test("programName() is the process name: redis-server stays itself, python3 is not python3.11", () => {
  // Debian: /usr/bin/redis-server is a symlink to redis-check-rdb; python3 to python3.11.
  assert.equal(
    programName({
      name: "redis-server",
      exe: "/usr/bin/redis-check-rdb",
      invokedAs: "redis-server",
    }),
    "redis-server",
  );
  assert.equal(programName({ name: "python3", exe: "/usr/bin/python3.11" }), "python3");
  // An upgrade does not rename the program: the executable is a detail.
  assert.equal(programName({ name: "nginx", exe: "/usr/sbin/nginx (deleted)" }), "nginx");
});

test("programName() names a multi-call binary's applet: busybox httpd is httpd, nc is nc", () => {
  const bb = (applet: string) => ({ name: "busybox", exe: "/usr/bin/busybox", invokedAs: applet });
  assert.equal(programName(bb("httpd")), "httpd");
  assert.equal(programName(bb("nc")), "nc");
  assert.notEqual(programName(bb("httpd")), programName(bb("nc")));
  // Without an applet (or invoked as busybox itself) it stays busybox.
  assert.equal(programName({ name: "busybox" }), "busybox");
  assert.equal(programName(bb("busybox")), "busybox");
});

test("programName() completes a name cut at 15 bytes, and falls back where a source has none", () => {
  assert.equal(
    programName({ name: "systemd-resolve", exe: "/usr/lib/systemd/systemd-resolved" }),
    "systemd-resolved",
  );
  assert.equal(
    programName({ name: "node_exporter_b", invokedAs: "node_exporter_blackbox" }),
    "node_exporter_blackbox",
  );
  // Only a longer name that starts with the cut one completes it.
  assert.equal(
    programName({ name: "gunicorn: maste", exe: "/usr/bin/python3.11" }),
    "gunicorn: maste",
  );
  assert.equal(programName({ name: "", invokedAs: "sshd", exe: "/usr/sbin/sshd" }), "sshd");
  assert.equal(programName({ name: "", exe: "/usr/sbin/sshd (deleted)" }), "sshd");
  assert.equal(exeName(undefined), undefined);
});

test("invokedAs() takes argv[0]'s file name, without a server's title, and a busybox applet", () => {
  // As /proc/[pid]/cmdline holds them on a Debian host.
  assert.equal(invokedAs(["nginx: master process nginx -p /tmp/x -c /tmp/x/nginx.conf"]), "nginx");
  assert.equal(invokedAs(["nginx: worker process", "", ""]), "nginx");
  assert.equal(invokedAs(["/usr/bin/redis-server *:7202", "", ""]), "redis-server");
  assert.equal(invokedAs(["postgres: 15/main: checkpointer "]), "postgres");
  assert.equal(invokedAs(["sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"]), "sshd");
  assert.equal(invokedAs(["-bash"]), "bash");
  assert.equal(invokedAs(["/usr/bin/python3", "-c", "print(1)"]), "python3");
  assert.equal(invokedAs(["busybox", "httpd", "-f", "-p", "8080"]), "httpd");
  assert.equal(invokedAs(["/bin/busybox", "nc", "-ll", "-p", "80"]), "nc");
  // An applet that does not look like a name is not taken (busybox --install -s).
  assert.equal(invokedAs(["busybox", "--install", "-s"]), "busybox");
  assert.equal(invokedAs([""]), undefined);
  assert.equal(invokedAs([]), undefined);
});
