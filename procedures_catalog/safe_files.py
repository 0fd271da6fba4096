"""Catalogue files that cannot hurt whoever opens them, or the process that reads them.

* Export: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  is a formula to Excel and LibreOffice (``=HYPERLINK("http://…"&B2, "…")`` leaks the
  row to a stranger's server when clicked). :func:`neutralise` prefixes such values
  with ``'`` as OWASP recommends for CSV injection; :func:`restore` takes exactly that
  prefix away again on import, so export → import gives back every value unchanged.
* Import: a small ``.csv.gz`` or XLSX can inflate to gigabytes (a 100 KB gzip of
  100 MB pushed the staff process past 1.4 GB). :func:`gunzip_limited` and
  :func:`check_xlsx_size` refuse anything that unpacks beyond
  ``CATALOG_IMPORT_MAX_UNPACKED_MB`` before it is inflated.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from .records import RecordError
from .settings import get_import_limits

# Quotes first, then a character that starts a formula: prefixed on export (one more
# quote), so that a value which already starts with quotes comes back intact too.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """``value`` safe to put in a spreadsheet cell (a leading ``'`` when needed)."""
    return "'" + value if _FORMULA.match(value) else value


def restore(value: str) -> str:
    """The value :func:`neutralise` was given (the import side of an export)."""
    return value[1:] if value.startswith("'") and _FORMULA.match(value[1:]) else value


def _limit_bytes() -> int:
    return get_import_limits().max_unpacked_mb * 1024 * 1024


def _too_big(source: str, what: str) -> RecordError:
    limit = get_import_limits().max_unpacked_mb
    return RecordError(f"{what} unpacks to more than {limit} MB (CATALOG_IMPORT_MAX_UNPACKED_MB); "
                       "split the file or raise the limit", source=source)


def gunzip_limited(raw: bytes, source: str) -> bytes:
    """Un-gzip ``raw`` (members one after another, like gzip), refusing more than the limit.

    Raises:
        RecordError: the data unpacks beyond the limit, or is not valid gzip.
    """
    limit = _limit_bytes()
    out = bytearray()
    data = raw
    try:
        while data:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            # Inflate at most one byte more than allowed: enough to know it is too big.
            out += inflater.decompress(data, limit + 1 - len(out))
            if len(out) > limit:
                raise _too_big(source, "the gzip file")
            if not inflater.eof:
                raise OSError("truncated gzip data")
            data = inflater.unused_data
    except zlib.error as exc:
        raise RecordError(f"damaged gzip file: {exc}", source=source) from exc
    except OSError as exc:
        raise RecordError(f"damaged gzip file: {exc}", source=source) from exc
    return bytes(out)


def check_xlsx_size(path: Path) -> None:
    """Refuse an XLSX whose parts would unpack beyond the limit (read from its directory).

    A damaged archive is left for the spreadsheet reader to report.

    Raises:
        RecordError: the declared unpacked size is over the limit.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if total > _limit_bytes():
        raise _too_big(path.name, "the spreadsheet")
