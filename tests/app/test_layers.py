"""The GUI side never imports the embedded helpdesk: only its launcher (``console.server.process``)."""

from __future__ import annotations

import ast
from pathlib import Path

CONSOLE = Path(__file__).resolve().parents[2] / "console"
GUI_SIDE = [CONSOLE / "app.py", *sorted((CONSOLE / "views").rglob("*.py")), *sorted((CONSOLE / "models").rglob("*.py"))]
ALLOWED = {"console.server.process"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if node.module == "console.server")
    return names


def test_gui_side_imports_no_server_module_but_the_launcher():
    wrong = {f"{path.relative_to(CONSOLE.parent)}: {name}"
             for path in GUI_SIDE for name in _imports(path)
             if (name == "console.server" or name.startswith("console.server.")) and name not in ALLOWED}
    assert not wrong, sorted(wrong)


def test_the_check_sees_a_server_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from console.server import seed\nimport console.server.db\nfrom console.server.process import X\n")
    assert {"console.server.seed", "console.server.db", "console.server.process"} <= _imports(probe)
