// French and English words of the page; the data's own words come from the API in the language asked.
const WORDS = {
  en: {
    title: "Self Data Territorial explorer",
    language: "Language",
    nav: "Views",
    "nav.network": "Network",
    "nav.partners": "Partner finder",
    "nav.experiments": "Experiment finder",
    "nav.path": "Path",
    "nav.hubs": "Hubs and review",
    "network.intro": "Territories, the organisations working on them, and the use cases linking them. Select a node to see its record.",
    "filter.domain": "Domain",
    "filter.country": "Country",
    "filter.actorKind": "Organisation kind",
    any: "Any",
    "network.showMore": "Show more",
    "network.shown": "{shown} of {total} use cases shown",
    "legend.territory": "Territory",
    "legend.actor": "Organisation",
    "legend.useCase": "Use case",
    "record.title": "Record",
    "record.none": "Select a node or a link to see its record.",
    "record.sources": "Sources",
    "record.noSources": "No source.",
    "partners.pick": "Territory",
    "combo.help": "Type to search, then choose with the arrow keys and Enter.",
    "combo.none": "Nothing found",
    "partners.intro": "Partner cities, ranked, with the reasons in words.",
    "partners.city": "Partner city",
    "partners.score": "Score",
    "partners.reasons": "Reasons",
    "partners.domains": "Shared domains",
    "partners.organisations": "Shared organisations",
    "partners.platforms": "Shared platforms",
    "experiments.pick": "Roadmap priority",
    "experiments.intro": "Published use cases that could become an experiment for this priority, ranked, with their reasons.",
    "experiments.status": "Status",
    "experiments.open": "Open the record",
    "path.from": "From",
    "path.to": "To",
    "path.find": "Find the path",
    "path.none": "These records are not linked (within 6 links).",
    "path.pick": "Choose both records first.",
    "path.length": "{n} links",
    "kind.Territory": "Territories",
    "kind.Actor": "Organisations",
    "kind.UseCase": "Use cases",
    "kind.Domain": "Domains",
    "one.Territory": "Territory", "one.Actor": "Organisation", "one.UseCase": "Use case", "one.Domain": "Domain",
    "one.Priority": "Priority", "one.Experiment": "Experiment", "one.Workshop": "Workshop", "one.SwotItem": "SWOT item",
    "one.RoadmapAction": "Roadmap action",
    "hubs.key": "API key (hub or coordinator)",
    "hubs.keyHelp": "Kept in this tab's session only; sent as Authorization: Bearer.",
    "hubs.useKey": "Use this key",
    "hubs.forgetKey": "Forget the key",
    "hubs.keySaved": "A key is in use for this session.",
    "hubs.noKey": "No key: you read published records only.",
    "hubs.form": "Case study",
    "hubs.new": "New case study",
    "hubs.editing": "Editing {slug} (version {version}, {state})",
    "field.slug": "Slug (e.g. helsinki-waste-sorting)",
    "field.titleEn": "Title in English",
    "field.titleFr": "Title in French",
    "field.summaryEn": "Summary in English",
    "field.summaryFr": "Summary in French",
    "field.status": "Status",
    "field.governance": "Governance model",
    "field.domains": "Domains",
    "field.territories": "Territories",
    "field.yearStart": "Start year",
    "field.yearEnd": "End year",
    "field.country": "Country (ISO code, for a national use case)",
    "field.sourceUrl": "Source address (URL)",
    "field.sourceTitle": "Source title",
    "hubs.saveDraft": "Save draft",
    "hubs.submit": "Submit for review",
    "hubs.saved": "Saved: {state}.",
    "hubs.mine": "Case studies of hubs",
    "hubs.review": "Submitted for review",
    "hubs.noneToReview": "Nothing waits for review.",
    "hubs.edit": "Edit",
    "hubs.publish": "Publish",
    "hubs.reject": "Reject",
    "hubs.reason": "Reason for rejecting {title}",
    "hubs.note": "Review note",
    "hubs.live.socket": "Live updates over WebSocket.",
    "hubs.live.polling": "Live updates: checked every 3 seconds.",
    "hubs.live.off": "Live updates start with a key.",
    "error.general": "Error",
    "fact.kind": "Kind",
    "fact.programmeStatus": "Programme status",
    "fact.reviewState": "Review state",
    loading: "Loading…",
  },
  fr: {
    title: "Explorateur Self Data Territorial",
    language: "Langue",
    nav: "Vues",
    "nav.network": "Réseau",
    "nav.partners": "Villes partenaires",
    "nav.experiments": "Expérimentations",
    "nav.path": "Chemin",
    "nav.hubs": "Hubs et relecture",
    "network.intro": "Les territoires, les organisations qui y travaillent et les cas d'usage qui les relient. Choisissez un nœud pour voir sa fiche.",
    "filter.domain": "Domaine",
    "filter.country": "Pays",
    "filter.actorKind": "Type d'organisation",
    any: "Tous",
    "network.showMore": "Afficher plus",
    "network.shown": "{shown} cas d'usage affichés sur {total}",
    "legend.territory": "Territoire",
    "legend.actor": "Organisation",
    "legend.useCase": "Cas d'usage",
    "record.title": "Fiche",
    "record.none": "Choisissez un nœud ou un lien pour voir sa fiche.",
    "record.sources": "Sources",
    "record.noSources": "Aucune source.",
    "partners.pick": "Territoire",
    "combo.help": "Tapez pour chercher, puis choisissez avec les flèches et Entrée.",
    "combo.none": "Aucun résultat",
    "partners.intro": "Les villes partenaires, classées, avec leurs raisons en toutes lettres.",
    "partners.city": "Ville partenaire",
    "partners.score": "Score",
    "partners.reasons": "Raisons",
    "partners.domains": "Domaines communs",
    "partners.organisations": "Organisations communes",
    "partners.platforms": "Plateformes communes",
    "experiments.pick": "Priorité de la feuille de route",
    "experiments.intro": "Les cas d'usage publiés qui pourraient devenir une expérimentation pour cette priorité, classés, avec leurs raisons.",
    "experiments.status": "Statut",
    "experiments.open": "Ouvrir la fiche",
    "path.from": "De",
    "path.to": "À",
    "path.find": "Trouver le chemin",
    "path.none": "Ces fiches ne sont pas reliées (en 6 liens au plus).",
    "path.pick": "Choisissez d'abord les deux fiches.",
    "path.length": "{n} liens",
    "kind.Territory": "Territoires",
    "kind.Actor": "Organisations",
    "kind.UseCase": "Cas d'usage",
    "kind.Domain": "Domaines",
    "one.Territory": "Territoire", "one.Actor": "Organisation", "one.UseCase": "Cas d'usage", "one.Domain": "Domaine",
    "one.Priority": "Priorité", "one.Experiment": "Expérimentation", "one.Workshop": "Atelier", "one.SwotItem": "Élément AFOM",
    "one.RoadmapAction": "Action de la feuille de route",
    "hubs.key": "Clé d'API (hub ou coordination)",
    "hubs.keyHelp": "Gardée dans la session de cet onglet seulement ; envoyée en Authorization: Bearer.",
    "hubs.useKey": "Utiliser cette clé",
    "hubs.forgetKey": "Oublier la clé",
    "hubs.keySaved": "Une clé est utilisée pour cette session.",
    "hubs.noKey": "Sans clé, vous ne lisez que les fiches publiées.",
    "hubs.form": "Étude de cas",
    "hubs.new": "Nouvelle étude de cas",
    "hubs.editing": "Modification de {slug} (version {version}, {state})",
    "field.slug": "Identifiant (ex. helsinki-waste-sorting)",
    "field.titleEn": "Titre en anglais",
    "field.titleFr": "Titre en français",
    "field.summaryEn": "Résumé en anglais",
    "field.summaryFr": "Résumé en français",
    "field.status": "Statut",
    "field.governance": "Modèle de gouvernance",
    "field.domains": "Domaines",
    "field.territories": "Territoires",
    "field.yearStart": "Année de début",
    "field.yearEnd": "Année de fin",
    "field.country": "Pays (code ISO, pour un cas d'usage national)",
    "field.sourceUrl": "Adresse de la source (URL)",
    "field.sourceTitle": "Titre de la source",
    "hubs.saveDraft": "Enregistrer le brouillon",
    "hubs.submit": "Soumettre à relecture",
    "hubs.saved": "Enregistré : {state}.",
    "hubs.mine": "Études de cas des hubs",
    "hubs.review": "Soumises à relecture",
    "hubs.noneToReview": "Rien n'attend de relecture.",
    "hubs.edit": "Modifier",
    "hubs.publish": "Publier",
    "hubs.reject": "Refuser",
    "hubs.reason": "Motif du refus de {title}",
    "hubs.note": "Note de relecture",
    "hubs.live.socket": "Mises à jour en direct par WebSocket.",
    "hubs.live.polling": "Mises à jour : vérifiées toutes les 3 secondes.",
    "hubs.live.off": "Les mises à jour en direct démarrent avec une clé.",
    "error.general": "Erreur",
    "fact.kind": "Type",
    "fact.programmeStatus": "Statut dans le programme",
    "fact.reviewState": "État de relecture",
    loading: "Chargement…",
  },
};

