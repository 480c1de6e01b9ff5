"""scripts/icu_data.py: which ICU data items the bundle keeps, and the package format it rewrites."""

import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import icu_data  # noqa: E402


def _codec(max_bytes: int) -> bytes:
    header = struct.pack("<H", 32) + b"\xda\x27" + b"\0" * 28  # a 32-byte data header
    static = bytearray(100)
    static[71] = max_bytes  # UConverterStaticData.maxBytesPerChar
    return header + bytes(static)


def test_kept_items():
    kept = {"uprops.icu", "cnvalias.icu", "root.res", "en.res", "pool.res", "res_index.res",
            "supplementalData.res", "likelySubtags.res", "zoneinfo64.res", "coll/root.res", "coll/ucadata.icu",
            "coll/res_index.res", "zone/root.res", "zone/en.res", "zone/tzdbNames.res"}
    dropped = {"de.res", "zh_Hant_TW.res", "coll/de.res", "coll/de__PHONEBOOK.res", "zone/fr.res",
               "brkitr/cjdict.dict", "brkitr/root.res", "curr/en.res", "lang/en.res", "translit/root.res",
               "unit/root.res", "unames.icu", "rfc3491.spp", "confusables.cfu"}
    for leaf in kept:
        assert icu_data.kept(f"icudt73l/{leaf}", b""), leaf
    for leaf in dropped:
        assert not icu_data.kept(f"icudt73l/{leaf}", b""), leaf
    assert icu_data.kept("icudt73l/ibm-5348_P100-1997.cnv", _codec(1)), "windows-1252 stays"
    assert not icu_data.kept("icudt73l/ibm-943_P15A-2003.cnv", _codec(2)), "Shift_JIS goes"


def test_package_round_trip():
    header = struct.pack("<H", 32) + b"\xda\x27" + struct.pack("<HH", 20, 0) + b"\0\0\x02\0" + b"CmnD" + b"\0" * 16
    items = [("icudt73l/a.res", b"x" * 5), ("icudt73l/b.icu", b"y" * 40), ("icudt73l/coll/c.res", b"z")]
    package = icu_data.write_package(header, items)
    assert icu_data.read_package(package) == (header, [(n, d + b"\0" * (-len(d) % 16)) for n, d in items])
    count = struct.unpack_from("<I", package, 32)[0]
    offsets = [struct.unpack_from("<II", package, 36 + 8 * i)[1] for i in range(count)]
    assert all((32 + offset) % 16 == 0 for offset in offsets), "items are 16-byte aligned"
