import { planNamespaces } from "../src/collect/linux/namespaces/mod.ts";
import { captureAcross, procReader } from "../src/collect/linux/namespaces/capture.ts";
import { dnatForwards } from "../src/collect/linux/namespaces/forwards.ts";
import { runCommand } from "../src/runtime/command.ts";
import { captureSnapshot } from "../src/collect/mod.ts";
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  planNamespaces("/");
  const a = performance.now() - t; t = performance.now();
  captureAcross("/", "all", procReader("/"));
  const b = performance.now() - t; t = performance.now();
  dnatForwards(runCommand);
  const c = performance.now() - t; t = performance.now();
  await captureSnapshot({ netns: "current" });
  const d = performance.now() - t; t = performance.now();
  await captureSnapshot({});
  const e = performance.now() - t;
  console.log(`plan ${a.toFixed(1)} across ${b.toFixed(1)} dnat ${c.toFixed(1)} current ${d.toFixed(1)} all ${e.toFixed(1)}`);
}
