"""results.json["provenance"] (CONTRACT.md section 11)."""
import getpass
import hashlib
import platform
import socket

import numpy

import evalexp
from evalexp.provenance import base_name


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_provenance_records_hashes_versions_seed_and_command(run):
    folder, results = run
    prov = results["provenance"]
    assert prov["input"] == {"name": "cohort.csv", "sha256": _sha256(folder / "cohort.csv")}
    assert prov["plan"] == {"name": "plan.toml", "sha256": _sha256(folder / "plan.toml")}
    assert prov["seed"] == 11
    assert prov["software"]["evalexp"] == evalexp.__version__
    assert prov["software"]["numpy"] == numpy.__version__
    assert prov["software"]["python"] == platform.python_version()
    assert prov["command_line"] == ["evalexp", "analyze", "cohort.csv", "--plan", "plan.toml",
                                    "--json", "results.json", "--quiet"]


def test_provenance_holds_no_folder_user_or_host(run):
    folder, _ = run
    text = (folder / "results.json").read_text()
    assert str(folder) not in text
    assert folder.name not in text
    assert f'"{getpass.getuser()}"' not in text and socket.gethostname() not in text


def test_base_name_cuts_folders_in_arguments_and_options():
    assert base_name("/home/x/data/cohort.csv") == "cohort.csv"
    assert base_name("--json=/tmp/a/r.json") == "--json=r.json"
    assert base_name("C:\\Users\\x\\plan.toml") == "plan.toml"
    assert base_name("--quiet") == "--quiet"
