"""The product's own checks of an input file before any library opens it.

GDAL, pandas, openpyxl and pyarrow report a broken file in their own words (or hang on a named
pipe); :func:`check_file` looks first and raises :class:`geo.errors.DataSourceError` naming the
file and what is wrong with it:

- it exists, is a regular file (a named pipe, a device or a socket would block or never end)
  and is not empty;
- its first bytes are those of its format (by extension): ZIP for ``.zip``/``.xlsx`` (and an
  ``.xlsx`` holds a workbook), SQLite for ``.gpkg`` (and the file is as long as its header
  says: a truncated copy is refused), ``PAR1`` at both ends of a Parquet file, a TIFF header,
  JSON for ``.geojson``, the shapefile magic number; text tables are not binary.

GDAL virtual paths are accepted: ``/vsizip/archive.zip/inside/rivers.shp`` (also
``/vsitar/``, ``/vsigzip/``) is checked as the archive on disk plus the member inside it;
:func:`gdal_path` gives the path GDAL opens (with the archive's absolute path) and
:func:`read_bytes` reads a member for the table readers.
"""

from __future__ import annotations

import os
import stat
import struct
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geo.errors import DataSourceError

VSI_PREFIXES = ("/vsizip/", "/vsitar/", "/vsigzip/")

_ZIP = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
_SQLITE = b"SQLite format 3\x00"
_TIFF = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_PARQUET = b"PAR1"
_SHP = b"\x00\x00\x27\x0a"
_FGB = b"fgb\x03"

#: what the first bytes of other formats look like, to say what a misnamed file is
_LOOKS_LIKE = (
    (_ZIP, "a zip archive (an Excel .xlsx workbook?)"),
    (_SQLITE, "an SQLite database (a GeoPackage?)"),
    (_PARQUET, "a Parquet file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls / OLE document"),
    *((t, "a TIFF image") for t in _TIFF),
)


@dataclass(frozen=True)
class Located:
    """Where an input is: ``disk`` the file on disk (the archive for a virtual path),
    ``member`` the path inside the archive (``None`` for a plain file), ``prefix`` the GDAL
    virtual file system (``/vsizip/``) or ``""``."""

    text: str
    disk: Path
    member: str | None = None
    prefix: str = ""

    @property
    def suffix(self) -> str:
        """Extension of the file as GDAL sees it (the member's for an archive)."""
        return (
            PurePosixPath(self.member).suffix.lower() if self.member else self.disk.suffix.lower()
        )


def is_virtual(path: str | Path) -> bool:
    """True for a GDAL virtual path such as ``/vsizip/archive.zip/rivers.shp``."""
    return str(path).startswith(VSI_PREFIXES)


def locate(path: str | Path) -> Located:
    """Split a path into the file on disk and, for a GDAL virtual path, the member inside.

    ``/vsizip/a/b.zip/c.shp`` is tried as a path relative to the working folder, then as the
    absolute ``/a/b.zip`` (the slash GDAL wants doubled is often written once).
    """
    text = str(path)
    prefix = next((p for p in VSI_PREFIXES if text.startswith(p)), "")
    if not prefix:
        return Located(text, Path(text))
    rest = text[len(prefix) :]
    parts = [p for p in rest.split("/") if p]
    for absolute in (rest.startswith("/"), True, False):
        root = Path("/") if absolute else Path()
        for k in range(1, len(parts) + 1):
            candidate = root.joinpath(*parts[:k])
            if candidate.is_file() or _special(candidate):
                member = "/".join(parts[k:]) or None
                return Located(text, candidate, member, prefix)
    raise DataSourceError(
        f"{text}: no archive found on this path (accepted: {prefix}PATH/TO/ARCHIVE/member, "
        "e.g. /vsizip/rivers.zip/rivers.shp)"
    )


def _special(p: Path) -> bool:
    try:
        return not stat.S_ISDIR(p.stat().st_mode) and not stat.S_ISREG(p.stat().st_mode)
    except OSError:
        return False


def gdal_path(path: str | Path) -> str:
    """The path to hand to GDAL: a virtual path with the archive's absolute path, a ``.zip``
    as ``/vsizip/``, any other path as it is."""
    loc = locate(path)
    if loc.prefix:
        inner = f"/{loc.member}" if loc.member else ""
        return f"{loc.prefix}{loc.disk.resolve()}{inner}"
    if loc.disk.suffix.lower() == ".zip":
        inner = _single_vector_member(loc.disk)
        return f"/vsizip/{loc.disk}" + (f"/{inner}" if inner else "")
    return str(loc.disk)


#: extensions of the vector files GDAL finds in an archive
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".gml", ".kml", ".fgb")


