/**
 * Worker threads, where the runtime has them: a module of src/ started in a worker, from the
 * source tree (Deno, Bun) or from a Bun-compiled executable, whose modules live under
 * /$bunfs/root/ at their path below src/ (the `build` task lists the worker modules as entry
 * points so that they are there). Elsewhere (a `deno compile` bundle, no Worker) it answers
 * undefined, or the worker reports an error, and the caller does the work itself.
 */

/** Where the module `srcPath` (a path below src/, e.g. "collect/linux/fd_scan_worker.ts") is. */
function moduleUrl(srcPath: string): string {
  const here = import.meta.url;
  if (here.startsWith("file:///$bunfs/") || here.startsWith("file:///B:/~BUN/")) {
    return `/$bunfs/root/${srcPath}`;
  }
  return new URL(`../${srcPath}`, here).href;
}

/**
 * Runs one request in a new worker on the module `srcPath` and resolves with its one answer, or
 * with undefined when no worker can run it (the caller then does the work itself). The worker
 * ends after answering.
 */
export function runInWorker<Req, Res>(srcPath: string, request: Req): Promise<Res | undefined> {
  const W = (globalThis as { Worker?: new (url: string, o: { type: "module" }) => WorkerLike })
    .Worker;
  if (W === undefined) return Promise.resolve(undefined);
  let w: WorkerLike;
  try {
    w = new W(moduleUrl(srcPath), { type: "module" });
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const done = (v: Res | undefined) => {
      w.terminate();
      resolve(v);
    };
    w.onmessage = (e) => done(e.data as Res);
    w.onerror = (e) => {
      e.preventDefault?.();
      done(undefined);
    };
    w.onmessageerror = () => done(undefined);
    w.postMessage(request);
  });
}

/** The part of the Worker interface used here. */
interface WorkerLike {
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { preventDefault?: () => void }) => void) | null;
  onmessageerror: (() => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}
