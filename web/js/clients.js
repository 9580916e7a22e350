// The client panel: a named client sends lock, unlock or read to a chosen
// peer, and every request stays listed until its reply comes back.

import { html, setProp, setText } from "./svg.js";
import { outcomeText, peerName, short, waitingText } from "./describe.js";

const SHOWN = 40;

const badge = {
  ok: ["outcome-ok", "✓ ok"],
  error: ["outcome-error", "✗ error"],
  redirect: ["outcome-other", "↪ redirect"],
  timeout: ["outcome-other", "◷ timeout"], // ◷, not the emoji stopwatch: in DejaVu Sans, so no box where emoji fonts are missing
  crashed: ["outcome-other", "✗ crashed"],
  down: ["outcome-other", "✗ down"],
  failed: ["outcome-other", "✗ refused"],
};

export class Clients {
  // limits: the simulator's (raftplay.limits), for the longest name.
  constructor(root, limits, send) {
    this.form = root.querySelector("[data-client-form]");
    this.name = root.querySelector("[data-client-name]");
    this.peer = root.querySelector("[data-client-peer]");
    this.error = root.querySelector("[data-client-error]");
    this.list = root.querySelector("[data-requests]");
    this.rows = new Map(); // req -> {li, outcome, badge, why}
    // TRACE.md's rule for client names; the form does not validate by
    // itself (novalidate), so the message is ours, not the browser's.
    const most = limits.clientName;
    const valid = new RegExp(`^[A-Za-z0-9_-]{1,${most}}$`);
    this.valid = valid;
    this.name.maxLength = most;
    this.form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const op = e.submitter ? e.submitter.value : "lock";
      const client = this.name.value.trim();
      if (!valid.test(client)) {
        this.say(`A client name is 1 to ${most} letters, digits, - or _${client ? `: "${short(client, 20)}" is not` : ""}.`);
        this.name.setAttribute("aria-invalid", "true");
        this.name.focus();
        return;
      }
      this.say("");
      const r = await send(op, client, Number(this.peer.value));
      if (r && r.error) this.say(r.error);
    });
    this.name.addEventListener("input", () => {
      this.say("");
      this.name.removeAttribute("aria-invalid");
    });
  }

  say(text) {
    setText(this.error, text);
  }

  // peers fills the peer choice for a cluster of n, keeping the choice.
  peers(n) {
    const keep = Number(this.peer.value) || 1;
    this.peer.replaceChildren(...Array.from({ length: n }, (_, i) => html("option", { value: i + 1 }, null, peerName(i + 1))));
    this.peer.value = String(Math.min(keep, n));
  }

  // state is the form as the student left it, for a share link; restore
  // puts it back (a bad name or server is left as it is).
  state() {
    return { client: this.name.value.trim(), to: this.peer.value };
  }

  restore({ client, to }) {
    if (client !== undefined && this.valid.test(client)) this.name.value = client;
    if (to !== undefined && [...this.peer.options].some((o) => o.value === to)) this.peer.value = to;
  }

  choose(id) {
    this.peer.value = String(id);
    this.name.focus();
  }

  update(model) {
    const reqs = [...model.requests.values()].slice(-SHOWN);
    const keep = new Set(reqs.map((r) => r.req));
    for (const [req, row] of this.rows) {
      if (!keep.has(req)) {
        row.li.remove();
        this.rows.delete(req);
      }
    }
    // Newest first: walk oldest to newest, each one going to the top. A
    // row is built once; then only what changed in it is written (a
    // waiting request's countdown changes a few times a second).
    for (const r of reqs) {
      let row = this.rows.get(r.req);
      if (!row) {
        row = build(r);
        this.rows.set(r.req, row);
        this.list.prepend(row.li);
      }
      const outcome = r.outcome || "pending";
      if (row.outcome !== outcome) {
        row.outcome = outcome;
        row.li.dataset.outcome = outcome;
        const [cls, label] = r.outcome ? badge[r.outcome] || ["outcome-ok", `✓ ${r.outcome}`] : ["outcome-pending", "waiting"];
        setProp(row.badge, "className", `outcome ${cls}`);
        setText(row.badge, label);
      }
      setText(row.why, r.outcome ? outcomeText(r) || r.reason : waitingText(r, model.time));
    }
  }

  clear() {
    this.rows.clear();
    this.list.replaceChildren();
  }
}

// build makes a request's row: who sent what where, its outcome, and why.
function build(r) {
  const li = html("li", { class: "request", "data-req": r.req });
  const what = html("span", { class: "what" }, li);
  what.append(`${short(r.client)} → ${peerName(r.peer)} `);
  if (short(r.client) !== r.client) what.title = `client ${r.client}`;
  html("b", {}, what, r.op);
  return { li, outcome: "", badge: html("span", { class: "outcome" }, li), why: html("span", { class: "why" }, li) };
}
