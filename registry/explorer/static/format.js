// Numbers, punctuation and order in the page's language: "8,5" and "Score : 8,5" in French.
import { language } from "./i18n.js";

export function number(value, digits = 1) {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(value);
}

// French puts a (narrow) no-break space before ":", ";", "?" and "!".
export function colon(label) {
  return language() === "fr" ? `${label}\u00a0: ` : `${label}: `;
}

export function byName(key = (x) => x) {
  return (a, b) => String(key(a)).localeCompare(String(key(b)), language(), { sensitivity: "base" });
}

// Pickers: an exact match first, then names starting with the text, then the rest in the API's order.
export function rankChoices(choices, text) {
  const norm = (s) => String(s).normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
  const wanted = norm(text);
  if (!wanted) return choices;
  const rank = (c) => {
    const name = norm(c.name ?? c.label);
    if (name === wanted) return 0;
    if (name.startsWith(wanted)) return 1;
    return 2;
  };
  return choices.map((c, i) => [rank(c), i, c]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , c]) => c);
}
