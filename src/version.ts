/**
 * The tool's name and version. The version lives in package.json alone; the JSON import is
 * resolved at build time by `bun build --compile`, so the binary knows it too.
 */
import packageJson from "../package.json" with { type: "json" };

/** The nsnap version, from package.json. */
export const VERSION: string = packageJson.version;

/** The tool name written into snapshots. */
export const TOOL_NAME = "nsnap";
