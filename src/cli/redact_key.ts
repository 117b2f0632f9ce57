/** The key behind `--redact` pseudonyms, shared by the commands that redact (capture, import). */
import { randomRedactKey } from "../snapshot/redact.ts";
import { env, writeStderr } from "../runtime/process.ts";

/**
 * The key for `--redact`: `--redact-key`, else NSNAP_REDACT_KEY, else a random one with a warning
 * (its pseudonyms match no other snapshot's, so such snapshots cannot be diffed with each other).
 */
export function redactKey(given: string | undefined): string {
  if (given !== undefined && given !== "") return given;
  const fromEnv = env("NSNAP_REDACT_KEY");
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  writeStderr(
    "nsnap: warning: --redact without --redact-key or NSNAP_REDACT_KEY uses a random key; " +
      "snapshots must share a key to be diffed\n",
  );
  return randomRedactKey();
}
