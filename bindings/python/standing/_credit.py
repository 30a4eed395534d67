"""Credit (docs/credit.md): the Engine methods over the C ABI's
``standing_engine_*`` credit functions.

:class:`CreditMethods` is a mixin of :class:`standing.Engine`; it relies on
the engine's ``_enter``/``_leave`` call guard and handle. Every method is a
read: any number may run concurrently with each other and with writes.

Credit *writes* are events applied with :meth:`standing.Engine.apply`:
``invoice`` (with ``order_id``), ``payment``, ``order_placed``,
``order_cancelled``, ``credit_approval`` and ``limit_increase``. Grade
changes come back as transitions whose ``program`` is the credit policy's
name (``"credit"`` by default), with the criteria in ``Transition.credit``.

Amounts are ``int`` minor units of the policy currency (fen for CNY).
Instants are :class:`datetime.datetime` (naive means UTC) or ``int``
seconds since the Unix epoch; ``None`` means the engine's clock.
"""

from __future__ import annotations

import datetime as _dt
from ctypes import POINTER, byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_void_p
from typing import Any, Callable, Optional, TypeVar, Union

from google.protobuf.message import Message

from standing import _native
from standing._errors import InvalidArgument, error_for
from standing._native import Buffer, lib
from standing._service import _limit, _seconds, _text
from standing.v1 import CreditDecision, CreditRecord, CreditReport

__all__ = ["CreditMethods"]

_P_BUF = POINTER(Buffer)
_native._declare(
    "standing_engine_check_credit", c_int, c_void_p, c_char_p, c_size_t, c_int64, c_int64, _P_BUF
)
_native._declare(
    "standing_engine_get_credit_record",
    c_int,
    c_void_p,
    c_char_p,
    c_size_t,
    c_char_p,
    c_size_t,
    _P_BUF,
)
_native._declare("standing_engine_get_credit_report", c_int, c_void_p, c_int32, _P_BUF)

_check_credit = lib.standing_engine_check_credit
_decision_from = CreditDecision.FromString

Instant = Union[_dt.datetime, int]
_M = TypeVar("_M", bound=Message)

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def _amount(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount is an int (minor units), not {type(amount).__name__}")
    if not _INT64_MIN <= amount <= _INT64_MAX:
        raise InvalidArgument(f"amount {amount} does not fit in 64 bits")
    return amount  # zero or negative is refused by the library


class CreditMethods:
    """The credit functions of :class:`standing.Engine`."""

    # Provided by Engine.
    _enter: Callable[[], c_void_p]
    _leave: Callable[[], None]

    def _credit_call(self, parser: Callable[[bytes], _M], fn: Any, *args: Any) -> _M:
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

    def check_credit(
        self, customer_id: str, amount: int, at: Optional[Instant] = None
    ) -> CreditDecision:
        """Answers "may this customer take an order of ``amount`` on credit?".

        The answer follows the grade's control mode: ``outcome`` is
        ``CreditDecision.APPROVE``, ``WARN`` or ``BLOCK``; ``findings`` give
        the reasons (``OVER_LIMIT`` with the excess in ``amount``,
        ``OVERDUE`` with the days past due in ``days``, ``GRADE_BLOCKED``);
        ``available`` is the credit available before this order (limit with
        temporary increases, minus exposure, plus credit balance; may be
        negative). Nothing changes: reserving the amount is an
        ``order_placed`` event.

        Args:
            customer_id: the customer.
            amount: the order amount in minor units; must be positive.
            at: the instant of the check (temporary increases and days past
                due are taken then); default the engine's clock.

        Raises:
            InvalidArgument: an empty id, ``amount <= 0``.
            NotFound: no such customer.
            FailedPrecondition: the policy has no credit section.
            EngineClosed: after :meth:`close`.
        """
        cid = _text(customer_id, "customer id")
        value = _amount(amount)
        seconds = _seconds(at, "at")
        buf = Buffer()
        h = self._enter()
        try:
            st = _check_credit(h, cid, len(cid), value, seconds, byref(buf))
        finally:
            self._leave()
        if st:
            raise error_for(st, _native.last_error())
        return _decision_from(_native.take(buf))

    def credit_record(self, customer_id: str, role: str) -> CreditRecord:
        """The customer's credit record as a caller with ``role`` may see it.

        For the roles of the policy's ``credit.readers``: ``grade``,
        ``grade_index``, ``limit`` (with active temporary increases),
        ``term_days``, ``control``, ``criteria`` (score and items),
        ``increases`` and ``pending`` (a grade change awaiting approval).
        For any other role (``""`` too) those fields are left out,
        ``redacted`` is True and the refusal is counted
        (:meth:`credit_report` ``.refused_reads``); this is not an error.
        ``receivables`` are always present, as of the engine's clock.

        Raises:
            InvalidArgument: an empty id.
            NotFound: no such customer.
            FailedPrecondition: the policy has no credit section.
        """
        cid = _text(customer_id, "customer id")
        r = _text(role, "role")
        return self._credit_call(
            CreditRecord.FromString,
            lib.standing_engine_get_credit_record,
            cid,
            len(cid),
            r or None,
            len(r),
        )

    def credit_report(self, limit: int = 0) -> CreditReport:
        """Customers per grade (lowest first), pending and escalated grade
        changes (the first ``limit`` by step due time; 0: 1000), refused
        credit-record reads since the engine was opened, and the number of
        customers overdue.

        Raises:
            InvalidArgument: a negative limit.
            FailedPrecondition: the policy has no credit section.
        """
        return self._credit_call(
            CreditReport.FromString, lib.standing_engine_get_credit_report, _limit(limit)
        )
