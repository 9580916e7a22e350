// The page's side of the search worker (searchworker.js): started on the
// first call, a call is a Promise of its answer, progress goes to a
// callback, and stop ends the worker (cancelling what it was doing) until
// the next call starts a new one.

export class SearchWorker {
  constructor(progress = () => {}) {
    this.progress = progress; // ({call, time, until}) => void
    this.worker = null;
    this.ready = null;
    this.next = 0;
    this.waiting = new Map(); // id -> resolve
  }

  start() {
    if (this.ready) return this.ready;
    const w = new Worker(new URL("./searchworker.js", import.meta.url), { type: "module" });
    this.worker = w;
    this.ready = new Promise((resolve, reject) => {
      w.addEventListener("message", (e) => {
        const d = e.data || {};
        if (d.ready) resolve();
        else if (d.failed) reject(new Error(d.failed));
        else if (d.progress) this.progress(d.progress);
        else if (this.waiting.has(d.id)) {
          this.waiting.get(d.id)(d.answer);
          this.waiting.delete(d.id);
        }
      });
      w.addEventListener("error", (e) => reject(new Error(e.message || "the search worker failed to load")));
    });
    return this.ready;
  }

  // call makes one call of the worker's API (wasm/hunt): search(options),
  // check(definition, until). It resolves to the answer, or to {error}.
  async call(name, ...args) {
    try {
      await this.start();
    } catch (err) {
      this.stop();
      return { error: err.message, code: "internal" };
    }
    const id = ++this.next;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, call: name, args });
    });
  }

  // stop ends the worker: what it was doing answers {code: "canceled"}.
  stop() {
    if (this.worker) this.worker.terminate();
    for (const resolve of this.waiting.values()) resolve({ error: "canceled", code: "canceled" });
    this.waiting.clear();
    this.worker = null;
    this.ready = null;
  }

  get running() {
    return this.waiting.size > 0;
  }
}
