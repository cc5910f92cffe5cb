"""Write tests/data/partner_export.xls, a small partner export in Excel 97-2003 format.

pandas has no .xls writer, so the fixture is written once with the ``xlwt`` package (1.3.0),
which is not a dependency of evalexp: it was installed apart, and this script run with it::

    pip install --target /tmp/xlwt_pkg xlwt==1.3.0
    PYTHONPATH=/tmp/xlwt_pkg python tests/data/make_partner_export_xls.py

The sheet is what a partner sends: a title row and an empty row above the header (row 3),
French column names and labels, contract dates as Excel dates, rupture dates as text
DD/MM/YYYY. The tests read it with ``[data] header_row = 3``.
"""
import datetime as dt
from pathlib import Path

import xlwt

HEADER = ["Identifiant", "Groupe", "Date début contrat", "Date fin prévue", "Date fin suivi", "Date rupture",
          "Initiative rupture", "Emploi à 6 mois", "Diplôme", "Âge"]
ROWS = [
    ["A01", "Accompagné", (2023, 9, 4), (2025, 9, 3), (2024, 12, 31), "", "", "Oui", "CAP-BEP", 18.5],
    ["A02", "Témoin", (2023, 9, 11), (2025, 9, 10), (2024, 12, 31), "15/01/2024", "à l'initiative de l'employeur",
     "Non", "bac", 19],
    ["A03", "Accompagné", (2023, 9, 18), (2024, 9, 17), (2024, 12, 31), "", "", "oui", "sans diplôme", 17.2],
    ["A04", "Témoin", (2023, 10, 2), (2025, 10, 1), (2024, 12, 31), "23/11/2023", "Rupture amiable", "N",
     "supérieur", 22],
    ["A05", "Accompagné", (2023, 10, 9), (2025, 10, 8), (2024, 12, 31), "02/05/2024",
     "À l'initiative de l'apprenti", "", "Bac", 20.1],
    ["A06", "Témoin", (2023, 10, 16), (2025, 10, 15), (2024, 12, 31), "", "", "O", "CAP-BEP", 18],
    ["A07", "Accompagné", (2023, 11, 6), (2025, 11, 5), (2024, 12, 31), "", "", "Non", "supérieur", 23.4],
    ["A08", "Témoin", (2023, 11, 13), (2025, 11, 12), (2024, 12, 31), "30/12/2023", "période d'essai", "Oui",
     "sans diplôme", 16.9],
]


def main() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Export")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    sheet.write(0, 0, "Export AGIR — Mission locale de Nantes, extraction du 31/12/2024")
    for column, name in enumerate(HEADER):
        sheet.write(2, column, name)
    for row, values in enumerate(ROWS, start=3):
        for column, value in enumerate(values):
            if isinstance(value, tuple):
                sheet.write(row, column, dt.date(*value), date_style)
            elif value != "":
                sheet.write(row, column, value)
    book.save(str(Path(__file__).with_name("partner_export.xls")))


if __name__ == "__main__":
    main()
