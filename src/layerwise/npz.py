"""The one reader of .npz files (data files and model files): parsed before trusted.

An .npz is a zip archive of .npy members. Before it allocates an array, :class:`NpzReader`
reads the member's .npy header (``numpy.lib.format.read_magic`` and
``read_array_header_1_0``/``2_0`` on the member's stream) and checks what it declares:

* object arrays are refused: they are pickles, and layerwise never unpickles;
* the declared shape times the item size must be exactly what the member holds
  (``ZipInfo.file_size`` less the header), so a 546-byte file cannot declare an
  X of 10^7 x 10^7;
* the arrays read from one file must together stay under :func:`max_bytes`, so a member
  compressed a thousandfold cannot expand past it.

Every zip, zlib, header and format failure becomes one sentence of the caller's error class
(``DataError`` for data files, ``ModelFileError`` for model files), never NumPy's advice
to pass ``allow_pickle``: "X.npz is not a readable .npz file (truncated or corrupt): ...".
"""

from __future__ import annotations

import math
import os
import struct
import tokenize
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import LayerwiseError

try:  # not every Python build has lzma (a zip member may use it)
    from lzma import LZMAError
except ImportError:  # pragma: no cover
    LZMAError = OSError

try:  # not on Windows
    import resource
except ImportError:  # pragma: no cover
    resource = None

__all__ = ["MAX_BYTES", "ArrayHeader", "NpzReader", "format_bytes", "max_bytes", "open_npz"]

#: The most bytes of arrays one file may declare (then at most half the address-space
#: limit, when the process has one): more is refused before anything is allocated.
MAX_BYTES = 4_000_000_000
#: The longest .npy header read (NumPy's own default).
MAX_HEADER = 10_000

#: Everything reading a zip member can raise on a damaged file.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    LZMAError,
    EOFError,
    OSError,
    ValueError,  # NumPy's header parser, "EOF: reading array data", UnicodeDecodeError
    SyntaxError,
    tokenize.TokenError,  # NumPy's header parser, on an unclosed bracket
    NotImplementedError,  # an unknown compression method
    RuntimeError,  # an encrypted member
    struct.error,
    OverflowError,
    RecursionError,
    KeyError,
    IndexError,
    TypeError,
)