def _single_vector_member(archive: Path) -> str | None:
    """The one vector file of a zip that holds it in a sub-folder (HydroRIVERS downloads:
    ``HydroRIVERS_v10_as_shp/HydroRIVERS_v10_as.shp``), which GDAL does not look into;
    None when the zip holds vector files at its top or several of them."""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(VECTOR_SUFFIXES)]
    except (zipfile.BadZipFile, OSError):
        return None
    if len(names) != 1 or "/" not in names[0]:
        return None
    return names[0]


def exists(path: str | Path) -> bool:
    """True when the file (or, for a virtual path, the archive on disk) exists."""
    try:
        loc = locate(path)
    except DataSourceError:
        return False
    return loc.disk.exists() or _special(loc.disk)


def check_file(path: str | Path, *, folder_ok: bool = False, empty_ok: bool = False) -> Located:
    """Check an input before it is opened (see the module docstring); returns where it is.

    ``folder_ok``: a folder is accepted (a folder of shapefiles, a FileGDB); ``empty_ok``: a
    file of 0 bytes is left to the caller (a table reader says it in its own words).
    """
    loc = locate(path)
    _check_kind(loc.disk, folder_ok=folder_ok, empty_ok=empty_ok)
    if not loc.disk.is_dir() and loc.disk.stat().st_size == 0:
        return loc
    if loc.disk.is_dir():
        return loc
    if loc.prefix:
        _check_archive_member(loc)
        return loc
    _check_signature(loc.disk, loc.disk.suffix.lower())
    return loc


def _check_kind(p: Path, *, folder_ok: bool, empty_ok: bool) -> None:
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise DataSourceError(f"{p}: file not found") from None
    except OSError as exc:
        raise DataSourceError(f"{p}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        if not folder_ok:
            raise DataSourceError(f"{p}: is a folder; accepted: a file")
        if not any(p.iterdir()):
            raise DataSourceError(f"{p}: folder is empty (expected a vector file)")
        return
    kind = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a character device"
        if stat.S_ISCHR(mode)
        else "a block device"
        if stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else None
    )
    if kind:
        raise DataSourceError(
            f"{p}: is {kind}, not a regular file; accepted: a file on disk (save the data "
            "to a file first)"
        )
    if not os.access(p, os.R_OK):
        raise DataSourceError(f"{p}: cannot be read (permission denied)")
    if p.stat().st_size == 0 and not empty_ok:
        raise DataSourceError(f"{p}: file is empty (0 bytes)")


def _head_tail(p: Path, n: int = 100) -> tuple[bytes, bytes, int]:
    size = p.stat().st_size
    try:
        with open(p, "rb") as f:
            head = f.read(n)
            f.seek(max(0, size - 8))
            tail = f.read(8)
    except OSError as exc:
        raise DataSourceError(f"{p}: cannot be read ({exc.strerror})") from None
    return head, tail, size


def _check_signature(p: Path, suffix: str) -> None:
    head, tail, size = _head_tail(p)
    if suffix in (".xlsx", ".xlsm"):
        _check_xlsx(p, head)
    elif suffix in (".zip", ".kmz"):
        _check_zip(p, head)
    elif suffix in (".gpkg", ".sqlite", ".db"):
        _check_sqlite(p, head, size)
    elif suffix in (".parquet", ".pq"):
        if not head.startswith(_PARQUET):
            raise DataSourceError(f"{p}: not a Parquet file ({_looks_like(head)})")
        if tail[-4:] != _PARQUET:
            raise DataSourceError(
                f"{p}: truncated Parquet file (its footer is missing); copy it again"
            )
    elif suffix in (".tif", ".tiff"):
        if not head.startswith(_TIFF):
            raise DataSourceError(f"{p}: not a GeoTIFF ({_looks_like(head)})")
    elif suffix in (".geojson", ".json"):
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if first not in (b"{", b"["):
            raise DataSourceError(f"{p}: not GeoJSON ({_looks_like(head)})")
    elif suffix == ".shp":
        if not head.startswith(_SHP):
            raise DataSourceError(f"{p}: not a shapefile ({_looks_like(head)})")
        for side, what in ((".shx", "index"), (".dbf", "attribute table")):
            if not any(p.with_suffix(e).exists() for e in (side, side.upper())):
                raise DataSourceError(
                    f"{p}: its {what} {p.with_suffix(side).name} is missing; a shapefile is "
                    ".shp, .shx and .dbf side by side (and .prj for its CRS)"
                )
    elif suffix == ".fgb" and not head.startswith(_FGB):
        raise DataSourceError(f"{p}: not a FlatGeobuf file ({_looks_like(head)})")
    elif suffix in (".csv", ".tsv", ".txt", ".toml"):
        _check_text(p, head)


def _looks_like(head: bytes) -> str:
    for magic, what in _LOOKS_LIKE:
        if head.startswith(magic):
            return f"it is {what}"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it holds binary data"
    return f"it starts with {head[:16]!r}"


