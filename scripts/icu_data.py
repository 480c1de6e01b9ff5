"""A smaller libicudata for the bundle: only the ICU data Qt reads (used by build_installer.spec).

Qt Core links ICU 73 (libicuuc, libicui18n, libicudata). libicudata is one 30 MB symbol,
``icudt73_dat``: ICU's "common data" package (a table of contents, then ~3900 items). Qt has its own
CLDR tables for QLocale formatting and its own Unicode tables for text boundaries, normalisation and
IDNA; it calls ICU only for collation (QCollator, QString::localeAwareCompare), locale-aware case
mapping, the non-Unicode codecs of QStringConverter, and time zone names (QTimeZone::displayName). The
console uses none of these itself: it sorts in SQLite/Python, decodes text in Python, and formats time
zones with zoneinfo/babel. So the rebuilt library (3 MB) keeps the core items at the top (character
properties, case mapping, normalisation, likely subtags, supplemental data, the time zone rules, the
codec alias table), the root and English locale data, the root collation (DUCET) and the root and
English time zone names, and drops:

- the other locales' data and names, ``brkitr/`` (with its CJK/Thai dictionaries), ``curr/``,
  ``lang/``, ``region/``, ``unit/``, ``translit/``, ``rbnf/``: only ICU's formatting, break iteration
  and transliteration APIs read them, which Qt never calls;
- the locale tailorings of collation (``coll/de.res``...): a QCollator for any locale sorts in the
  root order (what English uses), e.g. in Qt's own file dialog where no portal dialog is available;
- the multi-byte codec tables (CJK and EBCDIC double-byte ``*.cnv``, 4.7 MB): QStringDecoder("Shift_JIS")
  and the like become invalid; the single-byte ones (windows-125x, ISO-8859-x, KOI8, DOS and Mac code
  pages: 0.4 MB) stay, and UTF-8/16/32 and Latin-1 are Qt's own;
- character names (``unames.icu``), StringPrep profiles and confusables (``*.spp``, ``*.cfu``).

ICU falls back to the root locale for a locale whose item is missing, as for locales it has no data
for. The library is linked with binutils' ``as`` and ``ld`` (PyInstaller's Linux build already needs
binutils for objdump). ``python scripts/icu_data.py LIB [OUT_DIR]`` writes it and prints the sizes.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

LOCALE_ITEM = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*\.res$")  # de.res, zh_Hant_TW.res, de__PHONEBOOK.res
TREE_INDEXES = ("res_index.res", "pool.res")                      # a tree's locale list and shared key pool
LOCALES_KEPT = ("root.res", "en.res", "en_US.res", "en_US_POSIX.res")
TREES_KEPT = ("", "coll", "zone")                                 # "" = the top level
CORE_DROPPED = re.compile(r"^(unames\.icu|.*\.spp|.*\.cfu)$")


def single_byte_codec(data: bytes) -> bool:
    """A .cnv item whose UConverterStaticData says maxBytesPerChar == 1 (offset 71 after the header)."""
    return data[struct.unpack_from("<H", data, 0)[0] + 71] == 1


def kept(name: str, data: bytes) -> bool:
    """Whether the bundle keeps the item ``name`` ("icudt73l/coll/de.res" -> tree "coll", "de.res")."""
    tree, _, leaf = name.partition("/")[2].rpartition("/")
    if tree not in TREES_KEPT or CORE_DROPPED.match(leaf):
        return False
    if leaf.endswith(".cnv"):
        return single_byte_codec(data)
    if leaf in TREE_INDEXES or leaf in LOCALES_KEPT:
        return True
    return not LOCALE_ITEM.match(leaf)  # a core item (uprops.icu, ucadata.icu, supplementalData.res...)


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
    keep = [(name, data) for name, data in items if kept(name, data)]
    package = write_package(header, keep)
    back = read_package(package)[1]  # each item as written, padded to 16 bytes
    if [name for name, _ in back] != [name for name, _ in keep] or any(
            not data.startswith(kept_data) for (_, data), (_, kept_data) in zip(back, keep, strict=True)):
        raise AssertionError("the rewritten ICU package does not read back")
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / soname
    with tempfile.TemporaryDirectory() as tmp:
        dat = Path(tmp) / "icudata.dat"
        dat.write_bytes(package)
        asm = Path(tmp) / "icudata.s"
        asm.write_text(f'.section .rodata\n.balign 16\n.globl {symbol}\n.type {symbol}, @object\n'
                       f'{symbol}:\n.incbin "{dat}"\n.size {symbol}, . - {symbol}\n'
                       '.section .note.GNU-stack,"",@progbits\n')
        _tool("as", "-o", f"{tmp}/icudata.o", str(asm))
        _tool("ld", "-shared", "-soname", soname, "-o", str(out), f"{tmp}/icudata.o")
    dropped = sum(len(data) for name, data in items if not kept(name, data))
    return out, {"kept": len(package), "dropped": dropped}


if __name__ == "__main__":
    lib = Path(sys.argv[1])
    out_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp())
    path, sizes = trimmed_library(lib, out_dir)
    print(f"{path}: {sizes['kept'] / 1e6:.1f} MB kept, {sizes['dropped'] / 1e6:.1f} MB dropped")
