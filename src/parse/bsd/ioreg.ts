/**
 * `ioreg -rd1 -c IOPlatformExpertDevice`: the platform expert's properties, one
 * `"Name" = value` per line inside braces. nsnap reads `IOPlatformUUID`, the hardware UUID macOS
 * shows in System Information, as the host's machine id.
 */

const UUID_LINE =
  /^\s*"IOPlatformUUID"\s*=\s*"([0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})"\s*$/m;

/**
 * The IOPlatformUUID of ioreg's output, as printed (uppercase, with dashes), or undefined when
 * the output has none.
 *
 * @example
 * ```ts
 * import { parseIoregPlatformUuid } from "./ioreg.ts";
 * const out = '    {\n      "IOPlatformUUID" = "4C4C4544-0042-3510-8052-B2C04F4E3732"\n    }\n';
 * parseIoregPlatformUuid(out); // "4C4C4544-0042-3510-8052-B2C04F4E3732"
 * ```
 */
export function parseIoregPlatformUuid(text: string): string | undefined {
  return UUID_LINE.exec(text)?.[1]?.toUpperCase();
}
