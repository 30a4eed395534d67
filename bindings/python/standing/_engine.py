"""The Engine: a Pythonic wrapper of the C ABI's standing_engine."""

from __future__ import annotations

import datetime as _dt
import enum
import json
import os
import time
from ctypes import byref, c_int32, c_int64, c_size_t, c_uint64, c_void_p
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Union

from google.protobuf import json_format
from google.protobuf.message import Message

from standing import _native
from standing._errors import EngineClosed, InvalidArgument, StandingError, error_for
from standing._native import Buffer, lib
from standing._credit import CreditMethods
from standing._service import ServiceMethods
from standing.v1 import (
    Customer,
    CustomerPage,
    Event,
    EventBatch,
    Explanation,
    Policy,
    Transition,
    TransitionList,
)

__all__ = ["Engine", "Format"]


class Format(enum.IntEnum):
    """How a policy is encoded (standing_policy_format)."""

    JSON = _native.FORMAT_JSON
    TEXT = _native.FORMAT_TEXT
    BINARY = _native.FORMAT_BINARY


class CustomerView(enum.IntEnum):
    """How much of a customer ``Engine.customer`` returns
    (standing_customer_view)."""

    FULL = _native.VIEW_FULL
    """Attributes, enrolment, standing in every program, metrics."""
    STANDING = _native.VIEW_STANDING
    """Only the id and the standing in every program (quicker)."""


PolicyLike = Union[Policy, Mapping[str, Any], str, bytes, bytearray, memoryview, "os.PathLike[str]"]
FormatLike = Union[Format, str, int, None]
EventLike = Union[Event, Mapping[str, Any], bytes]
Instant = Union[_dt.datetime, int]

_SUFFIX_FORMATS = {
    ".json": Format.JSON,
    ".txtpb": Format.TEXT,
    ".textproto": Format.TEXT,
    ".pbtxt": Format.TEXT,
    ".txt": Format.TEXT,
    ".binpb": Format.BINARY,
    ".pb": Format.BINARY,
    ".bin": Format.BINARY,
}

_apply = lib.standing_engine_apply
_apply_batch = lib.standing_engine_apply_batch
_get_customer = lib.standing_engine_get_customer
_get_customer_view = lib.standing_engine_get_customer_view
_get_tier = lib.standing_engine_get_tier
_free = lib.standing_buffer_free
_string_at = __import__("ctypes").string_at
_transition_list_from = TransitionList.FromString
_customer_from = Customer.FromString


def _raise(status: int) -> None:
    raise error_for(status, _native.last_error())


def _format(format: FormatLike) -> Optional[Format]:
    if format is None:
        return None
    if isinstance(format, str):
        try:
            return Format[format.upper()]
        except KeyError:
            raise ValueError(f"unknown policy format {format!r}: json, text or binary") from None
    return Format(format)


def _policy_bytes(policy: PolicyLike, format: FormatLike) -> "tuple[bytes, Format]":
    """Serialized policy and its format."""
    fmt = _format(format)
    if isinstance(policy, Policy):
        if fmt not in (None, Format.BINARY):
            raise ValueError("a Policy message is passed in binary format")
        return policy.SerializeToString(), Format.BINARY
    if isinstance(policy, Mapping):
        if fmt not in (None, Format.JSON):
            raise ValueError("a dict policy is passed as JSON")
        return json.dumps(policy, ensure_ascii=False).encode("utf-8"), Format.JSON
    if isinstance(policy, os.PathLike):
        path = os.fspath(policy)
        with open(path, "rb") as f:
            data = f.read()
        if fmt is None:
            fmt = _SUFFIX_FORMATS.get(os.path.splitext(path)[1].lower())
        return data, fmt if fmt is not None else _sniff(data)
    if isinstance(policy, str):
        data = policy.encode("utf-8")
        if fmt is None:
            fmt = Format.JSON if policy.lstrip().startswith("{") else Format.TEXT
        return data, fmt
    if isinstance(policy, (bytes, bytearray, memoryview)):
        data = bytes(policy)
        return data, fmt if fmt is not None else _sniff(data)
    raise TypeError(
        "policy must be a standing.v1.Policy, a dict, JSON or text (str), bytes or a path, "
        f"not {type(policy).__name__}"
    )


def _sniff(data: bytes) -> Format:
    head = data.lstrip()[:1]
    if head == b"{":
        return Format.JSON
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return Format.BINARY
    # Text format starts with a field name; binary starts with a tag byte.
    return Format.TEXT if head[:1].isalpha() or head == b"#" else Format.BINARY


