/** Secret masking of recorded command lines (`capture --cmdline`). */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MASK, maskCmdline } from "../../src/collect/mask.ts";

test("maskCmdline() masks secret options given with = or as the next argument", () => {
  assert.deepEqual(
    maskCmdline([
      "app",
      "--password=hunter2",
      "--password",
      "hunter2",
      "--api-token",
      "t0k",
      "--key",
      "k",
    ]),
    ["app", `--password=${MASK}`, "--password", MASK, "--api-token", MASK, "--key", MASK],
  );
});

test("maskCmdline() masks KEY=value assignments whose name suggests a secret", () => {
  assert.deepEqual(
    maskCmdline(["env", "DB_PASSWORD=s3cret", "AWS_SECRET_ACCESS_KEY=x", "HOME=/root"]),
    ["env", `DB_PASSWORD=${MASK}`, `AWS_SECRET_ACCESS_KEY=${MASK}`, "HOME=/root"],
  );
});

test("maskCmdline() masks authorization headers, secret headers and bearer tokens", () => {
  assert.deepEqual(
    maskCmdline([
      "curl",
      "-H",
      "Authorization: Bearer abc",
      "-H",
      "X-Api-Key: qq",
      "-H",
      "Content-Type: text/plain",
    ]),
    [
      "curl",
      "-H",
      `Authorization: ${MASK}`,
      "-H",
      `X-Api-Key: ${MASK}`,
      "-H",
      "Content-Type: text/plain",
    ],
  );
  assert.deepEqual(maskCmdline(["x", "Authorization:", "Bearer", "abc"]), [
    "x",
    "Authorization:",
    "Bearer",
    MASK,
  ]);
});

test("maskCmdline() masks the password of credentials in URLs and keeps the rest", () => {
  assert.deepEqual(
    maskCmdline(["psql", "postgres://app:hunter2@db:5432/main", "https://example.org/a:b"]),
    ["psql", `postgres://app:${MASK}@db:5432/main`, "https://example.org/a:b"],
  );
});

test("maskCmdline() leaves ordinary arguments alone", () => {
  const argv = [
    "nginx",
    "-g",
    "daemon off;",
    "--port",
    "8080",
    "--keyboard-layout",
    "us",
    "-c",
    "/etc/x.conf",
  ];
  assert.deepEqual(maskCmdline(argv), argv);
});

test("maskCmdline() never lets a value after a secret option through, whatever the words", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("--password", "--token", "--secret", "--api-key", "--client-secret"),
      fc.stringMatching(/^[A-Za-z0-9._~+/=]{1,30}$/),
      (flag, secret) => {
        const out = maskCmdline(["app", flag, secret, `${flag}=${secret}`]);
        return !out.slice(1).includes(secret) && out.every((a) => !a.endsWith(`=${secret}`));
      },
    ),
    { numRuns: 200 },
  );
});
