// The client panel: a named client sends lock, unlock or read to a chosen
// peer, and every request stays listed until its reply comes back.

import { html, setText } from "./svg.js";
import { outcomeText, peerName } from "./describe.js";

const NAME = /^[A-Za-z0-9_-]{1,32}$/; // TRACE.md's rule for client names
const SHOWN = 40;

const badge = {
  ok: ["outcome-ok", "✓ ok"],
  error: ["outcome-error", "✗ error"],
  redirect: ["outcome-other", "↪ redirect"],
  timeout: ["outcome-other", "⏱ timeout"],
  crashed: ["outcome-other", "✗ crashed"],
  down: ["outcome-other", "✗ down"],
};

export class Clients {
  constructor(root, send) {
    this.form = root.querySelector("[data-client-form]");
    this.name = root.querySelector("[data-client-name]");
    this.peer = root.querySelector("[data-client-peer]");
    this.error = root.querySelector("[data-client-error]");
    this.list = root.querySelector("[data-requests]");
    this.rows = new Map(); // req -> {li, state}
    this.form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const op = e.submitter ? e.submitter.value : "lock";
      const client = this.name.value.trim();
      if (!NAME.test(client)) {
        this.say("A client name is 1 to 32 letters, digits, - or _.");
        this.name.focus();
        return;
      }
      this.say("");
      const r = await send(op, client, Number(this.peer.value));
      if (r && r.error) this.say(r.error);
    });
    this.name.addEventListener("input", () => this.say(""));
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
      const state = `${r.outcome}|${r.reason}`;
      let row = this.rows.get(r.req);
      if (!row) {
        row = { li: html("li", { class: "request" }), state: null };
        this.rows.set(r.req, row);
        this.list.prepend(row.li);
      }
      if (row.state === state) continue;
      row.state = state;
      fill(row.li, r);
    }
  }

  clear() {
    this.rows.clear();
    this.list.replaceChildren();
  }
}

function fill(li, r) {
  const what = html("span", { class: "what" });
  what.append(`${r.client} → ${peerName(r.peer)} `);
  html("b", {}, what, r.op);
  let cls = "outcome-pending";
  let label = "waiting";
  if (r.outcome) [cls, label] = badge[r.outcome] || ["outcome-ok", `✓ ${r.outcome}`];
  const out = html("span", { class: `outcome ${cls}` }, null, label);
  const why = html("span", { class: "why" }, null, r.outcome ? r.reason || outcomeText(r) : "");
  li.dataset.outcome = r.outcome || "pending";
  li.dataset.req = r.req;
  li.replaceChildren(what, out, why);
}
