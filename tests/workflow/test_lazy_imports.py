"""``import evalexp`` and ``evalexp --help`` load no scipy, statsmodels, lifelines or matplotlib (issue 18).

Checked in a fresh interpreter by ``sys.modules``; the import time itself is measured by
``benchmarks/imports.py``, never asserted.
"""
import json
import subprocess
import sys

import pytest

HEAVY = ("scipy", "statsmodels", "lifelines", "matplotlib")


def _loaded(code: str) -> list[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


@pytest.mark.parametrize("code", [
    "import evalexp",
    "import evalexp.cli\ntry:\n    evalexp.cli.main(['--help'])\nexcept SystemExit:\n    pass",
    "import evalexp\nevalexp.load_plan, evalexp.load_cohort, evalexp.read_results, evalexp.simulate",
])
def test_heavy_libraries_are_not_imported(code):
    assert _loaded(code) == []


def test_public_names_resolve_on_use():
    import evalexp
    from evalexp.analysis import analyze
    from evalexp.simulate import simulate

    assert evalexp.analyze is analyze
    assert evalexp.simulate is simulate
    assert set(evalexp.__all__) <= set(dir(evalexp))
    with pytest.raises(AttributeError, match="module 'evalexp' has no attribute 'nothing'"):
        evalexp.nothing  # noqa: B018
