// The toolbar (play, step, skip, speed, the clock, a new run) and the
// keyboard shortcuts for the main controls.

import { html, setProp, setText } from "./svg.js";
import { SPEEDS } from "./player.js";

const MAX_PEERS = 9;
const MAX_SEED = Number.MAX_SAFE_INTEGER;
const NUMBER = new Intl.NumberFormat("en-US"); // made once: toLocaleString makes one per call

export class Controls {
  constructor(root, app) {
    this.app = app;
    this.playBtn = root.querySelector("[data-play]");
    this.playLabel = root.querySelector("[data-play-label]");
    this.speed = root.querySelector("[data-speed]");
    this.speedOut = root.querySelector("[data-speed-out]");
    this.clockOut = root.querySelector("[data-clock]");
    this.setupForm = root.querySelector("[data-setup]");
    this.peersSel = root.querySelector("[data-peers]");
    this.seedIn = root.querySelector("[data-seed]");
    this.scenarioSel = root.querySelector("[data-scenario]");
    this.scenarioAbout = root.querySelector("[data-scenario-about]");
    // The simulator names its starting setups; "election" takes a size.
    for (const sc of app.api.scenarios || [{ name: "election", summary: "" }]) {
      html("option", { value: sc.name, title: sc.summary }, this.scenarioSel, sc.name);
    }
    // A new size or setup starts a new run at once; a new seed waits for
    // "New run" (or Enter), since it is typed.
    this.scenarioSel.addEventListener("change", () => {
      this.sized();
      this.setupForm.requestSubmit();
    });
    this.peersSel.addEventListener("change", () => this.setupForm.requestSubmit());
    this.help = root.querySelector("[data-help-dialog]");
    this.speed.max = String(SPEEDS.length - 1);
    for (let n = 1; n <= MAX_PEERS; n++) html("option", { value: n }, this.peersSel, String(n));

    this.playBtn.addEventListener("click", () => app.player.toggle());
    root.querySelector("[data-step]").addEventListener("click", () => app.step());
    root.querySelector("[data-back]").addEventListener("click", () => app.back());
    root.querySelector("[data-skip]").addEventListener("click", () => app.skip(100));
    this.speed.addEventListener("input", () => app.player.setSpeed(Number(this.speed.value)));
    root.querySelector("[data-help]").addEventListener("click", () => this.help.showModal());
    root.querySelector("[data-share]").addEventListener("click", () => app.share());
    this.setupForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const seed = Number(this.seedIn.value);
      if (!Number.isSafeInteger(seed) || seed < 0) {
        app.notify(`A seed is a whole number from 0 to ${MAX_SEED}.`);
        this.seedIn.focus();
        return;
      }
      const scenario = this.scenarioSel.value;
      app.restart(scenario === "election" ? { peers: Number(this.peersSel.value), seed } : { scenario, seed });
    });
    document.addEventListener("keydown", (e) => this.key(e));
  }

  // state shows whether the run plays and how fast.
  state(player) {
    const playing = player.playing;
    this.playBtn.setAttribute("aria-pressed", String(playing));
    setText(this.playLabel, playing ? "Pause" : "Play");
    this.speed.value = String(player.speedIndex);
    const s = SPEEDS[player.speedIndex];
    const text = `${s}×`;
    setText(this.speedOut, text);
    this.speed.setAttribute("aria-valuetext", `${text} real time`);
    this.app.host.toggleAttribute("data-paused", !playing);
  }

  clock(t) {
    setText(this.clockOut, `${NUMBER.format(Math.floor(t))} ms`);
  }

  // pending says how many recorded actions a replayed run has still to play.
  pending(n) {
    const p = this.app.host.querySelector("[data-replaying]");
    setProp(p, "hidden", n === 0);
    setText(p, n === 1 ? "replay: 1 recorded action ahead" : `replay: ${n} recorded actions ahead`);
    setProp(p, "title", "Going back replays the run; your later actions play again, until you act: then the run takes the new path.");
  }

  setup(peers, seed, scenario = "election") {
    this.peersSel.value = String(peers);
    this.seedIn.value = String(seed);
    if ([...this.scenarioSel.options].some((o) => o.value === scenario)) this.scenarioSel.value = scenario;
    this.sized();
  }

  // sized offers the number of servers only where the setup takes one: a
  // scenario brings its own cluster.
  sized() {
    const sc = this.scenarioSel.selectedOptions[0];
    this.peersSel.disabled = this.scenarioSel.value !== "election";
    setText(this.scenarioAbout, sc ? sc.title : "");
  }

  key(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    const typing = t.closest && t.closest("input, select, textarea, dialog");
    if (typing) return;
    const app = this.app;
    const onControl = t.closest && t.closest("button, [role=button], a");
    switch (e.key) {
      case " ":
        if (onControl) return; // Space presses the focused button, as everywhere
        app.player.toggle();
        break;
      case ".":
        app.step();
        break;
      case ",":
        app.back();
        break;
      case ">":
        app.skip(100);
        break;
      case "-":
      case "_":
        app.player.setSpeed(app.player.speedIndex - 1);
        break;
      case "+":
      case "=":
        app.player.setSpeed(app.player.speedIndex + 1);
        break;
      case "[":
        app.selectMessage(-1);
        break;
      case "]":
        app.selectMessage(1);
        break;
      case "Delete":
      case "Backspace":
        if (!app.dropSelected()) return;
        break;
      case "c":
        if (!app.crashFocused()) return;
        break;
      case "?":
        this.help.showModal();
        break;
      case "Escape":
        app.popover.hide(true);
        break;
      default:
        if (/^[1-9]$/.test(e.key) && app.focusPeer(Number(e.key))) break;
        return;
    }
    e.preventDefault();
  }
}
