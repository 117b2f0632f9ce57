/**
 * The descriptor scan in a worker thread (see fd_scan.ts): answers one request with one FdScan,
 * whose pairs travel as a transferred buffer (80k sockets are 1.3 MB, copied by no one).
 */
import { type FdScan, type FdScanRequest, scanFds, scanWithBpf } from "./fd_scan.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: { data: FdScanRequest }) => void) | null;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
};

scope.onmessage = (e) => {
  const { proc, self, names, next, bpf } = e.data;
  let bpfFailed: string | undefined;
  let scan: FdScan | undefined = bpf ? scanWithBpf(self, (why) => bpfFailed = why) : undefined;
  if (scan === undefined) {
    scan = scanFds(proc, self, undefined, { names, next: new Int32Array(next), count: true });
    if (bpfFailed !== undefined) scan.bpfFailed = bpfFailed;
  }
  scope.postMessage(scan, [scan.pairs.buffer as ArrayBuffer]);
};