def _seconds(instant: Instant) -> int:
    """Seconds since the epoch; a naive datetime is taken as UTC."""
    if isinstance(instant, _dt.datetime):
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=_dt.timezone.utc)
        return int(instant.timestamp() // 1)
    if isinstance(instant, bool) or not isinstance(instant, int):
        raise TypeError(f"an instant is a datetime or int seconds, not {type(instant).__name__}")
    return instant


def _rfc3339(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, int) and not isinstance(value, bool):
        return _rfc3339(_dt.datetime.fromtimestamp(value, _dt.timezone.utc))
    return value


def _event_from_dict(d: Mapping[str, Any]) -> Event:
    """An Event from its JSON-mapping dict; `at` may be a datetime or seconds."""
    if "at" in d:
        d = dict(d)
        d["at"] = _rfc3339(d["at"])
    try:
        return json_format.ParseDict(d, Event())
    except json_format.ParseError as e:
        raise InvalidArgument(f"event: {e}") from e


def _event_bytes(event: EventLike) -> bytes:
    t = type(event)
    if t is Event:
        return event.SerializeToString()  # type: ignore[union-attr]
    if t is bytes:
        return event  # type: ignore[return-value]
    if isinstance(event, Mapping):
        return _event_from_dict(event).SerializeToString()
    if isinstance(event, Event):
        return event.SerializeToString()
    if isinstance(event, (bytearray, memoryview)):
        return bytes(event)
    raise TypeError(f"an event is a standing.v1.Event, a dict or bytes, not {t.__name__}")


def _batch_bytes(events: Union[EventBatch, bytes, Iterable[EventLike]]) -> bytes:
    if isinstance(events, EventBatch):
        return events.SerializeToString()
    if isinstance(events, (bytes, bytearray, memoryview)):
        return bytes(events)
    batch = EventBatch()
    items = events if isinstance(events, (list, tuple)) else list(events)
    try:
        batch.events.extend(items)  # fast path: all Event messages
    except TypeError:
        del batch.events[:]
        for e in items:
            if isinstance(e, Event):
                batch.events.append(e)
            elif isinstance(e, Mapping):
                batch.events.append(_event_from_dict(e))
            elif isinstance(e, (bytes, bytearray, memoryview)):
                batch.events.add().ParseFromString(bytes(e))
            else:
                raise TypeError(
                    f"an event is a standing.v1.Event, a dict or bytes, not {type(e).__name__}"
                ) from None
    return batch.SerializeToString()


def _text(value: Union[str, bytes], what: str) -> bytes:
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise InvalidArgument(f"{what} is not valid UTF-8: {e}") from None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} is a str, not {type(value).__name__}")


def _transitions(buf: Buffer) -> List[Transition]:
    if not buf.len:
        return []
    try:
        raw = _string_at(buf.data, buf.len)
    finally:
        _free(byref(buf))
    return list(_transition_list_from(raw).transitions)


