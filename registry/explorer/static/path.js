// The path view: how two records are linked, each step a link to its record, the relation the
// API gives named between two steps. Optionally only through organisations and territories (the
// API's `kinds`).
import * as ops from "./operations.js";
import { request } from "./api.js";
import { $, ask, h, kindOf } from "./dom.js";
import { number } from "./format.js";
import { language, t } from "./i18n.js";
import { recordLink } from "./panel.js";

const apiLanguage = () => language().toUpperCase();
// Kept to organisations and territories, only those kinds may stand between the two ends.
const PLACES = ["ACTOR", "TERRITORY"];

export async function findPath() {
  const [from, to] = [$("#path-from").dataset.value, $("#path-to").dataset.value];
  const out = $("#path-result");
  if (!from || !to) { out.replaceChildren(h("p", {}, t("path.pick"))); return; }
  const strict = $("#path-strict").checked;
  const places = ["Actor", "Territory"];
  if (strict && !(places.includes(kindOf(from)) && places.includes(kindOf(to)))) {
    out.replaceChildren(h("p", {}, t("path.strictKinds")));
    return;
  }
  const current = ask("path");
  const kinds = strict ? PLACES : null;
  const { path } = await request(ops.PathBetween, { from, to, lang: apiLanguage(), kinds });
  if (!current()) return;
  if (!path) { out.replaceChildren(h("p", {}, t(strict ? "path.noneStrict" : "path.none"))); return; }
  const steps = [];
  path.nodes.forEach((n, i) => {
    if (i > 0) {
      // The API names the link of each step; a link stated the other way reads backwards.
      const step = path.steps[i - 1];
      steps.push(h("li", { class: "relation", "data-rel": step.relation, "data-forward": String(step.forward) },
        t(`rel.${step.relation}`)));
    }
    steps.push(h("li", { class: "step", "data-id": n.id, "data-kind": n.__typename }, recordLink(n.id, n.label),
      ` (${t(`one.${n.__typename}`)})`));
  });
  out.replaceChildren(h("p", {}, t("path.length", { n: number(path.length) })), h("ol", { class: "path" }, steps));
}
