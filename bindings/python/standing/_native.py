"""Loading libstanding and declaring the C ABI (include/standing/standing.h).

The library is looked up, in order:

1. the path in the environment variable ``STANDING_LIBRARY`` (if set, it
   must load; there is no fallback);
2. next to this package (``standing/libstanding.so.1``, as the build puts
   it there);
3. the system's search path (``libstanding.so.1``, ``ldconfig``,
   ``LD_LIBRARY_PATH``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from ctypes import POINTER, c_char_p, c_int, c_int32, c_int64, c_size_t
from ctypes import c_uint64, c_void_p
from typing import Iterator, List, Tuple

from standing._errors import LibraryNotFound

#: The ABI this binding is written for (STANDING_ABI_VERSION).
ABI_VERSION = 1

#: Policy formats (standing_policy_format).
FORMAT_JSON = 0
FORMAT_TEXT = 1
FORMAT_BINARY = 2
# standing_customer_view
VIEW_FULL = 0
VIEW_STANDING = 1


class Buffer(ctypes.Structure):
    """standing_buffer: bytes owned by the library until standing_buffer_free."""

    _fields_ = [("data", c_void_p), ("len", c_size_t)]


def _library_names() -> List[str]:
    if sys.platform == "darwin":
        return ["libstanding.1.dylib", "libstanding.dylib"]
    if sys.platform == "win32":
        return ["standing.dll"]
    return [f"libstanding.so.{ABI_VERSION}", "libstanding.so"]


def _candidates() -> Iterator[Tuple[str, bool]]:
    """(path or name, is_explicit) in search order."""
    env = os.environ.get("STANDING_LIBRARY")
    if env:
        yield env, True
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for name in _library_names():
        path = os.path.join(here, name)
        if os.path.exists(path):
            yield path, False
    for name in _library_names():
        yield name, False
    found = ctypes.util.find_library("standing")
    if found:
        yield found, False


def _load() -> ctypes.CDLL:
    errors = []
    for candidate, explicit in _candidates():
        try:
            lib = ctypes.CDLL(candidate)
        except OSError as e:
            if explicit:
                raise LibraryNotFound(
                    f"STANDING_LIBRARY={candidate} does not load: {e}"
                ) from e
            errors.append(f"{candidate}: {e}")
            continue
        try:
            abi = lib.standing_abi_version()
        except AttributeError:
            errors.append(f"{candidate}: not libstanding (no standing_abi_version)")
            continue
        if abi != ABI_VERSION:
            msg = f"{candidate} has ABI version {abi}; this binding needs {ABI_VERSION}"
            if explicit:
                raise LibraryNotFound(msg)
            errors.append(msg)
            continue
        return lib
    raise LibraryNotFound(
        "libstanding not found; set STANDING_LIBRARY to its path. Tried:\n  "
        + "\n  ".join(errors)
    )


lib = _load()


def _declare(name: str, restype, *argtypes) -> None:
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


_P_BUF = POINTER(Buffer)
_P_ENGINE = POINTER(c_void_p)

_declare("standing_version", c_char_p)
_declare("standing_abi_version", c_int32)
_declare("standing_last_error", c_char_p)
_declare("standing_status_name", c_char_p, c_int)
_declare("standing_buffer_free", None, _P_BUF)
_declare("standing_options_create", c_int, POINTER(c_void_p))
_declare("standing_options_destroy", None, c_void_p)
_declare("standing_options_set_max_message_bytes", c_int, c_void_p, c_size_t)
_declare("standing_options_set_review_threads", c_int, c_void_p, c_int32)
_declare("standing_options_set_allow_policy_change", c_int, c_void_p, c_int32)
_declare("standing_engine_open", c_int, c_char_p, c_size_t, c_int, c_void_p, _P_ENGINE)
_declare("standing_engine_close", c_int, c_void_p)
_declare("standing_engine_replace_policy", c_int, c_void_p, c_char_p, c_size_t, c_int, _P_BUF)
_declare("standing_engine_apply", c_int, c_void_p, c_char_p, c_size_t, _P_BUF)
_declare(
    "standing_engine_apply_batch",
    c_int,
    c_void_p,
    c_char_p,
    c_size_t,
    _P_BUF,
    POINTER(c_size_t),
)
_declare("standing_engine_review", c_int, c_void_p, c_int64, _P_BUF)
_declare("standing_engine_get_customer", c_int, c_void_p, c_char_p, c_size_t, _P_BUF)
_declare("standing_engine_get_customer_view", c_int, c_void_p, c_char_p, c_size_t, c_int, _P_BUF)
_declare(
    "standing_engine_get_tier",
    c_int,
    c_void_p,
    c_char_p,
    c_size_t,
    c_char_p,
    c_size_t,
    POINTER(c_int32),
)
_declare(
    "standing_engine_explain",
    c_int,
    c_void_p,
    c_char_p,
    c_size_t,
    c_char_p,
    c_size_t,
    _P_BUF,
)
_declare(
    "standing_engine_list_by_tier",
    c_int,
    c_void_p,
    c_char_p,
    c_size_t,
    c_char_p,
    c_size_t,
    c_char_p,
    c_size_t,
    c_int32,
    _P_BUF,
)
_declare("standing_engine_policy", c_int, c_void_p, _P_BUF)
_declare("standing_engine_clock", c_int, c_void_p, POINTER(c_int64))
_declare("standing_engine_customer_count", c_int, c_void_p, POINTER(c_uint64))
_declare("standing_engine_snapshot", c_int, c_void_p, _P_BUF)
_declare("standing_engine_save", c_int, c_void_p, c_char_p)
_declare(
    "standing_engine_load",
    c_int,
    c_char_p,
    c_size_t,
    c_char_p,
    c_size_t,
    c_int,
    c_void_p,
    _P_ENGINE,
)
_declare(
    "standing_engine_load_file",
    c_int,
    c_char_p,
    c_char_p,
    c_size_t,
    c_int,
    c_void_p,
    _P_ENGINE,
)


def last_error() -> str:
    """standing_last_error() of this thread, decoded."""
    raw = lib.standing_last_error()
    return raw.decode("utf-8", "replace") if raw else ""


def take(buf: Buffer) -> bytes:
    """The bytes of `buf`, which is then released."""
    if not buf.len:
        return b""
    try:
        return ctypes.string_at(buf.data, buf.len)
    finally:
        lib.standing_buffer_free(ctypes.byref(buf))


def version() -> str:
    """The library's version string."""
    return lib.standing_version().decode()


def abi_version() -> int:
    """The library's ABI version."""
    return int(lib.standing_abi_version())


def status_name(status: int) -> str:
    """The enumerator name of a status code."""
    return lib.standing_status_name(status).decode()
