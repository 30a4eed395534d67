"""Exceptions: one class per status code of the C ABI."""

from __future__ import annotations

from typing import Dict, List, Optional, Type


class StandingError(Exception):
    """Base class of every error the engine reports.

    Attributes:
        status: the C ABI status code (``standing_status``).
        message: the engine's message (``standing_last_error()``).
    """

    status: int = -1

    def __init__(self, message: str = "", status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        #: For :meth:`standing.Engine.apply_batch`: events applied before the
        #: failing one, and the transitions they caused.
        self.applied: int = 0
        self.transitions: List[object] = []


class InvalidArgument(StandingError, ValueError):
    """A bad argument or an event the engine refuses (STANDING_INVALID_ARGUMENT)."""

    status = 1


class NotFound(StandingError, LookupError):
    """Unknown customer, program or tier (STANDING_NOT_FOUND)."""

    status = 2


class AlreadyExists(StandingError):
    """The customer is already enrolled (STANDING_ALREADY_EXISTS)."""

    status = 3


class OutOfRange(StandingError, ValueError):
    """An event older than the late-event horizon or before enrolment."""

    status = 4


class FailedPrecondition(StandingError):
    """E.g. a snapshot taken under another policy (STANDING_FAILED_PRECONDITION)."""

    status = 5


class PolicyError(StandingError, ValueError):
    """The policy does not parse or validate; the message names the field."""

    status = 6


class MalformedMessage(StandingError, ValueError):
    """Bytes that are not a valid message, or a corrupt snapshot."""

    status = 7


class TooLarge(StandingError, ValueError):
    """An input larger than the engine's ``max_message_bytes``."""

    status = 8


class StorageError(StandingError, OSError):
    """A file could not be read or written (STANDING_IO_ERROR)."""

    status = 9


class Unimplemented(StandingError, NotImplementedError):
    """Not supported by this build of the library."""

    status = 10


class OutOfMemory(StandingError, MemoryError):
    """The library ran out of memory."""

    status = 11


class InternalError(StandingError, RuntimeError):
    """A bug in the library."""

    status = 12


class PermissionDenied(StandingError):
    """The caller's role may not do this (STANDING_PERMISSION_DENIED): a
    credit approval by a role the approval step does not allow, a limit
    increase by a role that may not grant one. (Not a :class:`PermissionError`,
    which is an :class:`OSError` about files.)"""

    status = 13


class EngineClosed(StandingError, ValueError):
    """The engine was closed (raised by the binding, not the library)."""

    status = -2


class LibraryNotFound(ImportError):
    """libstanding could not be loaded (see :mod:`standing` for the search)."""


_BY_STATUS: Dict[int, Type[StandingError]] = {
    cls.status: cls
    for cls in (
        InvalidArgument,
        NotFound,
        AlreadyExists,
        OutOfRange,
        FailedPrecondition,
        PolicyError,
        MalformedMessage,
        TooLarge,
        StorageError,
        Unimplemented,
        OutOfMemory,
        InternalError,
        PermissionDenied,
    )
}


def error_for(status: int, message: str) -> StandingError:
    """The exception for a status code (StandingError for unknown codes)."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        return StandingError(f"status {status}: {message}", status)
    return cls(message)
