"""The walkthrough notebook runs top to bottom on the demo cohort and displays results inline."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "walkthrough.ipynb"


def test_walkthrough_runs_top_to_bottom_and_displays_results_and_figures():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]
    assert not [out for out in outputs if out.output_type == "error"]
    data = [out.get("data", {}) for out in outputs]
    assert any("text/html" in d for d in data)       # results objects render as HTML tables
    assert any("image/png" in d for d in data)       # figures display inline
    assert any("report.pdf" in d.get("text/plain", "") for d in data)
