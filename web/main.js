// Entry point: read the starting setup from the address, load the
// simulator with a progress bar, then hand the page to the App.

import { loadSimulator, LoadError } from "./js/loader.js";
import { leftOut, readAddress, startAt } from "./js/address.js";

// The page's own modules load and run while the simulator downloads and
// compiles: imported statically, they would hold main.js, and so the
// start of the wasm's compiling, until the last of them had arrived.
const modules = Promise.all([import("./js/app.js"), import("./js/lesson.js")]);
modules.catch(() => {}); // start() reports a failure

const host = document.getElementById("playground");
const text = host.querySelector("[data-loading-text]");
const bar = host.querySelector("[data-loading-bar]");
const retry = host.querySelector("[data-retry]");

function progress(fraction, bytes) {
  if (Number.isNaN(fraction)) {
    bar.removeAttribute("value");
    text.textContent = `Downloading the simulator… ${(bytes / 1e6).toFixed(1)} MB`;
  } else {
    bar.value = fraction;
    text.textContent = fraction < 1 ? `Downloading the simulator… ${Math.round(fraction * 100)}%` : "Starting the simulator…";
  }
}

async function start() {
  host.dataset.state = "loading";
  retry.hidden = true;
  const { paused, ignored } = readAddress(host);
  const url = new URL(host.dataset.wasm, document.baseURI);
  const [{ api, detail }, [{ App }, { Lessons }]] = await Promise.all([loadSimulator(url, progress), modules]);
  const warnings = detail.warnings || [];
  for (const w of warnings) console.warn(`raftplay: ${w}`);
  const app = new App(host, api);
  host.querySelector("[data-loading]").hidden = true;
  host.querySelector("[data-toolbar]").hidden = false;
  host.querySelector("[data-workspace]").hidden = false;
  ignored.unshift(...leftOut(warnings));
  const t = startAt(api.limits, ignored);
  if (ignored.length > 0) app.queued.push(`Not understood in the address, so left out: ${ignored.join("; ")}.`);
  // A lesson in the address (?lesson=NAME&step=N) takes the place of the
  // first run.
  const lessons = new Lessons(app);
  if (!(await lessons.fromAddress())) await app.start(detail, t, paused);
  if (app.queued.length > 0) app.notify("");
  host.dataset.state = "ready";
  performance.mark("raftplay:drawn");
}

start().catch((err) => {
  host.dataset.state = "failed";
  text.textContent = err instanceof LoadError ? err.message : `Something went wrong while starting: ${err.message}`;
  // Retrying reloads the page: a Go runtime cannot start twice in one page.
  retry.hidden = err instanceof LoadError && !err.retry;
  retry.addEventListener("click", () => location.reload(), { once: true });
  if (!(err instanceof LoadError)) console.error(err);
});
