// Entry point: read the starting setup from the address, load the
// simulator with a progress bar, then hand the page to the App.

import { loadSimulator, LoadError } from "./js/loader.js";
import { App } from "./js/app.js";

const host = document.getElementById("playground");
const text = host.querySelector("[data-loading-text]");
const bar = host.querySelector("[data-loading-bar]");
const retry = host.querySelector("[data-retry]");

// A link may carry ?peers=5&seed=7&scenario=talk (and #t=1200 for an
// instant). They go to the simulator through the host element, which is
// where it reads its starting setup: it checks them against its own limits
// and says which it left out (detail.warnings), so the student learns why
// the page looks different. A shared run (#run=...) is read by the App.
function readAddress() {
  const q = new URLSearchParams(location.search);
  for (const name of ["peers", "seed", "scenario"]) {
    const v = q.get(name);
    if (v !== null) host.dataset[name] = v.slice(0, 40);
  }
}

// leftOut turns the simulator's warnings about the host's attributes into
// the address's words: data-peers="42" ignored: ... -> peers="42" (...).
function leftOut(warnings) {
  return warnings.map((w) => w.replace(/^data-([\w-]+)(=".*?")? ignored: (.*)$/, "$1$2 ($3)"));
}

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
  readAddress();
  const url = new URL(host.dataset.wasm, document.baseURI);
  const { api, detail } = await loadSimulator(url, progress);
  const warnings = detail.warnings || [];
  for (const w of warnings) console.warn(`raftplay: ${w}`);
  const app = new App(host, api);
  host.querySelector("[data-loading]").hidden = true;
  host.querySelector("[data-toolbar]").hidden = false;
  host.querySelector("[data-workspace]").hidden = false;
  if (warnings.length > 0) app.queued.push(`Not understood in the address, so left out: ${leftOut(warnings).join("; ")}.`);
  await app.start(detail, startAt(api.limits, app));
  if (app.queued.length > 0) app.notify("");
  host.dataset.state = "ready";
  performance.mark("raftplay:drawn");
}

// startAt is the instant an address's #t asks for (without a shared run,
// which has a time of its own), within the longest advance.
function startAt(limits, app) {
  const h = new URLSearchParams(location.hash.slice(1));
  const text = h.get("t");
  if (text === null || h.get("run") !== null) return 0;
  const t = Number(text);
  if (Number.isInteger(t) && t >= 0 && t <= limits.advanceMs) return t;
  const shown = text.length > 24 ? `${text.slice(0, 24)}…` : text;
  app.queued.push(`Not understood in the address, so left out: #t=${shown} (a time from 0 to ${limits.advanceMs.toLocaleString("en-US")} ms).`);
  return 0;
}

start().catch((err) => {
  host.dataset.state = "failed";
  text.textContent = err instanceof LoadError ? err.message : `Something went wrong while starting: ${err.message}`;
  // Retrying reloads the page: a Go runtime cannot start twice in one page.
  retry.hidden = err instanceof LoadError && !err.retry;
  retry.addEventListener("click", () => location.reload(), { once: true });
  if (!(err instanceof LoadError)) console.error(err);
});
