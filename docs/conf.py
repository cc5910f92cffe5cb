"""Sphinx configuration of evalexp's documentation (API reference from the NumPy-style docstrings)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import evalexp  # noqa: E402

project = "evalexp"
author = "evalexp contributors"
release = version = evalexp.__version__
extensions = ["sphinx.ext.autodoc", "numpydoc"]
exclude_patterns = ["_build", "disclosure.md"]
autodoc_member_order = "bysource"
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
html_theme = "alabaster"
nitpicky = False
