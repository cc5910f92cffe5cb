"""Table export of results and report tables: to_excel, to_latex, to_markdown, to_html."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import evalexp
from evalexp.errors import OutputError
from evalexp.report.document import Table
from evalexp.results import frame_to_latex, frame_to_markdown, latex_escape

FRAME = pd.DataFrame({"term": ["a_b", "c&d"], "estimate": [0.123456, np.nan]})


def test_latex_is_a_tabular_with_escapes_and_no_jinja2():
    assert frame_to_latex(FRAME) == (
        "\\begin{tabular}{lr}\n\\hline\nterm & estimate \\\\\n\\hline\n"
        "a\\_b & 0.1235 \\\\\nc\\&d &  \\\\\n\\hline\n\\end{tabular}\n")
    assert latex_escape("50% of $x^2$ {~}\\") == (
        "50\\% of \\$x\\textasciicircum{}2\\$ \\{\\textasciitilde{}\\}\\textbackslash{}")
    code = ("import sys; sys.modules['jinja2'] = None; import pandas as pd; "
            "from evalexp.results import frame_to_latex; "
            "print(frame_to_latex(pd.DataFrame({'x': [1.5]}), 'cap'), end='')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("\\begin{table}\n\\centering\n\\caption{cap}\n\\begin{tabular}{r}")


def test_markdown_pipe_table_aligned_by_type():
    assert frame_to_markdown(FRAME) == ("| term | estimate |\n| :--- | ---: |\n| a_b | 0.1235 |\n| c&d |  |\n")


def test_every_result_exports_its_tidy_table(run, tmp_path):
    folder, _ = run
    stored = evalexp.read_results(folder / "results.json")
    tidy = stored.tidy()
    markdown = stored.to_markdown(tmp_path / "t.md")
    assert (tmp_path / "t.md").read_text() == markdown
    assert len(markdown.splitlines()) == len(tidy) + 2
    html = stored.to_html(tmp_path / "t.html")
    assert html.count("<tr") == len(tidy) + 1 and "<caption>evalexp results</caption>" in html
    latex = stored.to_latex()
    assert latex.count("\\\\\n") == len(tidy) + 1
    stored.to_excel(tmp_path / "t.xlsx")
    back = pd.read_excel(tmp_path / "t.xlsx", sheet_name="results")
    assert list(back.columns) == list(tidy.columns)
    np.testing.assert_allclose(back["estimate"].to_numpy(float), tidy["estimate"].to_numpy(float), rtol=1e-12)


def test_report_tables_export_their_cells():
    table = Table(header=("Arm", "n"), rows=(("Treatment", "75"), ("Control", "75")), caption="Sample <size>")
    assert table.to_markdown() == "| Arm | n |\n| :--- | :--- |\n| Treatment | 75 |\n| Control | 75 |\n"
    assert "<caption>Sample &lt;size&gt;</caption>" in table.to_html()
    assert "\\caption{Sample <size>}" in table.to_latex()


def test_export_needs_a_folder_that_exists(tmp_path):
    table = Table(header=("a",), rows=(("1",),))
    path = tmp_path / "missing" / "t.xlsx"
    with pytest.raises(OutputError) as err:
        table.to_excel(path)
    assert str(err.value) == (f"{path}: the folder {path.parent} does not exist (evalexp does not create "
                              "folders for an output file); nothing was written")
