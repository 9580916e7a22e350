// Loading the simulator: download the wasm with a progress bar, compile it
// while it streams, start the Go runtime and wait until it has installed
// its API. Every way this can fail ends in a message a student understands.

// A compressed response's Content-Length counts compressed bytes while the
// stream yields decompressed ones; these ratios (measured on our wasm)
// turn one into an estimate of the other, so the bar still moves evenly.
const EXPANSION = { br: 4.8, gzip: 3.6 };

// LoadError is a failure to tell the student; retry says whether trying
// again could help.
export class LoadError extends Error {
  constructor(message, retry = true) {
    super(message);
    this.retry = retry;
  }
}

export async function loadSimulator(url, progress) {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
    throw new LoadError("This browser cannot run WebAssembly, which the simulator needs. Try a current Firefox, Chrome, Edge or Safari.", false);
  }
  if (typeof globalThis.Go !== "function") {
    throw new LoadError("The simulator's loader (wasm_exec.js) did not load.");
  }
  const go = new globalThis.Go();
  // A wasm's memory only ever grows, so the heap's high-water mark is what
  // the tab keeps: collect at 1.5 times the live heap instead of twice (an
  // hour of 9 peers at 4 writes a second: 75 MB instead of 87 MB, no cost
  // per frame measured). Set here rather than with runtime/debug, which
  // would pull fmt into the download.
  go.env = { ...go.env, GOGC: "50" };
  // Listen before starting: the runtime announces itself during go.run.
  const ready = new Promise((resolve) => {
    document.addEventListener("raftplay:ready", (e) => resolve(e.detail || {}), { once: true });
  });

  let response;
  try {
    response = await fetch(url);
  } catch {
    throw new LoadError("Could not download the simulator: the network request failed. Check the connection.");
  }
  if (!response.ok) {
    throw new LoadError(`Could not download the simulator (HTTP ${response.status}).`);
  }

  const length = Number(response.headers.get("Content-Length")) || 0;
  const encoding = (response.headers.get("Content-Encoding") || "").toLowerCase();
  const total = length * (EXPANSION[encoding] || 1);
  let got = 0;
  const counted = response.body
    ? response.body.pipeThrough(
        new TransformStream({
          transform(chunk, out) {
            got += chunk.byteLength;
            progress(total ? Math.min(got / total, 0.98) : NaN, got);
            out.enqueue(chunk);
          },
        }),
      )
    : null;

  let instance;
  try {
    const body = new Response(counted || (await response.arrayBuffer()), { headers: { "Content-Type": "application/wasm" } });
    if (typeof WebAssembly.instantiateStreaming === "function") {
      ({ instance } = await WebAssembly.instantiateStreaming(body, go.importObject));
    } else {
      ({ instance } = await WebAssembly.instantiate(await body.arrayBuffer(), go.importObject));
    }
  } catch (err) {
    throw new LoadError(`The simulator could not start: ${err.message}`);
  }
  progress(1, got);
  performance.mark("raftplay:compiled");

  // go.run settles only when the program exits, which the simulator never
  // does on purpose: exiting before it is ready is a failure.
  const exited = go.run(instance).then(
    () => Promise.reject(new LoadError("The simulator stopped while starting.")),
    (err) => Promise.reject(new LoadError(`The simulator stopped while starting: ${err.message}`)),
  );
  const detail = await Promise.race([ready, exited]);
  performance.mark("raftplay:ready");
  const api = globalThis.raftplay;
  if (!api || api.version !== 1) {
    throw new LoadError("This page and its simulator do not match (API version): try again to load both afresh.");
  }
  return { api, detail };
}
