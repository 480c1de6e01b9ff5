"""PyInstaller runtime hook (build_installer.spec): pytz reads the system's time zone database.

The bundle leaves out pytz's own copy of the database (600 files, 2.6 MB on disk): Python's zoneinfo,
which the console uses for every time zone, reads the system's already (no tzdata package on Linux).
pytz is only there because python-liquid imports babel's filters, and babel looks up the local zone
with it when it starts; pointed at the same directory, it finds the same zones (pytz reads a file's
version-1 block, which Debian, Ubuntu and Fedora build "fat", i.e. complete). Without a system database
pytz knows no zone and babel falls back to its local-time default, as zoneinfo fails too.
"""

import os
import zoneinfo

if "PYTZ_TZDATADIR" not in os.environ:
    for _path in zoneinfo.TZPATH:
        if os.path.isfile(os.path.join(_path, "UTC")):
            os.environ["PYTZ_TZDATADIR"] = _path
            break
