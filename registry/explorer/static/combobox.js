// A search-as-you-type combobox (the WAI-ARIA combobox pattern, with a listbox popup).
// The choices come from the API as the user types, a few at a time, so a network of any size
// works: nothing is loaded into the page up front. Keyboard: arrows move through the choices
// (aria-activedescendant), Enter picks, Escape closes the list (and, closed, clears the text).
// The picked value is on the input as `data-value`; a "pick" event says it changed.
// `search(text)` answers [{value, label}], or null when there is nothing to search for yet.

const DELAY = 150; // ms of quiet typing before asking the API

export function combobox(input, search, none = () => "—") {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  let choices = [];
  let active = -1;
  let ticket = 0;
  let timer = null;

  const open = (yes) => {
    list.hidden = !yes;
    input.setAttribute("aria-expanded", String(yes));
    if (!yes) setActive(-1);
  };

  function setActive(index) {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0 && list.children[index]) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }

  function pick(index) {
    const choice = choices[index];
    if (!choice) return;
    input.value = choice.label;
    input.dataset.value = choice.value;
    open(false);
    input.dispatchEvent(new CustomEvent("pick", { detail: choice }));
  }

  async function refresh() {
    const mine = ++ticket;
    const found = await search(input.value.trim());
    if (mine !== ticket) return; // a later keystroke asked again: its answer wins
    choices = found || [];
    if (found === null) { list.replaceChildren(); open(false); return; } // nothing to search for yet
    list.replaceChildren(...(choices.length ? choices.map((c, i) => {
      const li = document.createElement("li");
      li.id = `${list.id}-${i}`;
      li.setAttribute("role", "option");
      li.dataset.value = c.value;
      li.textContent = c.label;
      li.addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus on the input
      li.addEventListener("click", () => pick(i));
      return li;
    }) : [noMatch()]));
    open(document.activeElement === input);
    setActive(choices.length ? 0 : -1);
  }

  function noMatch() {
    const li = document.createElement("li");
    li.className = "none";
    li.setAttribute("role", "option");
    li.setAttribute("aria-disabled", "true");
    li.textContent = none();
    return li;
  }

  const later = () => { clearTimeout(timer); timer = setTimeout(() => refresh().catch(() => open(false)), DELAY); };

  input.addEventListener("input", () => { delete input.dataset.value; later(); });
  input.addEventListener("focus", later);
  input.addEventListener("blur", () => open(false));
  input.addEventListener("keydown", (e) => {
    const shown = !list.hidden && choices.length > 0;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!shown) { later(); return; }
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((active + step + choices.length) % choices.length);
    } else if (e.key === "Enter" && shown && active >= 0) {
      e.preventDefault(); // pick, don't submit the form yet
      pick(active);
    } else if (e.key === "Escape") {
      if (!list.hidden) open(false);
      else { input.value = ""; delete input.dataset.value; }
    }
  });
  return { refresh };
}