// Vocabulary codes (GraphQL enum values) in words.
const VALUES = {
  en: {
    DRAFT: "draft", SUBMITTED: "submitted", PUBLISHED: "published", REJECTED: "rejected",
    IDEA: "idea", STUDY: "study", DESIGNED: "designed", PROTOTYPE: "prototype", PILOT: "pilot", LIVE: "live",
    COMPLETED: "completed", ADOPTED: "adopted", ABANDONED: "abandoned", UNKNOWN: "unknown",
    PERSONAL_CLOUD: "personal cloud", DIRECT_TRANSFER: "direct transfer", TRUSTED_THIRD_PARTY: "trusted third party",
    DATA_COOPERATIVE: "data cooperative", CIVIC_DATA_TRUST: "civic data trust",
    PILOT_CITY: "pilot city", ROADMAP_PARTICIPANT: "roadmap participant", FIRST_WORKSHOP_DONE: "first workshop done",
    IN_DISCUSSION: "in discussion", PEER: "peer",
  },
  fr: {
    DRAFT: "brouillon", SUBMITTED: "soumise", PUBLISHED: "publiée", REJECTED: "refusée",
    IDEA: "idée", STUDY: "étude", DESIGNED: "conçu", PROTOTYPE: "prototype", PILOT: "pilote", LIVE: "en service",
    COMPLETED: "terminé", ADOPTED: "adopté", ABANDONED: "abandonné", UNKNOWN: "inconnu",
    PERSONAL_CLOUD: "cloud personnel", DIRECT_TRANSFER: "transfert direct", TRUSTED_THIRD_PARTY: "tiers de confiance",
    DATA_COOPERATIVE: "coopérative de données", CIVIC_DATA_TRUST: "fiducie de données citoyenne",
    PILOT_CITY: "ville pilote", ROADMAP_PARTICIPANT: "participant à la feuille de route",
    FIRST_WORKSHOP_DONE: "premier atelier tenu", IN_DISCUSSION: "en discussion", PEER: "pair",
    LOCAL_AUTHORITY: "collectivité", NATIONAL_BODY: "organisme national", INSURER: "assureur",
    ENERGY_SUPPLIER: "fournisseur d'énergie", ENERGY_GRID_OPERATOR: "gestionnaire de réseau d'énergie",
    TELECOM_OPERATOR: "opérateur télécom", BANK: "banque", RETAILER: "distributeur", MOBILITY_OPERATOR: "opérateur de mobilité",
    WATER_UTILITY: "service des eaux", WASTE_SERVICE: "service des déchets", PERSONAL_CLOUD_OPERATOR: "opérateur de cloud personnel",
    THINK_TANK: "think tank", NETWORK_OR_HUB: "réseau ou hub", NGO: "ONG", RESEARCH: "recherche", COOPERATIVE: "coopérative",
    DEVELOPER: "développeur", FUNDER: "financeur", COMPANY: "entreprise",
    CITY: "ville", METROPOLIS: "métropole", AGGLOMERATION: "agglomération", REGION: "région", COUNTRY: "pays",
  },
};

