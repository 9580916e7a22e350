// The checkers' panel: the properties the simulator checks after every
// event (Figure 3's five, and that no client's write runs twice) and the
// clients' linearizability, each with its state. When one fails, the run
// pauses there and the panel says which, in the paper's words, what broke
// it and what to look at. The panel also breaks a rule of the paper: a new
// run breaking it, or a search (in a worker) for a run where it fails.
// The words come from the simulator (raftplay.properties and .rules).

import { html, setProp, setText } from "./svg.js";
import { peerName } from "./describe.js";

// The order the panel lists the properties in; "internal" shows only if
// it fails (a bug of the simulator).
const SHOWN = ["election-safety", "leader-append-only", "log-matching", "leader-completeness", "state-machine-safety", "exactly-once", "linearizability"];

export class Checks {
  // act: {breakRule(rule), search(rule), checkHistory(), cancel(), show(violation)}
  constructor(root, tab, { properties, rules }, act) {
    this.root = root;
    this.tab = tab;
    this.act = act;
    this.props = new Map(properties.map((p) => [p.id, p]));
    this.rules = new Map(rules.map((r) => [r.name, r]));
    this.list = root.querySelector("[data-check-list]");
    this.rows = new Map();
    for (const id of SHOWN) {
      const p = this.props.get(id);
      if (!p) continue;
      const li = html("li", { class: "check ok", "data-property": id }, this.list);
      const mark = html("span", { class: "check-mark", "aria-hidden": "true" }, li, "✓");
      const name = html("span", { class: "check-name", title: `${p.name}: ${p.definition} (${p.source})` }, li, p.name);
      const state = html("span", { class: "check-state" }, li);
      this.rows.set(id, { li, mark, name, state });
    }
    this.box = root.querySelector("[data-violation]");
    this.title = root.querySelector("[data-violation-title]");
    this.quote = root.querySelector("[data-violation-quote]");
    this.source = root.querySelector("[data-violation-source]");
    this.what = root.querySelector("[data-violation-what]");
    this.involved = root.querySelector("[data-violation-involved]");
    this.ruleSel = root.querySelector("[data-rule]");
    this.ruleAbout = root.querySelector("[data-rule-about]");
    for (const r of rules) html("option", { value: r.name }, this.ruleSel, r.name);
    this.ruleSel.addEventListener("change", () => this.about());
    root.querySelector("[data-rule-run]").addEventListener("click", () => this.ruleSel.value && act.breakRule(this.ruleSel.value));
    this.searchBtn = root.querySelector("[data-rule-search]");
    this.searchBtn.addEventListener("click", () => this.ruleSel.value && act.search(this.ruleSel.value));
    this.progress = root.querySelector("[data-search-progress]");
    this.progressText = root.querySelector("[data-search-text]");
    this.cancelBtn = root.querySelector("[data-search-cancel]");
    this.cancelBtn.addEventListener("click", () => act.cancel());
    this.historyBtn = root.querySelector("[data-check-history]");
    this.historyBtn.addEventListener("click", () => act.checkHistory());
    this.brokenNote = root.querySelector("[data-broken]");
    this.reset([]);
    this.about();
  }

  // about says what the chosen rule is and what breaking it risks.
  about() {
    const r = this.rules.get(this.ruleSel.value);
    const protects = r ? r.protects.map((id) => (this.props.get(id) || { name: id }).name).join(" and ") : "";
    setText(this.ruleAbout, r ? `Every server will ${r.summary}. This rule protects ${protects}.` : "Choose a rule of the paper to break.");
    setProp(this.searchBtn, "disabled", !r);
  }

  // reset starts over for a new run that breaks these rules.
  reset(broken) {
    this.violations = [];
    this.seen = new Set(); // the seqs of the checkers' violations taken
    this.linear = "";
    for (const [id, row] of this.rows) this.mark(id, row, "ok");
    this.box.hidden = true;
    const names = broken.join(", ");
    setText(this.brokenNote, broken.length ? `This run breaks ${names}: every server does.` : "This run keeps every rule of the paper.");
    this.brokenNote.classList.toggle("breaking", broken.length > 0);
    if (broken.length === 1 && this.rules.has(broken[0])) {
      this.ruleSel.value = broken[0];
      this.about();
    }
    this.badge();
  }

  mark(id, row, state, text = "") {
    row.li.className = `check ${state}`;
    setText(row.mark, state === "ok" ? "✓" : state === "broken" ? "✗" : "?");
    setText(row.state, text || (id === "linearizability" && state === "ok" ? (this.linear || "checked when the run pauses with this tab open") : state === "ok" ? "holds" : ""));
  }

  // known is how many of the checkers' violations Checks has (the status
  // counts them; the linearizability check's are not among them).
  get known() {
    return this.seen.size;
  }

