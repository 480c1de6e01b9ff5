"""A smaller libicudata for the bundle: only the ICU data Qt reads (used by build_installer.spec).

Qt Core links ICU 73 (libicuuc, libicui18n, libicudata). libicudata is one 30 MB symbol,
``icudt73_dat``: ICU's "common data" package (a table of contents, then ~3900 items). Qt has its own
CLDR tables for QLocale formatting and its own Unicode tables for text boundaries and normalisation; it
calls ICU only for collation (QCollator, QString::localeAwareCompare), locale-aware case mapping,
the non-Unicode text codecs of QStringConverter, and time zone names (QTimeZone::displayName, which
the console never calls). So the rebuilt library keeps:

- the core items at the top (properties, normalisation, the codec tables and their alias table,
  likely subtags, supplemental data, the time zone rules...) and the root and English locale data;
- every collation (``coll/``: the user's system locale decides the sort order of localeAwareCompare);
- the root and English time zone names (``zone/``);

and drops what only ICU's formatting, break iteration and transliteration APIs read, which Qt never
calls: the other locales' data, ``brkitr/`` (with its CJK/Thai dictionaries), ``curr/``, ``lang/``,
``region/``, ``unit/``, ``translit/``, ``rbnf/``. ICU falls back to the root locale for any locale whose
item is missing, as it does for locales it has no data for.

The library is linked with binutils' ``as`` and ``ld`` (PyInstaller's Linux build already needs
binutils for objdump). ``python scripts/icu_data.py LIB [OUT]`` prints what would be kept and writes it.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

LOCALE_ITEM = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*\.res$")  # de.res, zh_Hant_TW.res, de__PHONEBOOK.res
TREE_INDEXES = ("res_index.res", "pool.res")                     # a tree's locale list and shared key pool
LOCALES_KEPT = ("root.res", "en.res", "en_US.res", "en_US_POSIX.res")
TREES_KEPT = {"": "core + root/English", "coll": "all", "zone": "root/English"}


def kept(name: str) -> bool:
    """Whether the bundle keeps the item ``name`` ("icudt73l/coll/de.res" -> "coll/de.res")."""
    tree, _, leaf = name.partition("/")[2].rpartition("/")
    if tree not in TREES_KEPT:
        return False
    if TREES_KEPT[tree] == "all" or leaf in TREE_INDEXES or leaf in LOCALES_KEPT:
        return True
    return not LOCALE_ITEM.match(leaf)  # a core item (uprops.icu, cnvalias.icu, supplementalData.res...)


def read_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """ICU common data ("CmnD"): (its header, [(item name, item bytes)]) in table-of-contents order."""
    header_size = struct.unpack_from("<H", blob, 0)[0]
    if blob[2:4] != b"\xda\x27" or blob[12:16] != b"CmnD" or blob[8] != 0:
        raise ValueError("not a little-endian ICU common data package")
    count = struct.unpack_from("<I", blob, header_size)[0]
    toc = [struct.unpack_from("<II", blob, header_size + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_offset, data_offset) in enumerate(toc):
        start = header_size + name_offset
        name = blob[start:blob.index(b"\0", start)].decode("ascii")
        end = toc[i + 1][1] if i + 1 < count else len(blob) - header_size
        items.append((name, blob[header_size + data_offset:header_size + end]))
    return blob[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """The inverse of read_package: names after the table of contents, each item 16-byte aligned
    (ICU looks names up by binary search, so the order of ``items``, already sorted, is kept)."""
    toc_size = 4 + 8 * len(items)
    names = b""
    name_offsets = []
    for name, _data in items:
        name_offsets.append(toc_size + len(names))
        names += name.encode("ascii") + b"\0"
    body = bytearray(names)
    body += b"\0" * (-(len(header) + toc_size + len(body)) % 16)
    data_offsets = []
    for _name, data in items:
        data_offsets.append(toc_size + len(body))
        body += data
        body += b"\0" * (-len(data) % 16)
    toc = struct.pack("<I", len(items)) + b"".join(
        struct.pack("<II", n, d) for n, d in zip(name_offsets, data_offsets, strict=True))
    return header + toc + bytes(body)


def _tool(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def library_data(library: Path) -> tuple[str, str, bytes]:
    """(soname, data symbol, the package bytes) of a libicudata.so."""
    soname = re.search(r"SONAME\s+(\S+)", _tool("objdump", "-p", str(library))).group(1)
    symbol = re.search(r"^([0-9a-f]+)\s.*\.rodata\s+([0-9a-f]+)\s.*?(icudt\d+_dat)$",
                       _tool("objdump", "-T", str(library)), re.M)
    section = re.search(r"\.rodata\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)",
                        _tool("objdump", "-h", str(library)))
    address, size, name = int(symbol.group(1), 16), int(symbol.group(2), 16), symbol.group(3)
    file_offset = int(section.group(3), 16) + address - int(section.group(2), 16)
    with open(library, "rb") as f:
        f.seek(file_offset)
        return soname, name, f.read(size)


def trimmed_library(library: Path, out_dir: Path) -> tuple[Path, dict[str, int]]:
    """Link ``out_dir/<soname>`` with the kept items; returns it and {"kept": bytes, "dropped": bytes}."""
    soname, symbol, blob = library_data(library)
    header, items = read_package(blob)
    keep = [(name, data) for name, data in items if kept(name)]
    package = write_package(header, keep)
    if read_package(package)[1] != keep:
        raise AssertionError("the rewritten ICU package does not read back")
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / soname
    with tempfile.TemporaryDirectory() as tmp:
        dat = Path(tmp) / "icudata.dat"
        dat.write_bytes(package)
        asm = Path(tmp) / "icudata.s"
        asm.write_text(f'.section .rodata\n.balign 16\n.globl {symbol}\n.type {symbol}, @object\n{symbol}:\n'
                       f'.incbin "{dat}"\n.size {symbol}, . - {symbol}\n.section .note.GNU-stack,"",@progbits\n')
        _tool("as", "-o", f"{tmp}/icudata.o", str(asm))
        _tool("ld", "-shared", "-soname", soname, "-o", str(out), f"{tmp}/icudata.o")
    dropped = sum(len(data) for name, data in items if not kept(name))
    return out, {"kept": len(package), "dropped": dropped}


if __name__ == "__main__":
    lib = Path(sys.argv[1])
    out_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp())
    path, sizes = trimmed_library(lib, out_dir)
    print(f"{path}: {sizes['kept'] / 1e6:.1f} MB kept, {sizes['dropped'] / 1e6:.1f} MB dropped")