export const STATUSES = ["IDEA", "STUDY", "DESIGNED", "PROTOTYPE", "PILOT", "LIVE", "COMPLETED", "ADOPTED", "ABANDONED", "UNKNOWN"];
export const GOVERNANCE = ["PERSONAL_CLOUD", "DIRECT_TRANSFER", "TRUSTED_THIRD_PARTY", "DATA_COOPERATIVE", "CIVIC_DATA_TRUST", "UNKNOWN"];

const CHOSEN = "registry-explorer-lang";

export function initialLanguage() {
  const chosen = localStorage.getItem(CHOSEN);
  if (chosen === "fr" || chosen === "en") return chosen;
  return (navigator.language || "en").toLowerCase().startsWith("fr") ? "fr" : "en";
}

let lang = initialLanguage();

export function language() {
  return lang;
}

export function setLanguage(value) {
  lang = value;
  localStorage.setItem(CHOSEN, value);
  document.documentElement.lang = value;
}

export function t(key, params = {}) {
  const text = WORDS[lang][key] ?? WORDS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

export function value(code) {
  return VALUES[lang][code] ?? String(code).toLowerCase().replaceAll("_", " ");
}

// Fill every [data-i18n] element's text with its words in the current language.
export function translate(root = document) {
  document.documentElement.lang = lang;
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nLabel)));
  document.title = t("title");
}
