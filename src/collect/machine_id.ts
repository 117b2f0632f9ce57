/**
 * The host's machine id for `meta.host.machineId`: on Linux /etc/machine-id, else
 * /var/lib/dbus/machine-id, both read below the capture root; on macOS the IOPlatformUUID from
 * ioreg. Absent when none can be read: a fleet diff then pairs the host by its hostname.
 */
import { join } from "node:path";
import { parseMachineId } from "../parse/linux/machine_id.ts";
import { parseIoregPlatformUuid } from "../parse/bsd/ioreg.ts";
import type { CommandRunner } from "../runtime/command.ts";
import { readFileBoundedSync } from "../util/read_bounded.ts";

/** A machine id is 32 hex digits and a newline; a file far bigger is not one. */
const MAX_ID_BYTES = 4096;

/** Where Linux keeps the machine id, in the order they are tried. */
export const LINUX_MACHINE_ID_FILES = ["etc/machine-id", "var/lib/dbus/machine-id"] as const;

const latin1 = new TextDecoder("latin1");

/** The machine id of a Linux host whose files are under `root` ("/" on a real host). */
export function linuxMachineId(root: string): string | undefined {
  for (const file of LINUX_MACHINE_ID_FILES) {
    try {
      const id = parseMachineId(
        latin1.decode(readFileBoundedSync(join(root, file), MAX_ID_BYTES, { regularOnly: true })),
      );
      if (id !== undefined) return id;
    } catch { /* unreadable or missing: try the next one */ }
  }
  return undefined;
}

/** The command that prints a Mac's platform UUID. */
export const IOREG_COMMAND = ["ioreg", "-rd1", "-c", "IOPlatformExpertDevice"] as const;

/** The machine id of a macOS host: its IOPlatformUUID, from `ioreg`. */
export function darwinMachineId(run: CommandRunner): string | undefined {
  const r = run(IOREG_COMMAND);
  return r.ok ? parseIoregPlatformUuid(r.stdout) : undefined;
}
