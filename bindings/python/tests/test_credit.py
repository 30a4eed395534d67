"""Tests of the credit methods of standing.Engine (docs/credit.md): errors
as typed exceptions, redaction for roles that may not read, the refusal
counter, the credit check's outcomes and findings."""

import datetime as dt
import threading

import pytest

import standing
from standing import v1

T0 = 1768435200  # 2026-01-15T00:00:00Z
DAY = 86400

# Three grades (black is blocked; red blocks over the limit; green warns),
# one score sheet, a 90-days-past-due hard rule, a monthly review with one
# approval step (2 days, escalating to the manager), readers and limit
# approvers.
POLICY = {
    "name": "credit-test",
    "version": "1",
    "timeZone": "+00:00",
    "currency": "EUR",
    "lateEventHorizonDays": 30,
    "metrics": [
        {
            "name": "spend",
            "aggregate": "SUM",
            "field": "AMOUNT",
            "window": {"sinceEnrolment": True},
            "filter": {"kinds": ["PURCHASE"]},
        },
        {"name": "days_past_due", "aggregate": "RECEIVABLE", "receivable": "DAYS_PAST_DUE"},
    ],
    "credit": {
        "grades": [
            {"name": "black", "control": "CONTROL_BLOCK", "blocked": True},
            {
                "name": "red",
                "minScore": 40,
                "control": "CONTROL_BLOCK",
                "limit": {"amount": 100000},
                "termDays": 30,
            },
            {
                "name": "green",
                "minScore": 70,
                "control": "CONTROL_WARN",
                "limit": {"amount": 500000},
                "termDays": 60,
                "overdueToleranceDays": 10,
            },
        ],
        "scoreSheet": {
            "items": [
                {
                    "name": "spend",
                    "metric": "spend",
                    "bands": [{"atLeast": 0, "points": 0}, {"atLeast": 50000, "points": 30}],
                },
                {
                    "name": "days past due",
                    "metric": "days_past_due",
                    "bands": [
                        {"atLeast": 0, "points": 50},
                        {"atLeast": 1, "points": 20},
                        {"atLeast": 31, "points": 0},
                    ],
                },
            ]
        },
        "hardRules": [
            {
                "name": "more than 90 days past due",
                "when": {"metric": {"metric": "days_past_due", "op": "GT", "value": 90}},
                "grade": "black",
            }
        ],
        "review": {"monthly": True},
        "approvalSteps": [
            {
                "name": "check",
                "roles": ["supervisor"],
                "within": {"amount": 2, "unit": "DAYS"},
                "escalateTo": "manager",
            }
        ],
        "readers": ["supervisor", "manager"],
        "limitApprovers": ["manager"],
    },
}


def ev(cid, at, **kind):
    e = v1.Event(customer_id=cid, **kind)
    e.at.seconds = at
    return e


def enrol(cid, at=T0):
    return ev(cid, at, enrolled=v1.Enrolled())


def order(cid, at, oid, amount, currency="EUR"):
    return ev(cid, at, order_placed=v1.OrderPlaced(order_id=oid, amount=amount, currency=currency))


def approval(cid, at, role, decision=v1.CreditApproval.APPROVE, actor="someone"):
    return ev(cid, at, credit_approval=v1.CreditApproval(decision=decision, role=role, actor=actor))


def increase(cid, at, amount, expires, role, approver="boss"):
    e = ev(
        cid,
        at,
        limit_increase=v1.CreditLimitIncrease(amount=amount, currency="EUR", approver=approver, role=role),
    )
    e.limit_increase.expires_at.seconds = expires
    return e


@pytest.fixture
def credit():
    with standing.Engine(POLICY) as e:
        e.apply(enrol("c1"))
        yield e


# ---- errors -------------------------------------------------------------------


def test_permission_denied_is_a_typed_status():
    assert standing.PermissionDenied.status == 13
    assert issubclass(standing.PermissionDenied, standing.StandingError)
    assert standing.status_name(13) == "STANDING_PERMISSION_DENIED"


def test_unknown_customer_is_not_found(credit):
    with pytest.raises(standing.NotFound):
        credit.check_credit("nobody", 100)
    with pytest.raises(standing.NotFound):
        credit.credit_record("nobody", "supervisor")
    with pytest.raises(LookupError):  # NotFound is a LookupError
        credit.credit_record("nobody", "clerk")


