// The path view: how two records are linked, each step a link to its record, the relation named
// between two steps. Optionally only through organisations and territories.
import * as ops from "./operations.js";
import { request } from "./api.js";
import { $, ask, h, kindOf } from "./dom.js";
import { number } from "./format.js";
import { language, t } from "./i18n.js";
import { recordLink } from "./panel.js";

const apiLanguage = () => language().toUpperCase();
const HOPS = 6; // as the API's path: at most 6 links
const REACH = 2000; // records visited at most by a path kept to organisations and territories

// The API's path gives the records, not the links: each step's relation is the one the registry
// declares between those two kinds of record; where two kinds are joined by more than one
// relation (a territory and a workshop: run in, or took part), the step says "linked to".
const RELATIONS = {
  "Actor|Territory": "PRESENT_IN", "Territory|UseCase": "IN_TERRITORY", "Priority|Territory": "IN_TERRITORY",
  "Experiment|Territory": "IN_TERRITORY", "SwotItem|Territory": "IN_TERRITORY", "Domain|UseCase": "IN_DOMAIN",
  "Domain|Priority": "IN_DOMAIN", "Domain|SwotItem": "IN_DOMAIN", "Actor|UseCase": "INVOLVES", "Actor|Experiment": "INVOLVES",
  "Experiment|UseCase": "REPLICATES", "Experiment|Priority": "SERVES", "Priority|Priority": "LINKED_TO",
  "Actor|SwotItem": "ABOUT_ACTOR", "SwotItem|Workshop": "FROM_WORKSHOP", "Actor|Workshop": "PARTICIPANT",
};
export const relation = (a, b) => RELATIONS[[a, b].sort().join("|")] || "LINKED";

// The API's `path` goes through any record, domains included, and takes no kinds. Kept to
// organisations and territories, the page walks the registry's "works on" links itself, a level
// at a time (one request per 100 records of a level), breadth first: the shortest such path.
async function placesPath(from, to, current) {
  const parent = new Map([[from, null]]);
  const records = new Map();
  let level = [from];
  for (let hop = 0; hop < HOPS && level.length && parent.size < REACH; hop++) {
    const next = [];
    for (let i = 0; i < level.length; i += 100) {
      const { nodes } = await request(ops.PlacesAround, { ids: level.slice(i, i + 100), lang: apiLanguage() });
      if (!current()) return undefined;
      for (const node of nodes) {
        if (!node) continue;
        records.set(node.id, node);
        for (const near of (node.actors || node.territories).nodes) {
          if (parent.has(near.id)) continue;
          parent.set(near.id, node.id);
          records.set(near.id, { ...near, __typename: node.__typename === "Territory" ? "Actor" : "Territory" });
          if (near.id === to) {
            const chain = [];
            for (let at = to; at !== null; at = parent.get(at)) chain.unshift(records.get(at));
            return { length: chain.length - 1, nodes: chain };
          }
          next.push(near.id);
        }
      }
    }
    level = next;
  }
  return null;
}

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
  const path = strict ? await placesPath(from, to, current) : (await request(ops.PathBetween, { from, to, lang: apiLanguage() })).path;
  if (!current() || path === undefined) return;
  if (!path) { out.replaceChildren(h("p", {}, t(strict ? "path.noneStrict" : "path.none"))); return; }
  const steps = [];
  path.nodes.forEach((n, i) => {
    if (i > 0) {
      const rel = relation(path.nodes[i - 1].__typename, n.__typename);
      steps.push(h("li", { class: "relation", "data-rel": rel }, t(`rel.${rel}`)));
    }
    steps.push(h("li", { class: "step", "data-id": n.id, "data-kind": n.__typename }, recordLink(n.id, n.label),
      ` (${t(`one.${n.__typename}`)})`));
  });
  out.replaceChildren(h("p", {}, t("path.length", { n: number(path.length) })), h("ol", { class: "path" }, steps));
}
