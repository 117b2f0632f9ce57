import { test } from "node:test";
import assert from "node:assert/strict";
import { parseEtcPasswd } from "../../../src/parse/linux/etc_passwd.ts";

test("parseEtcPasswd() maps uids to names; the first account of a shared uid names it", () => {
  const text = "root:x:0:0:root:/root:/bin/bash\n" +
    "toor:x:0:0:second root:/root:/bin/sh\n" +
    "systemd-resolve:x:101:103:systemd Resolver,,,:/run/systemd:/usr/sbin/nologin\n" +
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
  const { value, warnings } = parseEtcPasswd(text);
  assert.deepEqual(warnings, []);
  assert.deepEqual([...value], [[0, "root"], [101, "systemd-resolve"], [65534, "nobody"]]);
});

test("parseEtcPasswd() passes over comments and NIS entries and warns on a broken line", () => {
  const text = "# local accounts\n+@admins::::::\n-baduser::::::\nroot:x:0:0::/root:/bin/sh\n" +
    "broken line\nalice:x:notanumber:100::/home/alice:/bin/sh\n\n";
  const { value, warnings } = parseEtcPasswd(text, "passwd");
  assert.deepEqual([...value], [[0, "root"]]);
  assert.deepEqual(warnings, [
    'passwd:5: cannot read account: "broken line"',
    'passwd:6: cannot read account: "alice:x:notanumber:100::/home/alice:/bin/sh"',
  ]);
});
