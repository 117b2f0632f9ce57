/**
 * /etc/machine-id (and its older copy /var/lib/dbus/machine-id): the host's unique id, 32
 * lowercase hexadecimal digits and a newline, written once when the system is installed
 * (machine-id(5)). nsnap records it as `meta.host.machineId` to pair a fleet's snapshots.
 */

/**
 * Reads a machine-id file's text: the id, lowercased, or undefined when the file holds none
 * (empty, "uninitialized" during first boot, or anything that is not 32 hex digits).
 *
 * @example
 * ```ts
 * import { parseMachineId } from "./machine_id.ts";
 * parseMachineId("3d1219c7c4c5404aaa1f6d2a48adfda4\n"); // "3d1219c7c4c5404aaa1f6d2a48adfda4"
 * parseMachineId("uninitialized\n"); // undefined
 * ```
 */
export function parseMachineId(text: string): string | undefined {
  const id = text.trim().toLowerCase();
  // All zeros is no id at all (systemd refuses it too).
  return /^[0-9a-f]{32}$/.test(id) && !/^0+$/.test(id) ? id : undefined;
}
