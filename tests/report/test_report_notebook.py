"""The worked-evaluation notebook: public API only, saved with its outputs, and they are current.

Executed top to bottom on the demo cohort (nbclient); its printed numbers must equal the saved
ones (every random step is seeded), so the saved notebook never goes stale.
"""
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "walkthrough.ipynb"

#: The only imports of evalexp the notebook may use (the public API of the API reference).
PUBLIC_IMPORTS = {"import evalexp as ee", "from evalexp.quality import quality_summary",
                  "from evalexp.report import build_report"}


def _code(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _streams(nb):
    return ["".join(out["text"] for out in cell.get("outputs", []) if out.output_type == "stream")
            for cell in _code(nb)]


def test_notebook_uses_only_the_public_api():
    source = "\n".join(cell.source for cell in _code(nbformat.read(NOTEBOOK, as_version=4)))
    imports = {line.strip() for line in source.splitlines() if re.match(r"\s*(from|import) evalexp", line)}
    assert imports == PUBLIC_IMPORTS
    assert not re.search(r"\._[a-z]", source.replace("._repr_html_", ""))  # no private names


def test_notebook_is_saved_executed_with_its_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = _code(nb)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    assert all(cell.outputs for cell in cells)
    headings = [line for cell in nb.cells if cell.cell_type == "markdown" for line in cell.source.splitlines()
                if line.startswith("## ")]
    assert headings == ["## 1. The plan", "## 2. Load and validate the data", "## 3. The primary result",
                        "## 4. Robustness", "## 5. Employment", "## 6. The funders' report"]


def test_notebook_runs_and_reproduces_its_saved_outputs():
    saved = nbformat.read(NOTEBOOK, as_version=4)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [out for cell in _code(nb) for out in cell.get("outputs", [])]
    assert not [out for out in outputs if out.output_type == "error"]
    data = [out.get("data", {}) for out in outputs]
    assert sum("image/png" in d for d in data) == 4         # KM, CIF, forest and love plots inline
    assert any("text/html" in d for d in data)              # results objects render as HTML tables
    assert any("report.pdf" in d.get("text/plain", "") for d in data)
    assert _streams(nb) == _streams(saved)
    assert "Hazard ratio of rupture, supported vs control: 0.55" in "".join(_streams(nb))
