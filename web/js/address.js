// The page's address: every parameter it reads, in one place (the README's
// table lists the same). The query sets up a run and how it is shown; the
// fragment holds a shared run (share.js) or an instant.
//
//   ?peers=5&seed=7&scenario=talk   the run (checked by the simulator)
//   ?prevote=1&checkquorum=1        the run's PreVote and CheckQuorum
//   ?view=ring | ring+logs          a compact view, for an iframe
//   ?controls=minimal               play, back, step and the speed only
//   ?paused=1                       do not start playing
//   ?lesson=partition&step=3        a guided lesson, at a step (lesson.js)
//   #t=1200                         run to this instant first

// What the query may say of how the run is shown: the views (in the query
// "+" reads as a space, so "ring logs" is "ring+logs"), the controls, and
// whether to start paused.
const VIEWS = { full: "", ring: "ring", "ring+logs": "ring-logs", "ring logs": "ring-logs" };
const CONTROLS = { full: "", minimal: "minimal" };
const YES = { 1: true, true: true, yes: true, 0: false, false: false, no: false };

// Parameters of the query that say how to show a run, not which run: a
// share link and a new run keep them.
export const SHOWING = ["view", "controls", "paused"];

const clip = (v) => (v.length > 24 ? `${v.slice(0, 24)}…` : v);

// readAddress applies the query to the page before anything is drawn:
// the run's setup goes to the host element (data-peers, data-seed,
// data-scenario, data-prevote, data-checkquorum), where the simulator reads and checks it; the view and
// the controls go on <html> for the stylesheet. It returns whether to
// start paused and what it left out, in words.
export function readAddress(host, root = document.documentElement) {
  const q = new URLSearchParams(location.search);
  const ignored = [];
  for (const name of ["peers", "seed", "scenario", "prevote", "checkquorum"]) {
    const v = q.get(name);
    if (v !== null) host.dataset[name] = v.slice(0, 40);
  }
  const pick = (name, table, want) => {
    const v = q.get(name);
    if (v === null) return undefined;
    if (Object.hasOwn(table, v.toLowerCase())) return table[v.toLowerCase()];
    ignored.push(`${name}=${clip(v)} (${want})`);
    return undefined;
  };
  const view = pick("view", VIEWS, "ring, ring+logs or full");
  if (view) root.dataset.view = view;
  const controls = pick("controls", CONTROLS, "minimal or full");
  if (controls) root.dataset.controls = controls;
  const paused = pick("paused", YES, "1 or 0") ?? false;
  return { paused, ignored };
}

// startAt is the instant the fragment's #t asks for (without a shared run,
// which has a time of its own), within the simulator's longest advance;
// what it cannot use goes to ignored.
export function startAt(limits, ignored) {
  const h = new URLSearchParams(location.hash.slice(1));
  const text = h.get("t");
  if (text === null || h.get("run") !== null) return 0;
  const t = Number(text);
  if (Number.isInteger(t) && t >= 0 && t <= limits.advanceMs) return t;
  ignored.push(`#t=${clip(text)} (a time from 0 to ${limits.advanceMs.toLocaleString("en-US")} ms)`);
  return 0;
}

// leftOut turns the simulator's warnings about the host's attributes into
// the address's words: data-peers="42" ignored: ... -> peers="42" (...).
export function leftOut(warnings) {
  return warnings.map((w) => w.replace(/^data-([\w-]+)(=".*?")? ignored: (.*)$/, "$1$2 ($3)"));
}

// addressFor is this page's address with query (the run's setup, or none
// for a shared run) and fragment, keeping how the run is shown.
export function addressFor(query, fragment) {
  const url = new URL(location.href);
  const keep = new URLSearchParams(url.search);
  url.search = "";
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  for (const k of SHOWING) if (keep.has(k)) url.searchParams.set(k, keep.get(k));
  url.hash = fragment;
  return url;
}