def test_bad_arguments(credit):
    for amount in (0, -1, -(2**63)):
        with pytest.raises(standing.InvalidArgument, match="amount"):
            credit.check_credit("c1", amount)
    with pytest.raises(standing.InvalidArgument, match="64 bits"):
        credit.check_credit("c1", 2**63)
    with pytest.raises(TypeError):
        credit.check_credit("c1", 1.5)
    with pytest.raises(TypeError):
        credit.check_credit("c1", True)
    with pytest.raises(TypeError):
        credit.check_credit("c1", 100, at=1.5)
    with pytest.raises(standing.InvalidArgument):
        credit.check_credit("", 100)
    with pytest.raises(standing.InvalidArgument, match="UTF-8"):
        credit.check_credit("\ud800", 100)
    with pytest.raises(standing.InvalidArgument, match="UTF-8"):
        credit.credit_record("c1", "\ud800")
    with pytest.raises(standing.InvalidArgument):
        credit.credit_record(b"\xff", "supervisor")
    with pytest.raises(standing.InvalidArgument, match="negative"):
        credit.credit_report(-1)
    with pytest.raises(TypeError):
        credit.credit_report("10")


def test_policy_without_credit_is_failed_precondition(engine):
    engine.apply(enrol("alice"))
    with pytest.raises(standing.FailedPrecondition, match="credit"):
        engine.check_credit("alice", 100)
    with pytest.raises(standing.FailedPrecondition):
        engine.credit_record("alice", "supervisor")
    with pytest.raises(standing.FailedPrecondition):
        engine.credit_report()
    with pytest.raises(standing.FailedPrecondition):
        engine.apply(order("alice", T0 + 60, "o1", 100))
    # The amount is checked first, whatever the policy.
    with pytest.raises(standing.InvalidArgument):
        engine.check_credit("alice", 0)


def test_closed_engine():
    e = standing.Engine(POLICY)
    e.close()
    with pytest.raises(standing.EngineClosed):
        e.check_credit("c1", 100)
    with pytest.raises(standing.EngineClosed):
        e.credit_record("c1", "supervisor")
    with pytest.raises(standing.EngineClosed):
        e.credit_report()


def test_refused_events_leave_state_unchanged(credit):
    credit.apply(order("c1", T0 + 60, "o1", 30000))
    before = credit.credit_record("c1", "supervisor")
    with pytest.raises(standing.PermissionDenied, match="clerk"):
        credit.apply(increase("c1", T0 + 120, 50000, T0 + 10 * DAY, "clerk"))
    with pytest.raises(standing.FailedPrecondition, match="no grade change"):
        credit.apply(approval("c1", T0 + 120, "supervisor"))
    with pytest.raises(standing.NotFound, match="invoice"):
        credit.apply(ev("c1", T0 + 120, payment=v1.Payment(amount=100, currency="EUR", invoice_id="nope")))
    with pytest.raises(standing.NotFound, match="order"):
        credit.apply(ev("c1", T0 + 120, order_cancelled=v1.OrderCancelled(order_id="nope")))
    with pytest.raises(standing.AlreadyExists):
        credit.apply(order("c1", T0 + 120, "o1", 10))
    with pytest.raises(standing.InvalidArgument, match="approver"):
        credit.apply(increase("c1", T0 + 120, 50000, T0 + 10 * DAY, "manager", approver=""))
    with pytest.raises(standing.InvalidArgument, match="expires_at"):
        credit.apply(increase("c1", T0 + 120, 50000, T0, "manager"))
    assert credit.credit_record("c1", "supervisor") == before


def test_approval_by_a_role_the_step_does_not_allow():
    with standing.Engine(POLICY) as e:
        e.apply(enrol("c1"))
        e.apply(ev("c1", T0 + 60, purchase=v1.Purchase(amount=60000, currency="EUR")))
        changes = e.review(T0 + 17 * DAY + 1)  # 2026-02-01: the monthly review
        proposed = [t for t in changes if t.program == "credit"]
        assert [(t.kind, t.from_tier, t.to_tier) for t in proposed] == [(v1.TransitionKind.PROPOSED, "red", "green")]
        pending = e.credit_record("c1", "supervisor").pending
        assert pending.step == "check" and list(pending.roles) == ["supervisor"]
        with pytest.raises(standing.PermissionDenied, match="manager"):
            e.apply(approval("c1", T0 + 18 * DAY, "manager"))
        with pytest.raises(standing.InvalidArgument, match="actor"):
            e.apply(approval("c1", T0 + 18 * DAY, "supervisor", actor=""))
        assert e.credit_record("c1", "supervisor").pending == pending
        changes = e.apply(approval("c1", T0 + 18 * DAY, "supervisor"))
        assert [(t.kind, t.cause, t.to_tier) for t in changes] == [(v1.TransitionKind.UPGRADE, v1.Cause.APPROVAL, "green")]
        record = e.credit_record("c1", "manager")
        assert record.grade == "green" and record.limit == 500000
        assert not record.HasField("pending")


# ---- the check ---------------------------------------------------------------------


