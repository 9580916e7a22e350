// The guide beside the ring: what to do first, and notes on what is on
// screen now. Every note is said only while what it explains is in view
// (an entry in the logs' window, a leader of that term), so the page never
// states a protocol fact the simulator is not showing. Issue 11's lessons
// put their captions in the same place.

import { html, setText } from "./svg.js";
import { configShort, list, peerName, span } from "./describe.js";

// The first steps, for the plain election run: each is ticked off when the
// student has done it (or seen it).
const STEPS = [
  ["leader", "Watch the election: the grey ring around each server is its election timer. The first to run out asks the others for votes."],
  ["request", "In Clients, send lock to any server, then watch it reach every log."],
  ["crash", "Click the leader and crash it: the others elect a new one."],
];

// What to do first in a run that is not the plain election.
const FIRST = {
  shared: "This run was shared at the moment shown: Play (Space) goes on from there, Step (.) goes one event at a time, Back (,) goes back.",
  found: "The search found this run, in which every server breaks the chosen rule, and stopped a little before it fails: Play (Space) or Step (.) to watch it happen, Back (,) goes back. Checks says what fails.",
  opened: "This run was opened from a file and replayed to where it ends: Play (Space) goes on from there, Step (.) goes one event at a time, Back (,) goes back.",
  scenario: "This scenario acts by itself: Play (Space) runs it, Step (.) goes one event at a time, Back (,) goes back. The Events tab tells each step in words.",
};

export class Guide {
  constructor(root) {
    this.root = root.querySelector("[data-notes]");
    this.lede = root.querySelector(".lede");
    this.scenario = "election";
    this.done = new Set();
    this.shown = "";
    this.notes = new Map(); // id -> {title, text}: the shown notes' words
  }

  // reset starts over for a new run.
  reset(scenario) {
    this.scenario = scenario;
    this.done.clear();
    this.shown = "";
  }

  // seen takes new events: what the student did.
  seen(events) {
    for (const ev of events) {
      if (ev.kind === "request") this.done.add("request");
      else if (ev.kind === "crash") this.done.add("crash");
      else if (ev.kind === "role" && ev.role === "leader") this.done.add("leader");
    }
  }

  // update redraws the notes for what model shows, the logs showing
  // indexes from first to last. The notes are rebuilt only when which of
  // them are shown changes; otherwise only their words are written (under
  // a busy load the entries they name change several times a second).
  update(model, first, last) {
    const notes = notesFor(model, first, last);
    const todo = STEPS.filter(([k]) => !this.done.has(k));
    const shape = `${this.scenario}|${todo.length}|${notes.map((n) => n.id).join()}`;
    if (shape !== this.shown) {
      this.shown = shape;
      this.build(todo, notes);
    }
    for (const n of notes) {
      const el = this.notes.get(n.id);
      setText(el.title, n.title);
      setText(el.text, ` ${n.text}`);
    }
  }

  build(todo, notes) {
    const parts = [];
    // The next step not done yet, with its number: a newcomer sees where
    // to begin, and the notes on what is on screen keep their room (the
    // steps still to come pushed them out of a laptop's guide); the notes
    // take all of it once the steps are done.
    if (this.scenario !== "election" || todo.length) {
      const start = html("section", { class: "note-start" });
      const [k, text] = todo[0] || [];
      const n = STEPS.findIndex((s) => s[0] === k) + 1;
      html("h3", {}, start, this.scenario !== "election" || n === 1 ? "Start here" : "Next step");
      if (this.scenario === "election") {
        const ol = html("ol", {}, start);
        html("li", { value: String(n) }, ol, text);
      } else html("p", {}, start, FIRST[this.scenario] || FIRST.scenario);
      parts.push(start);
    }
    this.lede.hidden = this.scenario === "election" && !todo.length;
    this.notes = new Map();
    if (notes.length) {
      const now = html("section", { class: "note-now" });
      html("h3", {}, now, "On screen now");
      for (const n of notes) {
        const p = html("p", { class: "note", "data-note": n.id }, now);
        this.notes.set(n.id, { title: html("b", {}, p), text: p.appendChild(document.createTextNode("")) });
      }
      parts.push(now);
    }
    this.root.replaceChildren(...parts);
  }
}

