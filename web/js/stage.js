// The stage card: where a run that marks its moments (a scenario such as
// figure8) says, in the simulator's words, what the student is looking
// at. It shows the latest mark the run has reached; a mark that offers
// another future (Figure 8's (d), whose other future is (e)) gets a button
// that follows it.

import { setProp, setText } from "./svg.js";

const NUMBER = new Intl.NumberFormat("en-US");

export class Stage {
  constructor(root, rewind) {
    this.root = root;
    this.text = root.querySelector("[data-stage-text]");
    this.button = root.querySelector("[data-stage-rewind]");
    this.marks = []; // the marks reached, oldest first
    this.shown = null;
    this.button.addEventListener("click", () => rewind());
  }

  clear() {
    this.marks = [];
  }

  // take keeps the marks among a batch of events and shows the latest one
  // reached by time t.
  take(events, t) {
    for (const ev of events) if (ev.kind === "mark") this.marks.push(ev);
    let mark = null;
    for (let i = this.marks.length - 1; i >= 0; i--) {
      if (this.marks[i].time <= t) {
        mark = this.marks[i];
        break;
      }
    }
    if (mark === this.shown) return;
    this.shown = mark;
    setProp(this.root, "hidden", !mark);
    if (!mark) return;
    setText(this.text, mark.note);
    const branch = mark.rewind !== undefined;
    setProp(this.button, "hidden", !branch);
    if (branch) setText(this.button, `Back to ${NUMBER.format(mark.rewind)} ms: the other future`);
  }
}