def max_bytes() -> int:
    """The limit on the bytes of arrays read from one file: :data:`MAX_BYTES`, or half the
    process's address-space limit (``RLIMIT_AS``) when that is lower."""
    limit = MAX_BYTES
    if resource is not None:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY and soft > 0:
            limit = min(limit, soft // 2)
    return int(limit)


def format_bytes(n: int) -> str:
    """1536 -> "1.5 KB", 8e14 -> "800.0 TB" (powers of 1000)."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape) if shape else "a scalar"


@dataclass(frozen=True)
class ArrayHeader:
    """What one .npy member declares: its name (without ".npy"), shape and dtype."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def describe(self) -> str:
        """E.g. "10000000×10000000 float64 (800.0 TB)"."""
        return f"{_shape_text(self.shape)} {self.dtype} ({format_bytes(self.nbytes)})"


class NpzReader:
    """An open .npz: ``names``, ``header(name)`` (checked, nothing allocated) and
    ``read(name)``. Use :func:`open_npz`; close it (or use ``with``)."""

    def __init__(self, path: Path, error: type[LayerwiseError], what: str) -> None:
        self.path = path
        self.error = error
        self.limit = max_bytes()
        self._read_bytes = 0
        self._headers: dict[str, ArrayHeader] = {}
        try:
            with open(path, "rb") as fh:
                magic = fh.read(4)
        except OSError as exc:
            raise error(f"cannot read {path} ({exc.strerror or exc})") from None
        if magic == b"\x93NUM":
            raise error(f"{path} holds a single array, not {what} (it is an .npy file)")
        if not magic.startswith(b"PK"):
            raise error(f"{path} is not {what}")
        try:
            self._zip = zipfile.ZipFile(path)
        except _ZIP_ERRORS as exc:
            raise self.corrupt(exc) from None
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if name in self._members:
                self.close()
                raise self.corrupt(f"it holds two entries named {name!r}")
            self._members[name] = info

    # ------------------------------------------------------------------ the file
    @property
    def names(self) -> list[str]:
        """The arrays' names, as ``np.load`` gives them (".npy" removed)."""
        return list(self._members)

    def __contains__(self, name: str) -> bool:
        return name in self._members

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> NpzReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def corrupt(self, detail: object = None) -> LayerwiseError:
        """The one error for a damaged file: "... is not a readable .npz file (...)"."""
        text = " ".join(str(detail or "").split())
        if len(text) > 200:  # NumPy quotes a whole bad header
            text = text[:197] + "..."
        tail = f": {text}" if text else ""
        return self.error(f"{self.path} is not a readable .npz file (truncated or corrupt){tail}")

    # ------------------------------------------------------------------ one array
    def header(self, name: str) -> ArrayHeader:
        """The checked header of array ``name``: not an object array, and declaring exactly
        the bytes its entry holds. Reads only the header."""
        if name in self._headers:
            return self._headers[name]
        info = self._members[name]
        if info.flag_bits & 0x1:
            raise self.corrupt(f"array {name} is encrypted")
        try:
            with self._zip.open(info) as fp:
                version = np.lib.format.read_magic(fp)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp, MAX_HEADER)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp, MAX_HEADER)
                else:
                    raise ValueError(f"array {name} has an .npy header of version {version}")
                offset = fp.tell()
        except _ZIP_ERRORS as exc:
            raise self.corrupt(f"array {name}: {exc}") from None
        if any(d < 0 for d in shape):
            raise self.corrupt(f"array {name} declares the shape {shape}")
        head = ArrayHeader(name, tuple(int(d) for d in shape), np.dtype(dtype), bool(fortran))
        if head.dtype.hasobject:
            raise self.error(
                f"{self.path} holds pickled objects (array {name}), which layerwise never "
                "loads (unsafe)"
            )
        if head.dtype.kind == "V":
            raise self.error(
                f"{self.path}: array {name} holds {head.dtype} records, not plain numbers"
            )
        held = info.file_size - offset
        if head.nbytes != held:
            raise self.corrupt(
                f"array {name} declares {head.describe()} but its entry holds "
                f"{format_bytes(max(held, 0))}"
            )
        if head.nbytes > self.limit or head.size > self.limit:
            raise self.error(
                f"{self.path} declares array {name} of {head.describe()}, more than the limit of "
                f"{format_bytes(self.limit)} for one file"
            )
        self._headers[name] = head
        return head

    def read(self, name: str) -> np.ndarray:
        """Array ``name``, after its header is checked; the arrays read from this file
        together stay under the limit."""
        head = self.header(name)
        if self._read_bytes + head.nbytes > self.limit:
            raise self.error(
                f"{self.path} declares arrays of {format_bytes(self._read_bytes + head.nbytes)} "
                f"in all, more than the limit of {format_bytes(self.limit)} for one file"
            )
        self._read_bytes += head.nbytes
        try:
            with self._zip.open(self._members[name]) as fp:
                array = np.lib.format.read_array(fp, allow_pickle=False, max_header_size=MAX_HEADER)
                if fp.read(1):  # also makes zipfile check the entry's CRC
                    raise ValueError("more data than its header declares")
        except _ZIP_ERRORS as exc:
            raise self.corrupt(f"array {name}: {exc}") from None
        if array.shape != head.shape or array.dtype != head.dtype:  # the entry changed
            raise self.corrupt(f"array {name} changed while it was read")
        return array


def open_npz(
    path: str | os.PathLike, error: type[LayerwiseError], *, what: str = "an .npz file"
) -> NpzReader:
    """Open ``path`` (which must exist) for checked reading; any failure is one ``error``.

    ``what`` names the file in the message for a file that is not a zip archive at all
    ("... is not an .npz file") or is a single .npy array.
    """
    return NpzReader(Path(path), error, what)
