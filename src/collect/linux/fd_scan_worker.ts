/**
 * The descriptor scan in a worker thread (see fd_scan.ts): answers one request with one FdScan,
 * whose pairs travel as a transferred buffer (80k sockets are 1.3 MB, copied by no one).
 */
import { BPF_FAILED, type FdScan, type FdScanRequest, scanFds, scanWithBpf } from "./fd_scan.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: { data: FdScanRequest }) => void) | null;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
};

scope.onmessage = (e) => {
  const { proc, self, names, next, bpf } = e.data;
  let bpfFailed: string | undefined;
  const shared = new Int32Array(next);
  let scan: FdScan | undefined = bpf ? scanWithBpf(self, (why) => bpfFailed = why) : undefined;
  // The iterator failed: say so, so that the other thread takes its share of the walk.
  if (bpf && scan === undefined) Atomics.store(shared, 2, BPF_FAILED);
  if (scan === undefined) {
    scan = scanFds(proc, self, undefined, { names, next: shared, count: true });
    if (bpfFailed !== undefined) scan.bpfFailed = bpfFailed;
  }
  scope.postMessage(scan, [scan.pairs.buffer as ArrayBuffer]);
};
