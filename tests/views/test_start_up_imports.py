"""What the first paint of the window does not need is not imported before it (start-up time).

python-liquid (~0.4 s: placeholders and fragments), Qt Charts and the dashboard's rules (the dashboard page), requests
(the sync client and the connection dialog), the reply ranking and ``console.suggest``, pyspellchecker
(its dictionary: the first word checked, off the GUI thread) load on first use; python-liquid is loaded off the
GUI thread soon after the first paint (a first keystroke in a draft imported it on the GUI thread,
stalling the window ~0.35 s). A fresh interpreter builds the
window on a copy of the demo cache, as app.py does, paints the first queue and lists what it
imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
import console.qt_import_hook   # as app.py does, right after PySide6
from console.lanes import Lanes
from console.ops import Ops
from console.store import CacheReader, CacheWriter
from console.views.main_window import MainWindow, Workspace

app = QApplication([])
cache = Path(sys.argv[1])
writer = CacheWriter(cache)
lanes = Lanes(cache, writer)
ops = Ops(lanes, me=int(sys.argv[2]))
window = MainWindow(Workspace(ops=ops, reader=CacheReader(cache), me=int(sys.argv[2]), tray=False))
window.show()
deadline = time.monotonic() + 30
while not window.ticket_model.cached_rows and time.monotonic() < deadline:
    app.processEvents()
    window.ticket_list.viewport().repaint()
    time.sleep(0.005)
first = sorted(sys.modules)
import linecache
scanned = sorted(linecache.cache)
deadline = time.monotonic() + 20   # then the window loads them off the GUI thread (ops.warm_up)
while "liquid" not in sys.modules and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
print(json.dumps({"painted": window.ticket_model.cached_rows, "modules": first, "later": sorted(sys.modules),
                  "scanned": scanned}))
sys.stdout.flush()
import os
os._exit(0)
"""

LATER = ("liquid", "PySide6.QtCharts", "console.domain.dashboard", "console.store.dashboard", "requests", "urllib3", "console.suggest", "console.domain.ranking",
         "spellchecker")


def test_the_first_paint_imports_no_template_engine_charts_or_http(demo_cache, tmp_path):
    cache, me = demo_cache
    copy = tmp_path / "cache.sqlite"
    shutil.copyfile(cache, copy)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD, str(copy), str(me)], capture_output=True, text=True,
                         timeout=120, env=env, cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["painted"] > 0
    loaded = [m for m in LATER if m in seen["modules"]]
    assert not loaded, f"imported before the first paint: {loaded}"
    assert "liquid" in seen["later"], "loaded once the list is on screen, before the first draft needs it"
    assert "console.suggest" in seen["later"], "the suggestions' rules load off the GUI thread too"
    # PySide6's feature hook read every module's source after it was imported (console.qt_import_hook)
    assert len(seen["scanned"]) < 20, seen["scanned"][:30]
