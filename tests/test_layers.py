"""The layers of jiceng (.importlinter): core knows no domain, foundation knows no people, people knows no
programme, web knows no programme, programmes meet one way. A new upward import fails this test."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def lint(src: Path, config: Path):
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    return subprocess.run([str(LINT), "--config", str(config), "--no-cache"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_import_contracts_hold():
    out = lint(ROOT / "src", ROOT / ".importlinter")
    assert out.returncode == 0, out.stdout[-4000:]
    assert "0 broken" in out.stdout


def test_an_upward_import_breaks_a_contract(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "jiceng", src / "jiceng", ignore=shutil.ignore_patterns("__pycache__", "locale"))
    errors = src / "jiceng" / "core" / "errors.py"
    errors.write_text(errors.read_text() + "\n\ndef _upward():\n    from jiceng.points import services  # noqa\n")
    out = lint(src, ROOT / ".importlinter")
    assert out.returncode == 1
    assert "BROKEN" in out.stdout and "jiceng.core.errors -> jiceng.points.services" in out.stdout
