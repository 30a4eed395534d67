"""Service levels (docs/service-levels.md): the Engine methods over the C
ABI's ``standing_engine_*`` service-level functions.

:class:`ServiceMethods` is a mixin of :class:`standing.Engine`; it relies on
the engine's ``_enter``/``_leave`` call guard and handle. Every method is a
read: any number may run concurrently with each other and with writes.

Instants are :class:`datetime.datetime` (naive means UTC) or ``int`` seconds
since the Unix epoch; ``None`` means the engine's clock.
"""

from __future__ import annotations

import datetime as _dt
from ctypes import POINTER, byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_void_p
from typing import Any, Callable, Mapping, Optional, TypeVar, Union, overload

from google.protobuf import json_format
from google.protobuf.message import Message

from standing import _native
from standing._errors import InvalidArgument, error_for
from standing._native import Buffer, lib
from standing.v1 import (
    BreachList,
    CapacityReport,
    ComplianceReport,
    DurationSpec,
    EntitlementSet,
    OverdueList,
    OverdueQuery,
    RequestStatus,
)

__all__ = ["ServiceMethods"]

_P_BUF = POINTER(Buffer)
_native._declare(
    "standing_engine_resolve_entitlements", c_int, c_void_p, c_char_p, c_size_t, _P_BUF
)
_native._declare(
    "standing_engine_get_request",
    c_int,
    c_void_p,
    c_char_p,
    c_size_t,
    c_char_p,
    c_size_t,
    c_int64,
    _P_BUF,
)
_native._declare(
    "standing_engine_preview_request",
    c_int,
    c_void_p,
    c_char_p,
    c_size_t,
    c_char_p,
    c_size_t,
    c_char_p,
    c_size_t,
    c_int64,
    _P_BUF,
)
_native._declare("standing_engine_list_breaches", c_int, c_void_p, c_int64, c_int32, _P_BUF)
_native._declare("standing_engine_list_overdue", c_int, c_void_p, c_char_p, c_size_t, _P_BUF)
_native._declare("standing_engine_capacity_report", c_int, c_void_p, c_int32, _P_BUF)
_native._declare("standing_engine_compliance", c_int, c_void_p, _P_BUF)
_native._declare(
    "standing_engine_add_duration", c_int, c_void_p, c_int64, c_char_p, c_size_t, POINTER(c_int64)
)

Instant = Union[_dt.datetime, int]
KindLike = Union[int, str, None]  # an OverdueQuery.Kind value or its name
DurationLike = Union[DurationSpec, Mapping[str, Any], bytes]
_M = TypeVar("_M", bound=Message)

_INT32_MAX = 2**31 - 1


def _seconds(instant: Optional[Instant], what: str) -> int:
    """Seconds since the epoch (0 for None: the engine's clock); a naive
    datetime is taken as UTC."""
    if instant is None:
        return 0
    if isinstance(instant, _dt.datetime):
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=_dt.timezone.utc)
        return int(instant.timestamp() // 1)
    if isinstance(instant, bool) or not isinstance(instant, int):
        raise TypeError(f"{what} is a datetime or int seconds, not {type(instant).__name__}")
    return instant


def _text(value: Union[str, bytes], what: str) -> bytes:
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise InvalidArgument(f"{what} is not valid UTF-8: {e}") from None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} is a str, not {type(value).__name__}")


def _limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit is an int, not {type(limit).__name__}")
    if limit > _INT32_MAX:
        raise InvalidArgument(f"limit must be at most {_INT32_MAX}, not {limit}")
    return limit  # a negative limit is refused by the library


def _kind(kind: KindLike) -> int:
    if kind is None:
        return OverdueQuery.KIND_UNSPECIFIED
    if isinstance(kind, str):
        try:
            return OverdueQuery.Kind.Value(kind.upper())
        except ValueError:
            raise InvalidArgument(f"unknown overdue kind {kind!r}: cadence or task") from None
    if isinstance(kind, bool) or not isinstance(kind, int):
        raise TypeError(f"kind is an OverdueQuery.Kind, int or str, not {type(kind).__name__}")
    return int(kind)


