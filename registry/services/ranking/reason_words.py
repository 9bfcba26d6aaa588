"""The recommenders' reason sentences in French (the English ones stay in ranking.py).

Kept apart so the wording of one language changes without touching the ranking.
The values a reason carries (statuses, governance models, organisation kinds) are
vocabulary codes; French readers get them in words, English readers as before.
"""

from __future__ import annotations

# Vocabulary codes a French sentence names; an unknown code is shown as written.
FRENCH_VALUES = {
    # programme statuses
    "pilot_city": "ville pilote",
    "roadmap_participant": "participant à la feuille de route",
    "first_workshop_done": "premier atelier tenu",
    "in_discussion": "en discussion",
    "peer": "pair",
    # use case statuses
    "idea": "idée",
    "study": "étude",
    "designed": "conçu",
    "prototype": "prototype",
    "pilot": "pilote",
    "live": "en service",
    "completed": "terminé",
    "adopted": "adopté",
    "abandoned": "abandonné",
    # governance models
    "personal_cloud": "cloud personnel",
    "direct_transfer": "transfert direct",
    "trusted_third_party": "tiers de confiance",
    "data_cooperative": "coopérative de données",
    "civic_data_trust": "fiducie de données citoyenne",
    # organisation kinds
    "local_authority": "collectivité",
    "national_body": "organisme national",
    "insurer": "assureur",
    "energy_supplier": "fournisseur d'énergie",
    "energy_grid_operator": "gestionnaire de réseau d'énergie",
    "telecom_operator": "opérateur télécom",
    "bank": "banque",
    "retailer": "distributeur",
    "mobility_operator": "opérateur de mobilité",
    "water_utility": "service des eaux",
    "waste_service": "service des déchets",
    "personal_cloud_operator": "opérateur de cloud personnel",
    "think_tank": "think tank",
    "network_or_hub": "réseau ou hub",
    "ngo": "ONG",
    "research": "recherche",
    "cooperative": "coopérative",
    "developer": "développeur",
    "funder": "financeur",
    "company": "entreprise",
}


def french_values(values: tuple[str, ...]) -> str:
    return ", ".join(FRENCH_VALUES.get(v, v.replace("_", " ")) for v in values)


def in_french(kind: str, them: str, domains: str, actors: str, values: str, others: str = "") -> str | None:
    """The French sentence of a reason of `kind`, or None for a kind without one (STATUS is worded apart)."""
    return {
        "SHARED_PRIORITY_DOMAIN": f"Les deux territoires ont une priorité de feuille de route en : {domains}.",
        "PRIORITY_IN_THEIR_USE_CASES": f"{them} a des cas d'usage en : {domains}, le domaine de votre priorité.",
        "SHARED_USE_CASE_DOMAIN": f"Les deux territoires ont des cas d'usage en : {domains}.",
        "SHARED_PLATFORM": f"La même plateforme fonctionne déjà sur les deux territoires : {actors}.",
        "SHARED_PARTNER": f"Les mêmes organisations travaillent sur les deux territoires : {actors}.",
        "SAME_COUNTRY": f"Même pays ({values}).",
        "SHARED_LANGUAGE": f"Une langue commune ({values}).",
        "BOTH_IN_PROGRAMME": f"{them} participe aussi à la feuille de route Self Data Territorial ({values}).",
        "DOMAIN_MATCH": f"Il couvre le domaine de la priorité : {domains}.",
        "ACTOR_ON_TERRITORY": f"Des organisations qui y ont pris part sont déjà sur votre territoire : {actors}.",
        "ACTOR_KIND_ON_TERRITORY": f"Des organisations des types qu'il demande sont sur votre territoire : {values}.",
        "PLATFORM_ON_TERRITORY": f"Sa gouvernance ({values}) peut réutiliser une plateforme déjà sur votre territoire : {actors}.",
        "DOCUMENTED_GOVERNANCE": f"Son modèle de gouvernance est documenté : {values}.",
        "ALREADY_ON_TERRITORY": "Il a déjà été mené sur votre territoire : il pourrait changer d'échelle.",
        "SAME_COUNTRY_AS_USE_CASE": f"Il a été mené dans le même pays ({values}).",
        "SERVICE_ON_TERRITORY": f"Les habitants de votre territoire peuvent obtenir les données dont il a besoin par : {others}.",
    }.get(kind)


def status_in_french(where: str, status: str) -> str:
    where = where or "un lieu inconnu"
    if status == "unknown":
        return f"Son statut à {where} n'est pas connu."
    return f"Statut à {where} : {FRENCH_VALUES.get(status, status)}."
