// The client panel: a named client sends lock, unlock or read to a chosen
// peer, and every request stays listed until its reply comes back.

import { html, setText } from "./svg.js";
import { outcomeText, peerName, short, waitingText } from "./describe.js";

const SHOWN = 40;

const badge = {
  ok: ["outcome-ok", "✓ ok"],
  error: ["outcome-error", "✗ error"],
  redirect: ["outcome-other", "↪ redirect"],
  timeout: ["outcome-other", "⏱ timeout"],
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
    this.rows = new Map(); // req -> {li, state}
    // TRACE.md's rule for client names; the form does not validate by
    // itself (novalidate), so the message is ours, not the browser's.
    const most = limits.clientName;
    const valid = new RegExp(`^[A-Za-z0-9_-]{1,${most}}$`);
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
    // Newest first: walk oldest to newest, each one going to the top.
    for (const r of reqs) {
      const why = r.outcome ? outcomeText(r) || r.reason : waitingText(r, model.time);
      const state = `${r.outcome}|${why}`;
      let row = this.rows.get(r.req);
      if (!row) {
        row = { li: html("li", { class: "request" }), state: null };
        this.rows.set(r.req, row);
        this.list.prepend(row.li);
      }
      if (row.state === state) continue;
      row.state = state;
      fill(row.li, r, why);
    }
  }

  clear() {
    this.rows.clear();
    this.list.replaceChildren();
  }
}

function fill(li, r, why) {
  const what = html("span", { class: "what" });
  what.append(`${short(r.client)} → ${peerName(r.peer)} `);
  if (short(r.client) !== r.client) what.title = `client ${r.client}`;
  html("b", {}, what, r.op);
  let cls = "outcome-pending";
  let label = "waiting";
  if (r.outcome) [cls, label] = badge[r.outcome] || ["outcome-ok", `✓ ${r.outcome}`];
  const out = html("span", { class: `outcome ${cls}` }, null, label);
  li.dataset.outcome = r.outcome || "pending";
  li.dataset.req = r.req;
  li.replaceChildren(what, out, html("span", { class: "why" }, null, why));
}