def _duration_bytes(duration: DurationLike) -> bytes:
    if isinstance(duration, DurationSpec):
        return duration.SerializeToString()
    if isinstance(duration, Mapping):
        try:
            return json_format.ParseDict(duration, DurationSpec()).SerializeToString()
        except json_format.ParseError as e:
            raise InvalidArgument(f"duration: {e}") from e
    if isinstance(duration, (bytes, bytearray, memoryview)):
        return bytes(duration)
    raise TypeError(
        f"a duration is a standing.v1.DurationSpec, a dict or bytes, not {type(duration).__name__}"
    )


def _query_bytes(query: Union[OverdueQuery, Mapping[str, Any], bytes]) -> bytes:
    if isinstance(query, OverdueQuery):
        return query.SerializeToString()
    if isinstance(query, Mapping):
        try:
            return json_format.ParseDict(query, OverdueQuery()).SerializeToString()
        except json_format.ParseError as e:
            raise InvalidArgument(f"overdue query: {e}") from e
    if isinstance(query, (bytes, bytearray, memoryview)):
        return bytes(query)
    raise TypeError(f"a query is a standing.v1.OverdueQuery, a dict or bytes, not {type(query).__name__}")


class ServiceMethods:
    """The service-level queries of :class:`standing.Engine`."""

    # Provided by Engine.
    _enter: Callable[[], c_void_p]
    _leave: Callable[[], None]

    def _call(self, parser: Callable[[bytes], _M], fn: Any, *args: Any) -> _M:
        """Calls ``fn(handle, *args, &buffer)`` and parses the buffer."""
        buf = Buffer()
        h = self._enter()
        try:
            st = fn(h, *args, byref(buf))
        finally:
            self._leave()
        if st:
            raise error_for(st, _native.last_error())
        return parser(_native.take(buf))

    def entitlements(self, customer_id: str) -> EntitlementSet:
        """What the customer is entitled to now, across programs, and where
        each entitlement comes from (program, tier, defining tier), in
        declaration order.

        Raises:
            NotFound: no such customer.
            InvalidArgument: an empty id.
            EngineClosed: after :meth:`close`.
        """
        cid = _text(customer_id, "customer id")
        return self._call(
            EntitlementSet.FromString, lib.standing_engine_resolve_entitlements, cid, len(cid)
        )

    def request(
        self, customer_id: str, request_id: str, as_of: Optional[Instant] = None
    ) -> RequestStatus:
        """An open service request: its deadline rule, due times and breach
        state (``warning``, ``response_breached``, ``resolution_breached``)
        as of ``as_of`` (default: the engine's clock).

        Raises:
            NotFound: no such customer, or no such open request.
            InvalidArgument: an empty id.
        """
        cid = _text(customer_id, "customer id")
        rid = _text(request_id, "request id")
        seconds = _seconds(as_of, "as_of")
        return self._call(
            RequestStatus.FromString,
            lib.standing_engine_get_request,
            cid,
            len(cid),
            rid,
            len(rid),
            seconds,
        )

    def preview_request(
        self,
        customer_id: str,
        request_type: str,
        priority: str = "",
        at: Optional[Instant] = None,
    ) -> RequestStatus:
        """Answers "by when must we answer this?": the due times a request of this
        type and priority would get if the customer opened it at ``at``
        (default: the engine's clock), without opening it. ``rule`` is empty
        when no deadline rule matches.

        Raises:
            NotFound: no such customer.
        """
        cid = _text(customer_id, "customer id")
        rtype = _text(request_type, "request type")
        prio = _text(priority, "priority")
        seconds = _seconds(at, "at")
        return self._call(
            RequestStatus.FromString,
            lib.standing_engine_preview_request,
            cid,
            len(cid),
            rtype or None,
            len(rtype),
            prio or None,
            len(prio),
            seconds,
        )

    def breaches(self, as_of: Optional[Instant] = None, limit: int = 0) -> BreachList:
        """Open requests past their response or resolution due time as of
        ``as_of`` (default: the engine's clock), most overdue first, at most
        ``limit`` (0: 1000; ``truncated`` tells whether more matched).

        Raises:
            InvalidArgument: a negative limit.
        """
        seconds = _seconds(as_of, "as_of")
        return self._call(
            BreachList.FromString, lib.standing_engine_list_breaches, seconds, _limit(limit)
        )

    def overdue(
        self,
        manager: Union[str, OverdueQuery, Mapping[str, Any], None] = None,
        *,
        unowned: bool = False,
        kind: KindLike = None,
        program: Optional[str] = None,
        tier: Optional[str] = None,
        as_of: Optional[Instant] = None,
        due_from: Optional[Instant] = None,
        limit: int = 0,
    ) -> OverdueList:
        """Contact cadences and obligations past due, most overdue first.

        Either pass an :class:`standing.v1.OverdueQuery` (or its dict in the
        protobuf JSON mapping, or its serialized bytes) as the only
        argument, or the criteria:

        Args:
            manager: only the customers of this primary manager (default:
                everyone, unless ``unowned``).
            unowned: only customers without a primary manager.
            kind: ``"cadence"``, ``"task"`` or an ``OverdueQuery.Kind``
                (default: both).
            program, tier: only customers in this tier of this program
                (give both).
            as_of: overdue as of this instant (default: the engine's clock).
            due_from: only items that fell due in ``[due_from, as_of]``.
            limit: at most this many items (0: 1000; ``truncated`` tells).

        Raises:
            NotFound: no such program or tier.
            InvalidArgument: bad criteria (e.g. a negative limit).
        """
        if isinstance(manager, (OverdueQuery, Mapping, bytes, bytearray, memoryview)):
            if unowned or kind is not None or program or tier or as_of is not None or due_from is not None or limit:
                raise TypeError("pass either an OverdueQuery or keyword criteria, not both")
            data = _query_bytes(manager)
        else:
            q = OverdueQuery(unowned=bool(unowned), kind=_kind(kind), limit=_limit(limit))  # type: ignore[arg-type]
            if manager is not None:
                q.manager = _text(manager, "manager").decode("utf-8")
            if program is not None:
                q.program = _text(program, "program").decode("utf-8")
            if tier is not None:
                q.tier = _text(tier, "tier").decode("utf-8")
            if as_of is not None:
                q.as_of.seconds = _seconds(as_of, "as_of")
            if due_from is not None:
                q.due_from.seconds = _seconds(due_from, "due_from")
            data = q.SerializeToString()
        return self._call(
            OverdueList.FromString, lib.standing_engine_list_overdue, data or None, len(data)
        )

    def capacity_report(self, limit: int = 0) -> CapacityReport:
        """Managers over capacity (highest load first) and the customers of
        tiers that require a manager but have none (the first ``limit``
        ids; 0: 1000).

        Raises:
            InvalidArgument: a negative limit.
        """
        return self._call(CapacityReport.FromString, lib.standing_engine_capacity_report, _limit(limit))

    def compliance(self) -> ComplianceReport:
        """Compliance with every percentage target, per target, period and
        tier."""
        return self._call(ComplianceReport.FromString, lib.standing_engine_compliance)

    @overload
    def add_duration(self, at: int, duration: DurationLike) -> int: ...

    @overload
    def add_duration(self, at: _dt.datetime, duration: DurationLike) -> _dt.datetime: ...

    def add_duration(self, at: Instant, duration: DurationLike) -> Instant:
        """``at`` plus ``duration`` in calendar or working time on the
        policy's calendars.

        Args:
            at: a datetime (naive means UTC) or int seconds since the epoch.
            duration: a :class:`standing.v1.DurationSpec`, its dict
                (``{"amount": 2, "unit": "WORKING_DAYS"}``) or bytes.

        Returns:
            The end instant, of the type of ``at`` (an aware UTC datetime for
            a datetime).

        Raises:
            InvalidArgument: a negative amount, an unknown unit or calendar,
                a working unit without a calendar.
        """
        if at is None:
            raise TypeError("at is a datetime or int seconds, not None")
        seconds = _seconds(at, "at")
        data = _duration_bytes(duration)
        out = c_int64()
        h = self._enter()
        try:
            st = lib.standing_engine_add_duration(h, seconds, data, len(data), byref(out))
        finally:
            self._leave()
        if st:
            raise error_for(st, _native.last_error())
        if isinstance(at, _dt.datetime):
            return _dt.datetime.fromtimestamp(out.value, _dt.timezone.utc)
        return out.value
