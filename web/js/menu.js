// A menu button in the toolbar (Save): its list opens under it, and closes
// on a choice, on Escape (focus back on the button), or on a click
// elsewhere. The list's buttons act by themselves (app.js binds them).

export function bindMenus(root) {
  for (const menu of root.querySelectorAll("[data-menu]")) {
    const button = menu.querySelector("[data-menu-button]");
    const list = menu.querySelector(".menu-list");
    const open = (on) => {
      list.hidden = !on;
      button.setAttribute("aria-expanded", String(on));
    };
    button.addEventListener("click", () => {
      open(list.hidden);
      if (!list.hidden) list.querySelector("button").focus();
    });
    list.addEventListener("click", (e) => {
      if (e.target.closest("button")) open(false);
    });
    menu.addEventListener("keydown", (e) => {
      if (e.key !== "Escape" || list.hidden) return;
      e.stopPropagation();
      open(false);
      button.focus();
    });
    document.addEventListener("pointerdown", (e) => {
      if (!menu.contains(e.target)) open(false);
    });
  }
}
