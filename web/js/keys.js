// The page's keyboard shortcuts. They work wherever the focus is, except
// where a key types (a text field, a list to choose from, a dialog): Space
// plays and pauses even after a click on a button, rather than pressing
// that button again.

// typing says whether a key pressed at el belongs to el.
function typing(el) {
  if (!el || !el.closest) return false;
  if (el.closest("textarea, select, dialog, [contenteditable]")) return true;
  const input = el.closest("input");
  return Boolean(input) && !["button", "checkbox", "radio", "range", "submit", "reset"].includes(input.type);
}

// bindKeys calls the page's actions from keys: {toggle, step, back, skip,
// slower, faster, previous, next, drop, crash, help, close, focusPeer(n)}.
// An action answering false leaves the key to the browser.
export function bindKeys(actions) {
  const table = {
    " ": actions.toggle,
    ".": actions.step,
    ",": actions.back,
    ">": actions.skip,
    "-": actions.slower,
    _: actions.slower,
    "+": actions.faster,
    "=": actions.faster,
    "[": actions.previous,
    "]": actions.next,
    Delete: actions.drop,
    Backspace: actions.drop,
    c: actions.crash,
    "?": actions.help,
    Escape: actions.close,
  };
  const ours = (e) => !e.defaultPrevented && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target);
  document.addEventListener("keydown", (e) => {
    if (!ours(e)) return;
    const act = table[e.key] || (/^[1-9]$/.test(e.key) ? () => actions.focusPeer(Number(e.key)) : null);
    if (!act || act() === false) return;
    e.preventDefault();
  });
  // A button (or a checkbox) acts on Space when the key comes up: that is
  // the play key here, so its release presses nothing.
  document.addEventListener("keyup", (e) => {
    if (e.key === " " && ours(e)) e.preventDefault();
  });
}
