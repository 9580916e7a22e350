// The search worker: a second simulator, headless, in a Web Worker, that
// searches runs for a counterexample and checks clients' histories
// (wasm/searcher). The page starts it only when a student asks for one,
// so the first load does not grow and the page keeps its frames; to
// cancel a search, the page ends the worker. Go's program answers the
// page's messages itself: {id, call, args} in, {id, answer} out.

import "../wasm_exec.js";

const go = new globalThis.Go();
const url = new URL("../raftplay-search.wasm", import.meta.url);
try {
  const { instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject);
  go.run(instance);
} catch (err) {
  postMessage({ failed: `The search worker could not start: ${err.message}` });
}
