"""evalexp: evaluate randomised experiments of youth-employment support.

The pipeline reads top to bottom: load -> cohort -> analysis -> results -> report::

    import evalexp as ee
    plan = ee.load_plan("data/synthetic/agir_demo.toml")
    cohort = ee.load_cohort("data/synthetic/agir_demo.csv", plan)
    results = ee.analyze(cohort, plan)
    results.to_dict()                      # results.json, CONTRACT.md section 4

    from evalexp.report import build_report   # matplotlib is imported only there
    build_report(cohort, plan, "reports/demo")

The estimators are in :mod:`evalexp.survival`, :mod:`evalexp.competing` and
:mod:`evalexp.integrity`; each returns a frozen results object with
``summary()``, ``tidy()``, ``to_dict()`` and an HTML view in Jupyter.
"""
__version__ = "0.1.0"

from .analysis import Analysis, analyze
from .cohort import Cohort
from .errors import EvalexpError, InputError, PlanError
from .load import load_cohort, load_frame
from .plan import Plan, load_plan
from .simulate import simulate
from .stored import StoredResults, read_results

__all__ = ["Analysis", "Cohort", "EvalexpError", "InputError", "Plan", "PlanError", "analyze",
           "load_cohort", "load_frame", "load_plan", "read_results", "simulate", "StoredResults",
           "__version__"]
