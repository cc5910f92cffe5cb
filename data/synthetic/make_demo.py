"""Write the bundled demo cohort, in the canonical schema and as a French administrative export.

Run from the repository root: ``python data/synthetic/make_demo.py``. It writes

- ``agir_demo.csv`` (+ ``agir_demo.truth.json``): 150 contracts, 75 per arm, seed 28,
  canonical column names, UTF-8, ``,``-separated, ISO dates;
- ``agir_demo_export_fr.csv``: the same cohort as a Mission locale spreadsheet export would
  give it: French column names, ``Accompagné`` / ``Témoin`` arm labels, ``;`` separator,
  cp1252, CRLF line ends, ``DD/MM/YYYY`` dates, ``,`` decimal mark. Cause codes of
  ``Initiative rupture`` stay canonical (the plan has no table for value labels).

``agir_demo.toml`` and ``agir_demo_export_fr.toml`` are their plans; both files load to the
same cohort.
"""
from pathlib import Path

from evalexp.simulate import simulate_to_file

HERE = Path(__file__).resolve().parent
SEED = 28  # 75 vs 75, 26 ruptures in control: the size and rupture count of AGIR-like trials

FRENCH_COLUMNS = {
    "participant_id": "Identifiant", "arm": "Groupe", "contract_start": "Date début contrat",
    "contract_end_planned": "Date fin prévue", "followup_end": "Date fin suivi",
    "rupture_date": "Date rupture", "rupture_initiative": "Initiative rupture", "stratum": "Strate",
    "site": "Mission locale", "assigned_on": "Date tirage au sort", "support_received": "Accompagnement reçu",
    "age": "Âge", "female": "Femme", "diploma": "Diplôme", "qpv": "QPV", "sector": "Secteur",
    "company_size": "Taille entreprise", "meeting1_date": "Date entretien 1",
    "meeting2_date": "Date entretien 2", "meeting3_date": "Date entretien 3",
    "employed_6m": "Emploi à 6 mois", "employed_12m": "Emploi à 12 mois",
    "qualification": "Qualification obtenue",
}
FRENCH_ARMS = {"treatment": "Accompagné", "control": "Témoin"}


def main() -> None:
    sim = simulate_to_file(HERE / "agir_demo.csv", n=150, seed=SEED)
    export = sim.data.copy()
    export["arm"] = export["arm"].map(FRENCH_ARMS)
    for column in ("employed_6m", "employed_12m", "qualification"):
        export[column] = export[column].astype("Int8")
    export.rename(columns=FRENCH_COLUMNS).to_csv(
        HERE / "agir_demo_export_fr.csv", sep=";", decimal=",", date_format="%d/%m/%Y", index=False,
        encoding="cp1252", lineterminator="\r\n")


if __name__ == "__main__":
    main()
