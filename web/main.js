// Placeholder front-end: loads the wasm named by the host element's data-wasm
// attribute and reports progress. The front-end engineer replaces this file.

const host = document.getElementById("playground");
const status = host.querySelector("[data-status]");

function say(text, failed = false) {
  status.textContent = text;
  status.classList.toggle("failed", failed);
}

async function start() {
  // Relative to the page, so the site works under any sub-path.
  const url = new URL(host.dataset.wasm, document.baseURI);
  const go = new globalThis.Go();
  say("Downloading the simulator…");
  const ready = new Promise((resolve) => {
    document.addEventListener("raftplay:ready", resolve, { once: true });
  });
  const { instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject);
  say("Starting the simulator…");
  go.run(instance);
  await ready;
  say("Simulator running.");
  host.dataset.ready = "true";
}

start().catch((err) => say(`Could not start the playground: ${err.message}`, true));
