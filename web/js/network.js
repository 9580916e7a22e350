// The network panel: latency and loss for every link, and a two-sided
// partition built by moving servers between the sides.

import { html, setText } from "./svg.js";
import { peerName } from "./describe.js";

// Latency stops: one-way [min, max] ms. The paper's 10–30 ms is the default.
const LATENCY = [[1, 3], [2, 6], [5, 15], [10, 30], [20, 60], [50, 150], [100, 300], [250, 750], [500, 1500]];

export class Network {
  constructor(root, act, notify) {
    this.act = act; // (call, ...args) => Promise
    this.notify = notify;
    this.latency = root.querySelector("[data-latency]");
    this.latencyOut = root.querySelector("[data-latency-out]");
    this.loss = root.querySelector("[data-loss]");
    this.lossOut = root.querySelector("[data-loss-out]");
    this.groups = root.querySelector("[data-groups]");
    this.state = root.querySelector("[data-partition-state]");
    this.side = []; // side[id-1]: 0 or 1
    this.shownGroups = "";
    this.shownState = "";

    this.latency.addEventListener("input", () => this.showLatency());
    this.latency.addEventListener("change", () => {
      const [min, max] = LATENCY[Number(this.latency.value)];
      act("network", { latencyMinMs: min, latencyMaxMs: max });
    });
    this.loss.addEventListener("input", () => this.showLoss());
    this.loss.addEventListener("change", () => act("network", { loss: Number(this.loss.value) / 100 }));
    root.querySelector("[data-partition]").addEventListener("click", () => this.split());
    root.querySelector("[data-heal]").addEventListener("click", () => act("heal"));
    this.groups.addEventListener("click", (e) => {
      const chip = e.target.closest(".chip");
      if (!chip) return;
      const id = Number(chip.dataset.peer);
      this.side[id - 1] ^= 1;
      this.drawSides();
      this.groups.querySelector(`[data-peer="${id}"]`).focus();
    });
  }

  // peers sets up the sides for a cluster of n: a minority on side B, so
  // "Split" makes a telling partition at once.
  peers(n) {
    this.side = Array.from({ length: n }, (_, i) => (n > 1 && i >= n - Math.floor((n - 1) / 2) ? 1 : 0));
    this.shownGroups = "";
    this.shownState = "";
    this.drawSides();
  }

  // sides is the partition being built, for a share link: "AABBB".
  // restore puts it back, if it is one for this many servers.
  get sides() {
    return this.side.map((s) => "AB"[s]).join("");
  }

  restore(sides) {
    if (typeof sides !== "string" || sides.length !== this.side.length || !/^[AB]+$/.test(sides)) return;
    this.side = [...sides].map((c) => (c === "B" ? 1 : 0));
    this.drawSides();
  }

  drawSides() {
    const boxes = ["A", "B"].map((name, s) => {
      const box = html("div", { class: "side" });
      html("span", { class: "side-name" }, box, `side ${name}`);
      const list = html("div", { class: "side-peers" }, box);
      this.side.forEach((side, i) => {
        if (side !== s) return;
        html("button", { type: "button", class: "chip", "data-peer": i + 1, "aria-label": `${peerName(i + 1)}, on side ${name}: move to side ${name === "A" ? "B" : "A"}` }, list, peerName(i + 1));
      });
      return box;
    });
    this.groups.replaceChildren(...boxes);
  }

  split() {
    const a = [];
    const b = [];
    this.side.forEach((s, i) => (s ? b : a).push(i + 1));
    if (!a.length || !b.length) {
      this.notify("Put at least one server on each side, then split.");
      return;
    }
    this.act("partition", [a, b]);
  }

  showLatency() {
    const [min, max] = LATENCY[Number(this.latency.value)];
    setText(this.latencyOut, `${min}–${max} ms`);
  }

  showLoss() {
    setText(this.lossOut, `${this.loss.value}%`);
  }

  // update follows the run's network settings, and a two-sided partition
  // made elsewhere (the peer menu), unless the user is dragging a slider.
  update(model) {
    const snap = model.snapshot;
    if (!snap) return;
    const link = snap.link || {};
    if (document.activeElement !== this.latency) {
      const i = nearest(link.latencyMinMs ?? 10, link.latencyMaxMs ?? 30);
      if (String(i) !== this.latency.value) this.latency.value = String(i);
      const [min, max] = [link.latencyMinMs ?? 10, link.latencyMaxMs ?? 30];
      setText(this.latencyOut, `${min}–${max} ms`);
    }
    if (document.activeElement !== this.loss) {
      const v = String(Math.round((link.loss || 0) * 100));
      if (v !== this.loss.value) this.loss.value = v;
      this.showLoss();
    }
    const groups = JSON.stringify(snap.groups || []);
    const cuts = snap.cuts || [];
    const shown = groups + JSON.stringify(cuts);
    if (shown !== this.shownState) {
      this.shownState = shown;
      // The sides above are a plan until Split: this line says what is
      // in force now, cut links included.
      const split = snap.groups && snap.groups.length > 1;
      this.state.classList.toggle("split", Boolean(split) || cuts.length > 0);
      const cut = cuts.length === 0 ? "" : ` Cut: ${describeCuts(cuts)}.`;
      setText(
        this.state,
        split
          ? `Split now: ${snap.groups.map((g) => g.map(peerName).join(" ")).join(" | ")}. No message crosses between the sides.${cut}`
          : cuts.length > 0
            ? `Not split, but some links are cut.${cut}`
            : "Not split: every server can reach every other.",
      );
    }
    if (groups !== this.shownGroups) {
      this.shownGroups = groups;
      if (snap.groups && snap.groups.length === 2) {
        this.side = this.side.map((_, i) => (snap.groups[1].includes(i + 1) ? 1 : 0));
        this.drawSides();
      }
    }
  }
}

// describeCuts names cut links: "s1 – s2" when both ways are cut, "s1 → s2"
// for one direction.
function describeCuts(cuts) {
  const has = new Set(cuts.map(([a, b]) => `${a}>${b}`));
  const out = [];
  for (const [a, b] of cuts) {
    if (!has.has(`${b}>${a}`)) out.push(`${peerName(a)} → ${peerName(b)}`);
    else if (a < b) out.push(`${peerName(a)} – ${peerName(b)}`);
  }
  return out.join(", ");
}

function nearest(min, max) {
  let best = 0;
  LATENCY.forEach(([a, b], i) => {
    const [x, y] = LATENCY[best];
    if (Math.abs(a - min) + Math.abs(b - max) < Math.abs(x - min) + Math.abs(y - max)) best = i;
  });
  return best;
}
