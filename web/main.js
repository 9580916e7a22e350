// Entry point: read the starting setup from the address, load the
// simulator with a progress bar, then hand the page to the App.

import { loadSimulator, LoadError } from "./js/loader.js";
import { App } from "./js/app.js";

const host = document.getElementById("playground");
const text = host.querySelector("[data-loading-text]");
const bar = host.querySelector("[data-loading-bar]");
const retry = host.querySelector("[data-retry]");

// A link may carry ?peers=5&seed=7 (and #t=1200 for an instant). They are
// checked here and passed to the simulator through the host element, which
// is where it reads its starting setup; anything invalid is left out, and
// named in ignored so the student learns why the page looks different. A
// shared run (#run=...) is read by the App.
function readAddress() {
  const q = new URLSearchParams(location.search);
  const ignored = [];
  const short = (v) => (v.length > 24 ? `${v.slice(0, 24)}…` : v);
  const peersText = q.get("peers");
  const peers = Number(peersText);
  if (Number.isInteger(peers) && peers >= 1 && peers <= 9) host.dataset.peers = String(peers);
  else if (peersText !== null) ignored.push(`peers=${short(peersText)} (1 to 9 servers)`);
  const seedText = q.get("seed");
  const seed = Number(seedText);
  if (seedText && /^\d{1,16}$/.test(seedText) && Number.isSafeInteger(seed)) host.dataset.seed = String(seed);
  else if (seedText !== null) ignored.push(`seed=${short(seedText)} (a whole number)`);
  const scenario = q.get("scenario");
  const scenarios = ["election", "talk", "partition"];
  if (scenarios.includes(scenario)) host.dataset.scenario = scenario;
  else if (scenario !== null) ignored.push(`scenario=${short(scenario)} (${scenarios.join(", ")})`);
  // With a shared run, the App checks its time; without, it is checked here.
  const h = new URLSearchParams(location.hash.slice(1));
  const tText = h.get("t");
  const t = Number(tText);
  const tOK = Number.isInteger(t) && t >= 0 && t <= 3_600_000;
  if (tText !== null && !tOK && h.get("run") === null) ignored.push(`#t=${short(tText)} (a time from 0 to 3,600,000 ms)`);
  return { startAt: tOK ? t : 0, ignored };
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
  const { startAt, ignored } = readAddress();
  const url = new URL(host.dataset.wasm, document.baseURI);
  const { api, detail } = await loadSimulator(url, progress);
  for (const w of detail.warnings || []) console.warn(`raftplay: ${w}`);
  const app = new App(host, api);
  host.querySelector("[data-loading]").hidden = true;
  host.querySelector("[data-toolbar]").hidden = false;
  host.querySelector("[data-workspace]").hidden = false;
  if (ignored.length > 0) app.queued.push(`Not understood in the address, so left out: ${ignored.join(", ")}.`);
  await app.start(detail, startAt);
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
