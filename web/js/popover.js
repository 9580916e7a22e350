// One popover over the ring: a peer's menu (crash, restart, isolate, send
// requests to it), or a message's fields (on hover, or pinned by a click,
// with a button to drop it). It is HTML placed over the SVG, so its text
// wraps and its buttons are ordinary, focusable buttons.

import { html, setText } from "./svg.js";
import { messageFields, messageName, peerName, range, shownRole } from "./describe.js";

const GAP = 14;

export class Popover {
  constructor(wrap, node, actions) {
    this.wrap = wrap;
    this.node = node;
    this.actions = actions; // {crash, restart, timeout, transfer, link, isCut, isolate, heal, target, drop, closed}
    this.kind = ""; // "", "peer", "message"
    this.id = 0;
    this.pinned = false;
    this.anchor = null;
    this.returnFocus = null;
    this.shape = ""; // what the open popover was built for
    node.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-do]");
      if (b) this.run(b.dataset.do, Number(b.dataset.to));
    });
    node.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        this.hide(true);
      }
    });
    document.addEventListener("pointerdown", (e) => {
      if (this.pinned && !node.contains(e.target) && !e.target.closest(".peer, .msg")) this.hide();
    });
  }

  get open() {
    return this.kind !== "";
  }

  showPeer(model, id, anchor, byKeyboard) {
    this.kind = "peer";
    this.id = id;
    this.shape = "";
    this.pinned = true;
    this.anchor = anchor;
    this.returnFocus = anchor;
    this.node.classList.remove("hover");
    this.node.setAttribute("aria-label", `Actions for ${peerName(id)}`);
    this.refresh(model);
    if (byKeyboard) {
      const first = this.node.querySelector("button");
      if (first) first.focus();
    }
  }

  showMessage(model, id, anchor, pinned) {
    if (!pinned && this.pinned) return;
    this.kind = "message";
    this.id = id;
    this.shape = "";
    this.pinned = pinned;
    this.anchor = anchor;
    this.node.classList.toggle("hover", !pinned);
    this.node.setAttribute("aria-label", "Message details");
    this.refresh(model);
  }

  hide(restoreFocus = false) {
    if (!this.open) return;
    this.kind = "";
    this.id = 0;
    this.shape = "";
    this.pinned = false;
    this.node.hidden = true;
    this.node.replaceChildren();
    if (restoreFocus && this.returnFocus && this.returnFocus.isConnected) this.returnFocus.focus();
    this.returnFocus = null;
    this.actions.closed();
  }

  hideHover() {
    if (this.kind === "message" && !this.pinned) this.hide();
  }

  // refresh redraws the open popover from the model (the peer changed, the
  // message arrived).
  refresh(model) {
    const before = this.shape;
    if (this.kind === "peer") this.drawPeer(model);
    else if (this.kind === "message") this.drawMessage(model);
    if (!this.open || this.shape === before) return;
    this.node.hidden = false;
    this.place();
  }

  // drawPeer rebuilds the menu only when its buttons change, so focus
  // stays on a button while the run plays; otherwise it updates the text.
  drawPeer(model) {
    const p = model.peer(this.id);
    if (!p) return this.hide();
    const name = peerName(p.id);
    const snap = model.snapshot;
    const split = Boolean(snap && ((snap.groups && snap.groups.length) || (snap.cuts && snap.cuts.length)));
    const others = model.peers.filter((q) => q.id !== p.id).map((q) => q.id);
    const cut = others.map((id) => this.actions.isCut(p.id, id));
    const leads = p.up && p.role === "leader";
    // Only a leader can hand over leadership (dissertation section 3.10).
    const leader = model.peers.find((q) => q.up && q.role === "leader" && q.id !== p.id);
    // Only a leader changes the membership (dissertation chapter 4).
    const chief = model.peers.find((q) => q.up && q.role === "leader");
    const standing = model.standing(p.id);
    const shape = `${p.id}|${p.up}|${split}|${cut.join()}|${leads}|${leader ? leader.id : 0}|${chief ? chief.id : 0}|${standing}`;
    if (this.shape !== shape) {
      this.shape = shape;
      const focused = this.node.contains(document.activeElement) ? document.activeElement.dataset.do + (document.activeElement.dataset.to || "") : "";
      const actions = html("div", { class: "actions" });
      if (p.up) button(actions, "crash", `Crash ${name}`, "button-danger");
      else button(actions, "restart", `Restart ${name}`);
      // A leader has no election timer to run out.
      if (p.up && !leads) button(actions, "timeout", "Time out now").title = "Its election timer runs out now: it becomes a candidate in the next term and asks for votes (with PreVote, it first asks whether it would win)";
      // A learner, or a server out of the cluster, cannot be elected.
      if (p.up && leader && standing !== "learner" && standing !== "out") {
        const from = peerName(leader.id);
        button(actions, "transfer", `Make ${name} the leader`).title =
          `${from} hands over leadership to ${name} (dissertation section 3.10): it sends ${name} what its log lacks, then tells it to stand now (TimeoutNow); it takes no writes meanwhile, and gives up after an election timeout`;
      }
      if (chief && (standing === "voter" || standing === "learner")) {
        button(actions, "remove", `Remove ${name} from the cluster`).title = leads
          ? `${name} leads on, not counting itself in majorities, until the change commits; then it hands over leadership and steps down (dissertation section 4.2.2)`
          : `${peerName(chief.id)} removes ${name}: the new configuration counts from the moment the leader appends it (dissertation chapter 4)`;
      } else if (chief && standing === "out") {
        button(actions, "add", `Add ${name} to the cluster`).title =
          `${peerName(chief.id)} adds ${name} as a learner: it catches up on the log, then becomes a voter (dissertation section 4.2.1)`;
      }
      if (split) button(actions, "heal", "Heal the network");
      else if (model.peers.length > 1) button(actions, "isolate", `Isolate ${name}`);
      button(actions, "target", `Send requests to ${name}`);
      // Every link of this server, cut or restored from the keyboard too.
      const links = html("div", { class: "links-row", role: "group", "aria-label": `${name}'s links` });
      if (others.length) {
        html("span", { class: "links-label" }, links, "Links:");
        others.forEach((id, i) => {
          const b = button(links, "link", peerName(id), `chip${cut[i] ? " chip-cut" : ""}`);
          b.dataset.to = String(id);
          b.setAttribute("aria-pressed", String(cut[i]));
          b.setAttribute("aria-label", `${cut[i] ? "Restore" : "Cut"} the link ${name} – ${peerName(id)}`);
          b.title = `${name} – ${peerName(id)}: ${cut[i] ? "cut; press to restore it" : "press to cut it"}`;
        });
      }
      this.node.replaceChildren(html("h3"), html("p"), actions, links);
      const again = focused && ([...this.node.querySelectorAll("button")].find((b) => b.dataset.do + (b.dataset.to || "") === focused) || this.node.querySelector("button"));
      if (again) again.focus();
    }
    const [title, text] = this.node.children;
    // As the ring names it: a follower catching up is a learner.
    const role = shownRole(p, standing);
    setText(title, `${name} · ${role === "out" ? "out of the cluster" : role}`);
    const snapText = p.snapshotIndex ? ` Snapshot: entries ${range(1, p.snapshotIndex)} (term ${p.snapshotTerm || 0}) and the lock's state after them.` : "";
    if (p.up) {
      const lock = p.lock && p.lock.locked ? `locked by ${p.lock.holder}` : "free";
      setText(text, `Term ${p.term}, voted for ${p.vote ? peerName(p.vote) : "nobody"}. Log up to index ${p.lastIndex || 0}, committed to ${p.commit || 0}, applied to ${p.applied || 0}. Lock: ${lock}.${snapText}`);
    } else if (p.snapshotIndex) {
      setText(text, `Kept on disk: term ${p.term}, vote for ${p.vote ? peerName(p.vote) : "nobody"}, its snapshot (entries ${range(1, p.snapshotIndex)} and the lock's state after them) and its log up to index ${p.lastIndex || 0}. Lost: its commit index and the lock state it had applied; after a restart it starts from the snapshot and replays the log after it.`);
    } else {
      setText(text, `Kept on disk: term ${p.term}, vote for ${p.vote ? peerName(p.vote) : "nobody"}, log up to index ${p.lastIndex || 0}. Lost: its commit index and lock state, rebuilt from the log after a restart.`);
    }
  }

  drawMessage(model) {
    const m = model.messages.get(this.id);
    if (!m) {
      const fate = model.fates.get(this.id);
      if (!this.pinned || !fate) return this.hide();
      const p = this.node.querySelector("[data-fate]");
      if (p) setText(p, fate.kind === "deliver" ? `It arrived at ${fate.at} ms.` : `It was lost at ${fate.at} ms (${fate.reason}).`);
      const b = this.node.querySelector("button[data-do=drop]");
      if (b) b.remove();
      return;
    }
    const shape = `m${m.id}|${this.pinned}`;
    if (this.shape === shape) return;
    this.shape = shape;
    const msg = m.msg;
    const parts = [html("h3", {}, null, `${peerName(msg.from)} → ${peerName(msg.to)} ${messageName(msg)}`)];
    const dl = html("dl");
    for (const [k, v] of messageFields(msg)) {
      html("dt", {}, dl, k);
      html("dd", {}, dl, v);
    }
    html("dt", {}, dl, "in flight");
    html("dd", {}, dl, `${Math.round(m.sent)} → ${m.arrive} ms${m.dup ? " (a duplicate)" : ""}`);
    parts.push(dl);
    parts.push(html("p", { "data-fate": "" }, null, this.pinned ? "" : "Click to pin, then drop it if you like."));
    if (this.pinned) {
      const actions = html("div", { class: "actions" });
      button(actions, "drop", "Drop this message", "button-danger");
      parts.push(actions);
    }
    this.node.replaceChildren(...parts);
  }

  // place puts the popover beside its anchor, over the panels: to its
  // right, its left, under or over it, the first of these that leaves the
  // anchor in view (a crashed server's hatching, a message's glyph).
  place() {
    if (!this.anchor || !this.anchor.isConnected) return;
    const box = this.wrap.getBoundingClientRect();
    const r = this.anchor.getBoundingClientRect();
    const a = { l: r.left - box.left, t: r.top - box.top, r: r.right - box.left, b: r.bottom - box.top };
    const w = this.node.offsetWidth;
    const h = this.node.offsetHeight;
    const midX = (a.l + a.r) / 2 - w / 2;
    const midY = (a.t + a.b) / 2 - h / 2;
    const clamp = (x, y) => ({ x: Math.max(4, Math.min(x, box.width - w - 4)), y: Math.max(4, Math.min(y, box.height - h - 4)) });
    const covers = ({ x, y }) => Math.max(0, Math.min(x + w, a.r) - Math.max(x, a.l)) * Math.max(0, Math.min(y + h, a.b) - Math.max(y, a.t));
    const spots = [clamp(a.r + GAP, midY), clamp(a.l - GAP - w, midY), clamp(midX, a.b + GAP), clamp(midX, a.t - GAP - h)];
    let best = spots[0];
    for (const s of spots) {
      if (covers(s) < covers(best)) best = s;
      if (covers(best) === 0) break;
    }
    this.node.style.left = `${best.x}px`;
    this.node.style.top = `${best.y}px`;
  }

  run(what, to) {
    const id = this.id;
    const a = this.actions;
    switch (what) {
      case "link":
        return a.link(id, to);
      case "crash":
        return a.crash(id);
      case "restart":
        return a.restart(id);
      case "timeout":
        return a.timeout(id);
      case "transfer":
        return a.transfer(id);
      case "add":
        return a.add(id);
      case "remove":
        return a.remove(id);
      case "isolate":
        return a.isolate(id);
      case "heal":
        return a.heal();
      case "target":
        this.hide();
        return a.target(id);
      case "drop":
        return a.drop(id);
    }
  }
}

function button(parent, what, label, extra = "") {
  return html("button", { type: "button", class: `button ${extra}`.trim(), "data-do": what }, parent, label);
}
