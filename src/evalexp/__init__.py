"""evalexp: evaluate randomised experiments of youth-employment support.

The pipeline reads top to bottom: load -> cohort -> analysis -> results -> report::

    import evalexp as ee
    plan = ee.load_plan("data/synthetic/agir_demo.toml")
    cohort = ee.load_cohort("data/synthetic/agir_demo.csv", plan)
    results = ee.analyze(cohort, plan)
    results.to_dict()                      # results.json, docs/CONTRACT.md section 4

    from evalexp.report import build_report   # matplotlib is imported only there
    build_report(cohort, plan, "reports/demo")

The estimators are in :mod:`evalexp.survival`, :mod:`evalexp.competing` and
:mod:`evalexp.integrity`; each returns a frozen results object with
``summary()``, ``tidy()``, ``to_dict()`` and an HTML view in Jupyter.
"""
__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

# ``simulate`` is both a submodule and a public function: imported here, first, so that the
# function (not the submodule, which a later ``import evalexp.simulate`` would bind) is
# ``evalexp.simulate``. It needs only numpy, pandas and pyarrow.
from .simulate import simulate

#: Public names loaded on first use (PEP 562), by the submodule that defines them: ``import
#: evalexp`` (and ``evalexp --help``) do not import scipy, statsmodels, lifelines or matplotlib.
LAZY = {
    "Analysis": "analysis", "analyze": "analysis", "Cohort": "cohort",
    "EvalexpError": "errors", "EvalexpTypeError": "errors", "InputError": "errors", "PlanError": "errors",
    "load_cohort": "load", "load_frame": "load", "Plan": "plan", "load_plan": "plan",
    "StoredResults": "stored", "read_results": "stored",
}

if TYPE_CHECKING:
    from .analysis import Analysis, analyze
    from .cohort import Cohort
    from .errors import EvalexpError, EvalexpTypeError, InputError, PlanError
    from .load import load_cohort, load_frame
    from .plan import Plan, load_plan
    from .stored import StoredResults, read_results

__all__ = ["Analysis", "Cohort", "EvalexpError", "EvalexpTypeError", "InputError", "Plan", "PlanError", "StoredResults",
           "analyze", "load_cohort", "load_frame", "load_plan", "read_results", "simulate", "__version__"]


def __getattr__(name: str) -> Any:
    """Load a public name of :data:`LAZY` from its submodule on first use (PEP 562)."""
    if name not in LAZY:
        raise AttributeError(f"module 'evalexp' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *LAZY})