// notesFor explains what is in view: the configuration entry, a no-op,
// why the first leader's term is 2, what a dashed entry means.
export function notesFor(model, first, last) {
  const peers = model.peers.filter((p) => p.up);
  const shown = (e) => e.index >= first && e.index <= last;
  const entries = (p) => (p.log || []).filter(shown);
  const notes = [];
  const leader = model.leaderProgress();

  let config = null;
  let latest = null; // the last configuration in view, after a change
  let noop = null;
  for (const p of peers) {
    for (const e of entries(p)) {
      if (e.type === "config" && !config) config = e;
      if (e.type === "config" && (!latest || e.index > latest.index)) latest = e;
      if (e.type === "noop" && (!noop || e.index > noop.e.index)) noop = { e, p };
    }
  }
  if (latest && latest.index !== config.index) {
    // A membership change in view: the latest configuration is the one
    // each server uses (raft/confchange.go).
    const learners = (latest.learners || []).map(peerName);
    notes.push({
      id: "config",
      title: `#${latest.index} config ${configShort(latest)}`,
      text: `changes the members: each server follows the latest configuration in its log, committed or not (§4.1)${learners.length ? `; ${list(learners)}, after a +, ${learners.length > 1 ? "are learners: they receive" : "is a learner: it receives"} the log but count${learners.length > 1 ? "" : "s"} in no majority until caught up` : ""}.`,
    });
  } else if (config) {
    notes.push({
      id: "config",
      title: `#${config.index} config ${span(config.members || [])}`,
      text: `lists the cluster's members: Raft keeps them in the log like any entry${config.term === 1 ? ". It was written in term 1, when the cluster was set up" : ""}.`,
    });
  }
  if (leader && leader.term === 2 && config && config.term === 1) {
    notes.push({
      id: "term",
      title: "Why term 2?",
      text: `Entry #${config.index} is from term 1, and every election starts a new term: the first leader, ${peerName(leader.id)}, leads term 2.`,
    });
  }
  if (noop) {
    const { e, p } = noop;
    const who = leader && leader.term === e.term ? peerName(leader.id) : `The leader of term ${e.term}`;
    const before = (p.log || []).filter((x) => shown(x) && x.index < e.index && x.term < e.term).map((x) => `#${x.index}`);
    const older = before.length ? `, here ${list(before)}` : "";
    notes.push({
      id: "noop",
      title: `#${e.index} no-op (t${e.term}):`,
      text: `${who} appended it on being elected. A leader commits an entry by counting its copies only if the entry is from its own term (the paper's Figure 8 shows why); once the no-op commits, so does every entry before it${older}.`,
    });
  }
  const dashed = dashedNote(peers, shown, leader);
  if (dashed) notes.push(dashed);
  return notes;
}

// dashedNote explains a dashed entry that another server knows is
// committed; or, failing that, one that no server knows is committed yet.
function dashedNote(peers, shown, leader) {
  const knows = (p, e) => e.index <= (p.commit || 0);
  const holds = (p, e) => (p.log || []).some((x) => x.index === e.index && x.term === e.term);
  let pending = null;
  // The leader first: a new leader showing dashed what others know.
  const order = leader ? [leader, ...peers.filter((p) => p.id !== leader.id)] : peers;
  for (const p of order) {
    for (const e of p.log || []) {
      if (!shown(e) || knows(p, e)) continue;
      const other = peers.find((q) => q.id !== p.id && knows(q, e) && holds(q, e));
      if (other) {
        const learns =
          leader && p.id === leader.id
            ? `a new leader learns what is committed only when an entry of its own term commits`
            : `it learns that from the leader's next AppendEntries (its leaderCommit)`;
        return {
          id: "dashed",
          title: "Dashed",
          text: `means "this server does not know yet that the entry is committed", not "committed nowhere": ${peerName(p.id)} shows #${e.index} dashed, while ${peerName(other.id)} knows it is committed. ${cap(learns)}.`,
        };
      }
      if (!pending && leader && p.id === leader.id && e.term === leader.term) pending = e;
    }
  }
  if (pending) {
    return {
      id: "dashed",
      title: "Dashed",
      text: `entries are not known to be committed by the server showing them: no server knows yet that #${pending.index} is. The leader marks it committed once it hears that a majority of servers hold it.`,
    };
  }
  return null;
}

function cap(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
