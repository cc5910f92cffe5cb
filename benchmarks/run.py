"""Run every benchmark script of this folder in turn (``make bench``). Prints figures only."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in sorted(HERE.glob("*.py")):
    if script.name == "run.py":
        continue
    print(f"\n### {script.name}\n", flush=True)
    subprocess.run([sys.executable, str(script)], check=False)
