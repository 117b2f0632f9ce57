/** The tool's name and version, read from deno.json (the one place the version lives). */
import denoJson from "../deno.json" with { type: "json" };

/** The nsnap version, from deno.json. */
export const VERSION: string = denoJson.version;

/** The tool name written into snapshots. */
export const TOOL_NAME = "nsnap";
