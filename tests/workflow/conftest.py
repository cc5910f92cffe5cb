"""An analysed synthetic cohort shared by the workflow tests (results.json written by the CLI)."""
import json

import pytest

from evalexp.cli import main
from evalexp.simulate import simulate_to_file

PLAN = '''title = "t"
[survival]
horizon_days = 365
[inference]
permutations = 50
seed = 11
'''


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    """``evalexp analyze`` on a simulated cohort: the folder, and the results.json as read."""
    folder = tmp_path_factory.mktemp("run")
    simulate_to_file(folder / "cohort.csv", n=150, seed=3)
    (folder / "plan.toml").write_text(PLAN)
    argv = ["analyze", str(folder / "cohort.csv"), "--plan", str(folder / "plan.toml"),
            "--json", str(folder / "results.json"), "--quiet"]
    assert main(argv) == 0
    return folder, json.loads((folder / "results.json").read_text())


@pytest.fixture(scope="session")
def demo():
    """The demo cohort analysed with its plan (50 permutations, to be quick)."""
    import dataclasses
    from pathlib import Path

    import evalexp

    data = Path(__file__).resolve().parents[2] / "data" / "synthetic"
    plan = evalexp.load_plan(data / "agir_demo.toml")
    plan = dataclasses.replace(plan, inference=dataclasses.replace(plan.inference, permutations=50))
    return evalexp.analyze(evalexp.load_cohort(data / "agir_demo.csv", plan), plan)
