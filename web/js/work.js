// Long work and its end: while the simulator replays a run or runs far
// ahead, a bar says how far it got and a button cancels it; a run that
// stopped for good (a limit of the simulator, an action of a shared run
// that cannot happen) says so where the student looks, until the run
// changes. The simulator's words say why; the page adds what to do.

import { setProp, setText } from "./svg.js";

const CALLS = { replay: "Replaying the run", advance: "Running ahead", step: "Looking for the next event" };
const NUMBER = new Intl.NumberFormat("en-US");

export class Work {
  constructor(panel, halted, cancel) {
    this.panel = panel;
    this.text = panel.querySelector("[data-work-text]");
    this.bar = panel.querySelector("[data-work-bar]");
    this.button = panel.querySelector("[data-work-cancel]");
    this.halted = halted;
    this.label = "";
    this.button.addEventListener("click", () => {
      this.button.disabled = true;
      setText(this.text, "Canceling…");
      cancel();
    });
    document.addEventListener("raftplay:progress", (e) => this.progress(e.detail));
  }

  // named sets what the next long work is called ("Replaying the shared
  // run"); the call's own name says it otherwise.
  named(label) {
    this.label = label;
  }

  progress({ call, time, until }) {
    const done = until > 0 ? Math.min(1, time / until) : 0;
    setText(this.text, `${this.label || CALLS[call] || "Working"} to ${NUMBER.format(until)} ms: ${Math.round(100 * done)}%`);
    setProp(this.bar, "value", done);
    if (this.panel.hidden) {
      this.button.disabled = false;
      this.panel.hidden = false;
    }
  }

  // done hides the bar: the long work answered (or was canceled).
  done() {
    this.label = "";
    setProp(this.panel, "hidden", true);
  }

  // stopped shows why the run stopped for good, or hides the notice ("").
  stopped(why) {
    setProp(this.halted, "hidden", !why);
    if (why) setText(this.halted, `${capital(why)}. Everything up to this moment can still be read; Back goes to an earlier one, New run starts afresh.`);
  }
}

function capital(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