class _Options:
    """A standing_options for one call; None when everything is default."""

    def __init__(
        self,
        max_message_bytes: Optional[int] = None,
        review_threads: Optional[int] = None,
        allow_policy_change: Optional[bool] = None,
    ) -> None:
        self.handle = None
        if max_message_bytes is None and review_threads is None and not allow_policy_change:
            return
        h = c_void_p()
        st = lib.standing_options_create(byref(h))
        if st:
            _raise(st)
        self.handle = h
        try:
            if max_message_bytes is not None:
                st = lib.standing_options_set_max_message_bytes(h, max_message_bytes)
                if st:
                    _raise(st)
            if review_threads is not None:
                st = lib.standing_options_set_review_threads(h, review_threads)
                if st:
                    _raise(st)
            if allow_policy_change:
                st = lib.standing_options_set_allow_policy_change(h, 1)
                if st:
                    _raise(st)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.handle is not None:
            lib.standing_options_destroy(self.handle)
            self.handle = None

    def __enter__(self) -> "_Options":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Engine(ServiceMethods, CreditMethods):
    """A standing engine: one policy and the state of every customer.

    Open it from a policy (a :class:`standing.v1.Policy`, a dict in the
    protobuf JSON mapping, JSON or text-format ``str``, ``bytes``, or a
    path), feed it events, and ask it about customers::

        with standing.Engine(pathlib.Path("retail.json")) as engine:
            engine.apply({"customerId": "c1", "at": now, "enrolled": {}})
            print(engine.customer("c1").standings)

    Methods take and return ``standing.v1`` messages; events may also be
    dicts. Errors raise subclasses of :class:`standing.StandingError`. An
    engine may be used from several threads; :meth:`close` waits for calls
    in progress.
    """

    def __init__(
        self,
        policy: PolicyLike,
        format: FormatLike = None,
        *,
        max_message_bytes: Optional[int] = None,
        review_threads: Optional[int] = None,
    ) -> None:
        """Opens an engine with no customers.

        Args:
            policy: the policy (see the class docstring).
            format: ``"json"``, ``"text"``, ``"binary"`` or a :class:`Format`;
                guessed when omitted.
            max_message_bytes: the largest input message accepted (default
                64 MiB); larger ones raise :class:`standing.TooLarge`.
            review_threads: threads used by :meth:`review` (0: all cores).

        Raises:
            PolicyError: the policy does not parse or validate.
        """
        self._handle: Optional[c_void_p] = None
        self._calls: List[None] = []
        data, fmt = _policy_bytes(policy, format)
        handle = c_void_p()
        with _Options(max_message_bytes, review_threads) as opts:
            st = lib.standing_engine_open(data, len(data), int(fmt), opts.handle, byref(handle))
        if st:
            _raise(st)
        self._handle = handle

    @classmethod
    def from_file(cls, path: Union[str, "os.PathLike[str]"], format: FormatLike = None, **options: Any) -> "Engine":
        """Opens an engine from a policy file (format from the suffix: .json,
        .txtpb/.textproto/.pbtxt, .binpb/.pb, unless given)."""
        import pathlib

        return cls(pathlib.Path(path), format, **options)

    @classmethod
    def load(
        cls,
        snapshot: Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"],
        policy: Optional[PolicyLike] = None,
        format: FormatLike = None,
        *,
        allow_policy_change: bool = False,
        max_message_bytes: Optional[int] = None,
        review_threads: Optional[int] = None,
    ) -> "Engine":
        """Opens an engine from a snapshot: bytes (from :meth:`snapshot`) or a
        file path (from :meth:`save`).

        Args:
            policy: the policy to run under; by default the snapshot's own.
                Unless ``allow_policy_change``, it must be the policy the
                snapshot was taken under.
            allow_policy_change: load under the snapshot's policy, then move
                to ``policy`` as :meth:`replace_policy` does.

        Raises:
            MalformedMessage: not a snapshot, truncated or corrupt.
            FailedPrecondition: taken under another policy.
            StorageError: the file cannot be read.
            PolicyError: ``policy`` does not parse or validate.
        """
        self = cls.__new__(cls)
        self._handle = None
        self._calls = []
        pdata, pfmt = (b"", Format.JSON) if policy is None else _policy_bytes(policy, format)
        handle = c_void_p()
        with _Options(max_message_bytes, review_threads, allow_policy_change) as opts:
            if isinstance(snapshot, (bytes, bytearray, memoryview)):
                data = bytes(snapshot)
                st = lib.standing_engine_load(
                    data, len(data), pdata or None, len(pdata), int(pfmt), opts.handle, byref(handle)
                )
            elif isinstance(snapshot, (str, os.PathLike)):
                st = lib.standing_engine_load_file(
                    os.fsencode(snapshot), pdata or None, len(pdata), int(pfmt), opts.handle, byref(handle)
                )
            else:
                raise TypeError(f"a snapshot is bytes or a path, not {type(snapshot).__name__}")
        if st:
            _raise(st)
        self._handle = handle
        return self

    # ---- lifetime ---------------------------------------------------------

    def close(self) -> None:
        """Closes the engine, waiting for calls in progress on other
        threads. Idempotent. Using the engine afterwards raises
        :class:`standing.EngineClosed`."""
        # Calls register in self._calls *before* reading the handle, and
        # list.append/pop and attribute stores are atomic: after the handle
        # is cleared, no new call can start, so waiting for the list to
        # drain is enough.
        handle, self._handle = self._handle, None
        if handle is None:
            return
        while self._calls:
            time.sleep(0.0002)
        lib.standing_engine_close(handle)

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._handle is None

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if getattr(self, "_handle", None) is not None:
                self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __repr__(self) -> str:
        if self._handle is None:
            return "<standing.Engine closed>"
        return f"<standing.Engine {len(self)} customers, clock {self.clock}>"

    def _enter(self) -> c_void_p:
        self._calls.append(None)
        h = self._handle
        if h is None:
            self._calls.pop()
            raise EngineClosed("the engine is closed")
        return h

    def _leave(self) -> None:
        self._calls.pop()

    # ---- events -----------------------------------------------------------

    def apply(self, event: EventLike) -> List[Transition]:
        """Applies one event and returns the tier changes it caused.

        Args:
            event: a :class:`standing.v1.Event`, a dict in the protobuf JSON
                mapping (``at`` may be a datetime or int seconds), or the
                serialized bytes of an Event.

        Raises:
            NotFound: unknown customer. AlreadyExists: enrolled twice.
            InvalidArgument: bad field, wrong currency, undeclared attribute.
            OutOfRange: older than the late-event horizon or before enrolment.
            MalformedMessage, TooLarge: for bytes that are not an Event.
        """
        data = event.SerializeToString() if type(event) is Event else _event_bytes(event)
        buf = Buffer()
        calls = self._calls
        calls.append(None)
        try:
            h = self._handle
            if h is None:
                raise EngineClosed("the engine is closed")
            st = _apply(h, data, len(data), byref(buf))
        finally:
            calls.pop()
        if st:
            _raise(st)
        if buf.len:
            return _transitions(buf)
        return []

    def apply_batch(self, events: Union[EventBatch, bytes, Iterable[EventLike]]) -> List[Transition]:
        """Applies events in order in one call (one lock, one crossing).

        ``events`` is an :class:`standing.v1.EventBatch`, its serialized
        bytes, or an iterable of events (as for :meth:`apply`). Serializing
        one EventBatch is the fastest way to feed many events.

        Returns the transitions of all events. On the first failing event
        the error is raised; its message starts with ``events[i]: ``, the
        events before it stay applied, and the exception's ``applied`` and
        ``transitions`` attributes tell how many and what they caused.
        """
        data = _batch_bytes(events)
        buf = Buffer()
        applied = c_size_t(0)
        h = self._enter()
        try:
            st = _apply_batch(h, data, len(data), byref(buf), byref(applied))
        finally:
            self._leave()
        transitions = _transitions(buf)
        if st:
            exc = error_for(st, _native.last_error())
            exc.applied = applied.value
            exc.transitions = transitions  # type: ignore[assignment]
            raise exc
        return transitions

    def review(self, as_of: Instant) -> List[Transition]:
        """Runs every scheduled evaluation due at or before ``as_of`` (a
        datetime, naive meaning UTC, or int seconds since the epoch) and
        returns the tier changes."""
        seconds = _seconds(as_of)
        buf = Buffer()
        h = self._enter()
        try:
            st = lib.standing_engine_review(h, seconds, byref(buf))
        finally:
            self._leave()
        if st:
            _raise(st)
        return _transitions(buf)

    def replace_policy(self, policy: PolicyLike, format: FormatLike = None) -> List[Transition]:
        """Replaces the policy (an invalid one changes nothing and raises
        :class:`standing.PolicyError`); returns the tier changes, each with
        cause POLICY_CHANGE."""
        data, fmt = _policy_bytes(policy, format)
        buf = Buffer()
        h = self._enter()
        try:
            st = lib.standing_engine_replace_policy(h, data, len(data), int(fmt), byref(buf))
        finally:
            self._leave()
        if st:
            _raise(st)
        return _transitions(buf)

    # ---- queries ----------------------------------------------------------

    def customer(self, customer_id: str, view: CustomerView = CustomerView.FULL) -> Customer:
        """The customer, with its standing in every program and its metrics.

        ``view=CustomerView.STANDING`` returns only ``id`` and ``standings``
        (no attributes, enrolment instant or metrics), which is quicker.

        Raises:
            NotFound: no such customer.
        """
        view = CustomerView(view)
        if type(customer_id) is str:
            try:
                cid = customer_id.encode()
            except UnicodeEncodeError as e:
                raise InvalidArgument(f"customer id is not valid UTF-8: {e}") from None
        else:
            cid = _text(customer_id, "customer id")
        buf = Buffer()
        calls = self._calls
        calls.append(None)
        try:
            h = self._handle
            if h is None:
                raise EngineClosed("the engine is closed")
            if view is CustomerView.FULL:
                st = _get_customer(h, cid, len(cid), byref(buf))
            else:
                st = _get_customer_view(h, cid, len(cid), int(view), byref(buf))
        finally:
            calls.pop()
        if st:
            _raise(st)
        return _customer_from(_native.take(buf))

    def tier_index(self, customer_id: str, program: str) -> int:
        """The index of the customer's current tier in ``program`` (0 = the
        base tier, then the tiers in policy order), without building or
        parsing a Customer.

        Raises:
            NotFound: no such customer or program.
        """
        cid = _text(customer_id, "customer id")
        prog = _text(program, "program")
        tier = c_int32()
        calls = self._calls
        calls.append(None)
        try:
            h = self._handle
            if h is None:
                raise EngineClosed("the engine is closed")
            st = _get_tier(h, cid, len(cid), prog, len(prog), byref(tier))
        finally:
            calls.pop()
        if st:
            _raise(st)
        return tier.value

    def get(self, customer_id: str) -> Optional[Customer]:
        """The customer, or None when there is no such customer."""
        try:
            return self.customer(customer_id)
        except StandingError as e:
            if e.status == 2:
                return None
            raise

    def __contains__(self, customer_id: object) -> bool:
        return isinstance(customer_id, str) and self.get(customer_id) is not None

    def explain(self, customer_id: str, program: str) -> Explanation:
        """Why the customer is in its tier of ``program``: the deciding rule
        and every comparison.

        Raises:
            NotFound: no such customer or program.
        """
        cid = _text(customer_id, "customer id")
        prog = _text(program, "program")
        buf = Buffer()
        h = self._enter()
        try:
            st = lib.standing_engine_explain(h, cid, len(cid), prog, len(prog), byref(buf))
        finally:
            self._leave()
        if st:
            _raise(st)
        return Explanation.FromString(_native.take(buf))

    def list_by_tier(
        self, program: str, tier: str, page_token: str = "", page_size: int = 1000
    ) -> CustomerPage:
        """One page of the customers in ``tier`` of ``program`` (enrolment
        order). :meth:`customers_in_tier` iterates over all pages."""
        prog = _text(program, "program")
        tr = _text(tier, "tier")
        tok = _text(page_token, "page token")
        buf = Buffer()
        h = self._enter()
        try:
            st = lib.standing_engine_list_by_tier(
                h, prog, len(prog), tr, len(tr), tok or None, len(tok), page_size, byref(buf)
            )
        finally:
            self._leave()
        if st:
            _raise(st)
        return CustomerPage.FromString(_native.take(buf))

    def customers_in_tier(self, program: str, tier: str, *, page_size: int = 1000) -> Iterator[str]:
        """Iterates over the ids of the customers in ``tier`` of ``program``,
        in enrolment order, fetching ``page_size`` at a time.

        Raises (on iteration):
            NotFound: no such program or tier.
        """
        token = ""
        while True:
            page = self.list_by_tier(program, tier, token, page_size)
            yield from page.customer_ids
            token = page.next_page_token
            if not token:
                return

    @property
    def policy(self) -> Policy:
        """The engine's policy."""
        buf = Buffer()
        h = self._enter()
        try:
            st = lib.standing_engine_policy(h, byref(buf))
        finally:
            self._leave()
        if st:
            _raise(st)
        return Policy.FromString(_native.take(buf))

    @property
    def clock(self) -> int:
        """The latest event or review instant seen, in seconds since the epoch."""
        out = c_int64()
        h = self._enter()
        try:
            st = lib.standing_engine_clock(h, byref(out))
        finally:
            self._leave()
        if st:
            _raise(st)
        return out.value

    @property
    def clock_datetime(self) -> _dt.datetime:
        """:attr:`clock` as an aware UTC datetime."""
        return _dt.datetime.fromtimestamp(self.clock, _dt.timezone.utc)

    def __len__(self) -> int:
        """The number of customers."""
        out = c_uint64()
        h = self._enter()
        try:
            st = lib.standing_engine_customer_count(h, byref(out))
        finally:
            self._leave()
        if st:
            _raise(st)
        return out.value

    # ---- snapshots --------------------------------------------------------

    def snapshot(self) -> bytes:
        """The whole state as bytes; :meth:`load` opens it again."""
        buf = Buffer()
        h = self._enter()
        try:
            st = lib.standing_engine_snapshot(h, byref(buf))
        finally:
            self._leave()
        if st:
            _raise(st)
        return _native.take(buf)

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes a snapshot to ``path`` atomically (a temporary file renamed
        into place).

        Raises:
            StorageError: the file cannot be written.
        """
        p = os.fsencode(path)
        h = self._enter()
        try:
            st = lib.standing_engine_save(h, p)
        finally:
            self._leave()
        if st:
            _raise(st)
