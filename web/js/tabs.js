// Tabs: one panel of several shown at a time (the dock's "Events", what
// happened, "Network", "Legend", "Diagram" and "Checks"), as the WAI-ARIA
// tabs pattern has it: arrow keys move between the tabs, each tab names
// its panel.

export class Tabs {
  constructor(list, changed = () => {}) {
    this.list = list;
    this.changed = changed; // (name) => void, after a tab is shown
    this.tabs = [...list.querySelectorAll("[role=tab]")];
    list.addEventListener("click", (e) => {
      const tab = e.target.closest("[role=tab]");
      if (tab) this.show(tab.dataset.tab);
    });
    list.addEventListener("keydown", (e) => {
      const i = this.tabs.indexOf(document.activeElement);
      if (i < 0) return;
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      const to = step ? this.tabs[(i + step + this.tabs.length) % this.tabs.length] : e.key === "Home" ? this.tabs[0] : e.key === "End" ? this.tabs.at(-1) : null;
      if (!to) return;
      e.preventDefault();
      this.show(to.dataset.tab);
      to.focus();
    });
  }

  get current() {
    const t = this.tabs.find((x) => x.getAttribute("aria-selected") === "true");
    return t ? t.dataset.tab : "";
  }

  // show selects the tab named name and shows its panel.
  show(name) {
    const tab = this.tabs.find((t) => t.dataset.tab === name);
    if (!tab) return false;
    for (const t of this.tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
    this.changed(name);
    return true;
  }
}