def _check_text(p: Path, head: bytes) -> None:
    for magic, what in _LOOKS_LIKE:
        if head.startswith(magic):
            raise DataSourceError(
                f"{p}: is {what}, not a text table; save it as CSV or give it its own extension"
            )
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")) and not _utf16(head):
        raise DataSourceError(f"{p}: holds binary data, not text; accepted: a CSV text file")


def _utf16(head: bytes) -> bool:
    """Text in UTF-16 without a byte-order mark: every other byte NUL (ASCII letters)."""
    even, odd = head[0::2], head[1::2]
    return len(head) >= 4 and (odd.count(0) >= 0.9 * len(odd) or even.count(0) >= 0.9 * len(even))


def _check_zip(p: Path, head: bytes) -> None:
    if not head.startswith((_ZIP, _EMPTY_ZIP)):
        raise DataSourceError(f"{p}: not a valid zip archive ({_looks_like(head)})")
    try:
        with zipfile.ZipFile(p) as zf:
            zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DataSourceError(f"{p}: not a valid zip archive ({exc}; truncated?)") from None


def _check_xlsx(p: Path, head: bytes) -> None:
    if not head.startswith(_ZIP):
        raise DataSourceError(
            f"{p}: not an Excel .xlsx workbook ({_looks_like(head)}); accepted: .xlsx as "
            "saved by Excel or LibreOffice"
        )
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
            broken = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise DataSourceError(f"{p}: corrupt .xlsx workbook ({exc}; truncated?)") from None
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        listed = ", ".join(sorted(names)[:4]) or "nothing"
        raise DataSourceError(
            f"{p}: a zip archive but not an Excel workbook (it holds {listed}); accepted: "
            ".xlsx as saved by Excel or LibreOffice"
        )
    if broken:
        raise DataSourceError(f"{p}: corrupt .xlsx workbook (member {broken} is damaged)")


def is_sqlite(path: str | Path) -> bool:
    """Whether the file ``path`` starts as an SQLite database (a GeoPackage is one); False
    when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(_SQLITE)) == _SQLITE
    except OSError:
        return False


def _check_sqlite(p: Path, head: bytes, size: int) -> None:
    if not head.startswith(_SQLITE):
        raise DataSourceError(
            f"{p}: not a GeoPackage ({_looks_like(head)}); a GeoPackage is an SQLite database"
        )
    if len(head) < 100:
        raise DataSourceError(f"{p}: truncated GeoPackage ({size} bytes, shorter than its header)")
    page = struct.unpack(">H", head[16:18])[0]
    page = 65536 if page == 1 else page
    change, pages, valid_for = (struct.unpack(">I", head[i : i + 4])[0] for i in (24, 28, 92))
    wal = p.with_name(p.name + "-wal").exists()
    if pages and change == valid_for and not wal and size < page * pages:
        raise DataSourceError(
            f"{p}: truncated GeoPackage (its header announces {page * pages:,} bytes, the file "
            f"holds {size:,}); copy it again"
        )


def _check_archive_member(loc: Located) -> None:
    head, _, _ = _head_tail(loc.disk)
    if loc.prefix == "/vsizip/":
        _check_zip(loc.disk, head)
        with zipfile.ZipFile(loc.disk) as zf:
            names = zf.namelist()
    elif loc.prefix == "/vsitar/":
        try:
            with tarfile.open(loc.disk) as tf:
                names = tf.getnames()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise DataSourceError(f"{loc.disk}: not a valid tar archive ({exc})") from None
    else:
        if not head.startswith(b"\x1f\x8b"):
            raise DataSourceError(f"{loc.disk}: not a gzip file ({_looks_like(head)})")
        return
    if loc.member is None:
        return
    member = loc.member.strip("/")
    if member not in names and not any(n.startswith(member + "/") for n in names):
        listed = ", ".join(names[:6]) or "nothing"
        raise DataSourceError(
            f"{loc.text}: no {member!r} inside {loc.disk.name} (it holds {listed})"
        )


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a file, or of a member of a zip archive named by a ``/vsizip/`` path."""
    loc = locate(path)
    try:
        if loc.prefix == "/vsizip/" and loc.member:
            with zipfile.ZipFile(loc.disk) as zf:
                return zf.read(loc.member.strip("/"))
        if loc.prefix:
            raise DataSourceError(
                f"{loc.text}: tables are read from /vsizip/ archives or plain files only"
            )
        return loc.disk.read_bytes()
    except (zipfile.BadZipFile, KeyError) as exc:
        raise DataSourceError(f"{loc.text}: cannot be read from the archive ({exc})") from None
    except OSError as exc:
        raise DataSourceError(f"{loc.text}: cannot be read ({exc.strerror})") from None