def test_check_approves_within_the_limit_and_blocks_over_it(credit):
    d = credit.check_credit("c1", 60000)
    assert isinstance(d, v1.CreditDecision)
    assert d.outcome == v1.CreditDecision.APPROVE
    assert list(d.findings) == []
    assert (d.available, d.order_amount, d.currency, d.control) == (100000, 60000, "EUR", v1.CreditControl.CONTROL_BLOCK)

    credit.apply(order("c1", T0 + 60, "o1", 60000))
    d = credit.check_credit("c1", 60000)
    assert d.outcome == v1.CreditDecision.BLOCK
    assert [(f.reason, f.amount) for f in d.findings] == [(v1.CreditDecision.OVER_LIMIT, 20000)]
    assert d.available == 40000
    # A check changes nothing.
    assert credit.credit_record("c1", "supervisor").receivables.exposure == 60000


def test_check_at_an_instant(credit):
    credit.apply(increase("c1", T0 + 60, 50000, T0 + 10 * DAY, "manager"))
    assert credit.check_credit("c1", 120000).outcome == v1.CreditDecision.APPROVE
    later = dt.datetime.fromtimestamp(T0 + 11 * DAY, dt.timezone.utc)
    for at in (T0 + 11 * DAY, later, later.replace(tzinfo=None)):
        d = credit.check_credit("c1", 120000, at=at)
        assert d.outcome == v1.CreditDecision.BLOCK and d.available == 100000


def test_checks_from_many_threads(credit):
    credit.apply(order("c1", T0 + 60, "o1", 30000))
    errors = []

    def work():
        try:
            for _ in range(500):
                assert credit.check_credit("c1", 80000).findings[0].amount == 10000
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# ---- reading the record --------------------------------------------------------------


def test_reader_sees_grade_limit_and_criteria(credit):
    r = credit.credit_record("c1", "supervisor")
    assert isinstance(r, v1.CreditRecord)
    assert (r.customer_id, r.redacted, r.grade, r.grade_index) == ("c1", False, "red", 1)
    assert (r.limit, r.term_days, r.control, r.currency) == (100000, 30, v1.CreditControl.CONTROL_BLOCK, "EUR")
    assert r.criteria.score == 50
    assert [(i.item, i.points) for i in r.criteria.items] == [("spend", 0), ("days past due", 50)]
    assert r.criteria.rule == "credit.grades[1].min_score"
    assert r.grade_since.seconds == T0


def test_other_roles_get_a_redacted_record_and_are_counted(credit):
    credit.apply(order("c1", T0 + 60, "o1", 30000))
    assert credit.credit_report().refused_reads == 0
    for role in ("clerk", "", "Supervisor"):  # roles match exactly
        r = credit.credit_record("c1", role)
        assert r.redacted, role
        assert (r.grade, r.grade_index, r.limit, r.term_days) == ("", 0, 0, 0)
        assert not r.HasField("criteria") and not r.HasField("pending") and not r.HasField("grade_since")
        assert list(r.increases) == []
        # Receivables are always there.
        assert (r.customer_id, r.currency) == ("c1", "EUR")
        assert r.receivables.exposure == 30000 and list(r.receivables.open_orders_ids) == ["o1"]
    assert not credit.credit_record("c1", "manager").redacted
    report = credit.credit_report()
    assert report.refused_reads == 3
    assert [(g.grade, g.customers) for g in report.grades] == [("black", 0), ("red", 1), ("green", 0)]


def test_report_lists_pending_approvals():
    with standing.Engine(POLICY) as e:
        for cid in ("a", "b", "c"):
            e.apply(enrol(cid))
        for cid in ("a", "b"):
            e.apply(ev(cid, T0 + 60, purchase=v1.Purchase(amount=60000, currency="EUR")))
        e.review(T0 + 17 * DAY + 1)
        report = e.credit_report()
        assert (report.pending_approvals, report.escalated_approvals) == (2, 0)
        assert sorted(p.customer_id for p in report.pending) == ["a", "b"]
        assert len(e.credit_report(limit=1).pending) == 1
        assert e.credit_report(limit=1).pending_approvals == 2
        # Past the step's 2 days: escalated, and the manager may act.
        changes = e.review(T0 + 20 * DAY)
        assert sorted((t.customer_id, t.kind, t.cause) for t in changes if t.program == "credit") == [
            ("a", v1.TransitionKind.ESCALATED, v1.Cause.DEADLINE),
            ("b", v1.TransitionKind.ESCALATED, v1.Cause.DEADLINE),
        ]
        assert e.credit_report().escalated_approvals == 2
        assert list(e.credit_record("a", "supervisor").pending.roles) == ["supervisor", "manager"]
        e.apply(approval("a", T0 + 20 * DAY, "manager"))
        assert e.credit_record("a", "supervisor").grade == "green"
        assert e.credit_report().pending_approvals == 1
