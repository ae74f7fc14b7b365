"""The production package carries no synthetic world: the generator and the portal simulator live
in world/ (package cchc_world), and cchc reaches them only from the development commands."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]
# the commands that run on a synthetic world; each imports it inside the function that needs it
WORLD_COMMANDS = {"generate.py", "demo.py", "portal_sim.py", "stack.py"}


def test_the_production_package_has_no_world_modules():
    packages = find_packages(ROOT / "src")
    assert "cchc" in packages
    assert not [p for p in packages if "world" in p or p.endswith(("generate", "portal_sim"))], packages


def world_imports(path: Path) -> list[tuple[int, bool]]:
    """(line, at module level) of every import of cchc_world in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        if any(n.split(".")[0] == "cchc_world" for n in names):
            found.append((node.lineno, id(node) in top))
    return found


def test_cchc_imports_the_world_only_inside_development_commands():
    offenders = []
    for path in sorted((ROOT / "src" / "cchc").rglob("*.py")):
        for line, at_module_level in world_imports(path):
            if at_module_level or path.name not in WORLD_COMMANDS or path.parent.name != "commands":
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == []


def test_without_the_world_package_generate_says_what_is_missing(tmp_path):
    # cchc_world made unimportable, as in the production image
    code = (
        "import sys; sys.modules['cchc_world'] = None; "
        "from cchc.cli import main; sys.exit(main(['generate', '--out', sys.argv[1]]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "w")], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "cchc_world" in done.stderr and "make venv" in done.stderr
    # and every other command still loads: the parser imports every command module
    code = "import sys; sys.modules['cchc_world'] = None; from cchc.cli import build_parser; build_parser()"
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0