  // take looks at new events and returns the violations among them it had
  // not seen: they come with the events and, after a replay or a gap in
  // the events, from the API's violations() (the app's catchUp).
  take(events) {
    const found = [];
    for (const ev of events) {
      if (ev.kind !== "violation" || this.seen.has(ev.seq)) continue;
      this.seen.add(ev.seq);
      found.push(ev);
    }
    if (!found.length) return found;
    this.violations.push(...found);
    this.violations.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity)); // the clients' history's last
    for (const ev of found) this.failed(ev);
    this.badge();
    return found;
  }

  failed(ev) {
    const id = ev.property || "internal";
    let row = this.rows.get(id);
    if (!row) {
      const p = this.props.get(id) || { name: id, definition: "", source: "" };
      const li = html("li", { class: "check", "data-property": id }, this.list);
      row = { li, mark: html("span", { class: "check-mark" }, li), name: html("span", { class: "check-name" }, li, p.name), state: html("span", { class: "check-state" }, li) };
      this.rows.set(id, row);
    }
    const n = this.violations.filter((v) => (v.property || "internal") === id).length;
    this.mark(id, row, "broken", n === 1 ? `broken at ${ms(ev.time)}` : `broken ${n} times, first at ${ms(this.violations.find((v) => (v.property || "internal") === id).time)}`);
  }

  // explain shows one violation: which property, the paper's words, what
  // happened and what to look at.
  explain(ev, model, ahead = false) {
    const p = this.props.get(ev.property) || { name: "A check", definition: "", source: "" };
    this.box.hidden = false;
    this.box.classList.toggle("ahead", ahead);
    const when = ahead ? `will fail at ${ms(ev.time)}` : `failed at ${ms(ev.time)}${ev.cause ? `, at event ${ev.cause}` : ""}`;
    setText(this.title, `${p.name} ${when}`);
    setText(this.quote, p.definition ? `“${cap(p.definition)}”` : "");
    setText(this.source, p.source ? `— ${p.source}` : "");
    setText(this.what, ev.reason || "");
    setText(this.involved, involved(ev, model));
  }

  // history shows the clients' linearizability as the worker found it.
  history(answer) {
    const row = this.rows.get("linearizability");
    if (!row) return;
    if (answer.linearizable === "no") {
      this.failed(answer.violation);
      this.violations.push(answer.violation);
      this.badge();
    } else {
      this.linear = answer.linearizable === "yes" ? `holds for the ${answer.operations} client operations so far` : "unknown: the check ran out of time";
      this.mark("linearizability", row, answer.linearizable === "yes" ? "ok" : "unknown", this.linear);
    }
  }

  // searching shows a search's progress (null: none).
  searching(p) {
    setProp(this.progress, "hidden", !p);
    setProp(this.cancelBtn, "hidden", !p);
    setProp(this.searchBtn, "disabled", Boolean(p) || !this.ruleSel.value);
    if (!p) return setText(this.progressText, "");
    this.progress.max = p.until || 1;
    this.progress.value = p.time || 0;
    setText(this.progressText, p.text || `Searching: ${p.time || 0} of ${p.until} runs`);
  }

  // badge puts the checks' state on the panel's tab, visible from any tab:
  // how many of the guarantees fail (as many as the list crosses out, one
  // digit), not how many times (the list says that), so the tab keeps
  // its width and the dock's tabs their one row.
  badge() {
    const failing = [...new Set(this.violations.map((v) => v.property || "internal"))];
    const n = failing.length;
    setText(this.tab, n ? `Checks ✗ ${n}` : "Checks");
    const names = failing.map((id) => (this.props.get(id) || { name: id }).name).join(", ");
    setProp(this.tab, "title", n ? `${n === 1 ? "A guarantee fails" : `${n} guarantees fail`}: ${names}` : "");
    this.tab.classList.toggle("broken", n > 0);
  }
}

// involved names what a violation involves, with what the page knows of
// each message.
function involved(ev, model) {
  const parts = [];
  if (ev.peers && ev.peers.length) parts.push(`servers ${ev.peers.map(peerName).join(", ")}`);
  if (ev.entries && ev.entries.length) parts.push(`${ev.entries.length === 1 ? "entry" : "entries"} ${ev.entries.map((e) => `#${e.index} (term ${e.term})`).join(", ")}`);
  for (const id of ev.msgs || []) {
    const m = model && model.eventOfMessage(id);
    parts.push(m ? `message #${id}, ${m.msg.type} ${peerName(m.msg.from)} → ${peerName(m.msg.to)}` : `message #${id}`);
  }
  if (ev.reqs && ev.reqs.length) parts.push(`client request${ev.reqs.length > 1 ? "s" : ""} ${ev.reqs.map((r) => `#${r}`).join(", ")}`);
  return parts.length ? `Look at: ${parts.join("; ")}.` : "";
}

const ms = (t) => `${Number(t || 0).toLocaleString("en-US")} ms`;
const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
