"""Rule set 3 (credit) through the Python binding: one scenario per rule of
examples/policies/credit.json (grades 黑名单 < 红名单 < 黄名单 < 绿名单,
amounts in fen, the mainland China 2025-2026 calendar for approval
deadlines, times local +08:00)."""

import datetime as dt

import pytest

import standing
from standing import v1

CST = dt.timezone(dt.timedelta(hours=8))
DAY = 86400

BLACK, RED, YELLOW, GREEN = "黑名单", "红名单", "黄名单", "绿名单"

Outcome = v1.CreditDecision
Kind = v1.TransitionKind
Cause = v1.Cause


def local(y, mo, d, h=12, mi=0, s=0):
    return int(dt.datetime(y, mo, d, h, mi, s, tzinfo=CST).timestamp())


def yuan(n):
    return n * 100


# The first quarterly review after the customers below enrol.
Q2 = local(2026, 4, 1, 0)
T0 = local(2026, 1, 5, 10)  # a Monday


@pytest.fixture(scope="session")
def credit_path(repo):
    return repo / "examples" / "policies" / "credit.json"


@pytest.fixture
def eng(credit_path):
    with standing.Engine.from_file(credit_path) as e:
        yield e


def ev(cid, at, **kind):
    e = v1.Event(customer_id=cid, **kind)
    e.at.seconds = at
    return e


def enrol(cid, at=T0):
    return ev(cid, at, enrolled=v1.Enrolled())


def buy(cid, at, amount):
    return ev(cid, at, purchase=v1.Purchase(amount=amount, currency="CNY", category="goods", quantity=1))


def order(cid, at, oid, amount):
    return ev(cid, at, order_placed=v1.OrderPlaced(order_id=oid, amount=amount, currency="CNY"))


def invoice(cid, at, iid, amount, order_id="", due_at=None):
    e = ev(cid, at, invoice=v1.Invoice(invoice_id=iid, amount=amount, currency="CNY", order_id=order_id))
    if due_at is not None:
        e.invoice.due_at.seconds = due_at
    return e


def pay(cid, at, pid, amount, invoice_id=""):
    return ev(cid, at, payment=v1.Payment(payment_id=pid, amount=amount, currency="CNY", invoice_id=invoice_id))


def obligation(cid, at, contract, fulfilled):
    return ev(cid, at, obligation=v1.ObligationOutcome(contract_id=contract, fulfilled=fulfilled))


def approve(cid, at, role, actor="someone", decision=v1.CreditApproval.APPROVE):
    return ev(cid, at, credit_approval=v1.CreditApproval(decision=decision, role=role, actor=actor, comment="ok"))


def increase(cid, at, amount, expires, role="manager", approver="王经理"):
    e = ev(
        cid,
        at,
        limit_increase=v1.CreditLimitIncrease(
            amount=amount, currency="CNY", approver=approver, role=role, reason="spring season"
        ),
    )
    e.limit_increase.expires_at.seconds = expires
    return e


def credit_changes(transitions):
    return [(t.customer_id, t.kind, t.cause, t.from_tier, t.to_tier) for t in transitions if t.program == "credit"]


def grade(eng, cid):
    return eng.credit_record(cid, "supervisor").grade


def findings(decision):
    return [(f.reason, f.amount, f.days) for f in decision.findings]


def upgraded_by_review(eng, cid, revenue, to):
    """Enrols `cid`, buys `revenue`, and takes the grade through the Q2
    review and both approval steps (supervisor, then manager)."""
    eng.apply(enrol(cid))
    eng.apply(buy(cid, T0 + 60, revenue))
    assert (cid, Kind.PROPOSED, Cause.REVIEW, RED, to) in credit_changes(eng.review(Q2))
    eng.apply(approve(cid, local(2026, 4, 1, 10), "supervisor"))
    changes = eng.apply(approve(cid, local(2026, 4, 2, 10), "manager"))
    assert credit_changes(changes) == [(cid, Kind.UPGRADE, Cause.APPROVAL, RED, to)]


# ---- the policy -----------------------------------------------------------------


def test_policy_declares_rule_set_3(eng):
    credit = eng.policy.credit
    assert [g.name for g in credit.grades] == [BLACK, RED, YELLOW, GREEN]
    assert credit.grades[0].blocked
    assert list(credit.readers) == ["supervisor", "manager", "director"]
    assert list(credit.limit_approvers) == ["manager", "director"]
    assert [(s.name, list(s.roles), s.escalate_to) for s in credit.approval_steps] == [
        ("supervisor review", ["supervisor"], "manager"),
        ("credit committee", ["manager", "director"], "director"),
    ]
    assert credit.review.quarterly
    assert eng.credit_report().grades[0].grade == BLACK


# ---- (a) a new customer ---------------------------------------------------------------


def test_new_customer_starts_on_the_red_list(eng):
    changes = eng.apply(enrol("B-1"))
    assert credit_changes(changes) == [("B-1", Kind.ENTERED, Cause.ENROLMENT, "", RED)]
    r = eng.credit_record("B-1", "supervisor")
    assert (r.grade, r.grade_index, r.limit, r.term_days) == (RED, 1, yuan(50_000), 15)
    assert r.control == v1.CreditControl.CONTROL_BLOCK
    # 0 revenue + 20 (fulfilment missing) + 15 (on-time missing) + 10 (not overdue).
    assert r.criteria.score == 45
    assert [(i.metric, i.missing, i.points) for i in r.criteria.items] == [
        ("revenue_12m", False, 0),
        ("fulfilment_rate", True, 20),
        ("on_time_rate", True, 15),
        ("days_past_due", False, 10),
    ]
    assert (r.criteria.score_grade, r.criteria.rule) == (RED, "credit.grades[1].min_score")


def test_a_check_over_the_limit_blocks_with_the_excess(eng):
    eng.apply(enrol("B-1"))
    ok = eng.check_credit("B-1", yuan(50_000))
    assert ok.outcome == Outcome.APPROVE and list(ok.findings) == []
    d = eng.check_credit("B-1", yuan(60_000))
    assert d.outcome == Outcome.BLOCK
    assert findings(d) == [(Outcome.OVER_LIMIT, yuan(10_000), 0)]
    assert (d.available, d.order_amount, d.currency) == (yuan(50_000), yuan(60_000), "CNY")
    assert d.control == v1.CreditControl.CONTROL_BLOCK


# ---- (b) orders, invoices, payments ---------------------------------------------------------


def test_an_order_reserves_exposure_and_its_invoice_moves_it_to_receivables(eng):
    eng.apply(enrol("B-2"))
    eng.apply(order("B-2", T0 + 60, "SO-1", yuan(30_000)))
    rec = eng.credit_record("B-2", "supervisor").receivables
    assert (rec.open_orders, rec.open_receivables, rec.exposure) == (yuan(30_000), 0, yuan(30_000))
    assert list(rec.open_orders_ids) == ["SO-1"]
    assert eng.check_credit("B-2", yuan(30_000)).available == yuan(20_000)
    assert findings(eng.check_credit("B-2", yuan(25_000))) == [(Outcome.OVER_LIMIT, yuan(5_000), 0)]

    eng.apply(invoice("B-2", T0 + 120, "INV-1", yuan(30_000), order_id="SO-1"))
    rec = eng.credit_record("B-2", "supervisor").receivables
    assert (rec.open_orders, rec.open_receivables, rec.exposure) == (0, yuan(30_000), yuan(30_000))
    assert list(rec.open_orders_ids) == []
    inv = rec.invoices[0]
    assert (inv.invoice_id, inv.amount, inv.open_amount) == ("INV-1", yuan(30_000), yuan(30_000))
    assert inv.due_at.seconds == T0 + 120 + 15 * DAY  # 红名单's 15-day term
    assert rec.aged_current == yuan(30_000)

    # A cancelled order releases its reservation.
    eng.apply(order("B-2", T0 + 180, "SO-2", yuan(5_000)))
    eng.apply(ev("B-2", T0 + 240, order_cancelled=v1.OrderCancelled(order_id="SO-2", reason="customer")))
    assert eng.credit_record("B-2", "supervisor").receivables.exposure == yuan(30_000)


def test_payments_allocate_oldest_due_first_and_overpayment_is_a_credit_balance(eng):
    eng.apply(enrol("B-3"))
    # INV-1 is issued first but falls due last.
    eng.apply(invoice("B-3", T0 + 60, "INV-1", yuan(20_000), due_at=T0 + 40 * DAY))
    eng.apply(invoice("B-3", T0 + 120, "INV-2", yuan(10_000)))  # due in 15 days
    eng.apply(pay("B-3", T0 + 2 * DAY, "PAY-1", yuan(15_000)))
    rec = eng.credit_record("B-3", "supervisor").receivables
    assert [(i.invoice_id, i.open_amount) for i in rec.invoices] == [("INV-1", yuan(15_000))]
    assert (rec.open_receivables, rec.credit_balance) == (yuan(15_000), 0)

    eng.apply(pay("B-3", T0 + 3 * DAY, "PAY-2", yuan(18_000)))
    rec = eng.credit_record("B-3", "supervisor").receivables
    assert list(rec.invoices) == []
    assert (rec.open_receivables, rec.exposure, rec.credit_balance) == (0, 0, yuan(3_000))
    assert rec.available == yuan(53_000)
    assert eng.check_credit("B-3", yuan(53_000)).outcome == Outcome.APPROVE
    # Both invoices were settled on time.
    metrics = {m.name: m for m in eng.customer("B-3").metrics}
    assert (metrics["invoices_settled_12m"].value, metrics["on_time_rate"].value) == (2, 1.0)
    # The credit balance pays the next invoice first.
    eng.apply(invoice("B-3", T0 + 4 * DAY, "INV-3", yuan(5_000)))
    rec = eng.credit_record("B-3", "supervisor").receivables
    assert ([(i.invoice_id, i.open_amount) for i in rec.invoices], rec.credit_balance) == ([("INV-3", yuan(2_000))], 0)


# ---- (c) contract fulfilment below 75% ----------------------------------------------------------


def test_fulfilment_below_75_percent_caps_the_grade_and_drops_key_account_at_once(eng):
    upgraded_by_review(eng, "KA-1", yuan(5_000_000), GREEN)  # score 40 + 20 + 15 + 10 = 85
    assert eng.customer("KA-1").standings[0].tier == "key_account"
    assert eng.credit_record("KA-1", "manager").limit == yuan(5_000_000) * 2 // 6

    assert credit_changes(eng.apply(obligation("KA-1", local(2026, 4, 20, 10), "C-1", True))) == []
    changes = eng.apply(obligation("KA-1", local(2026, 4, 21, 10), "C-2", False))
    tiers = [(t.program, t.kind, t.cause, t.to_tier) for t in changes if t.program == "key_account"]
    assert tiers == [("key_account", Kind.DOWNGRADE, Cause.EVENT, "ordinary")]
    assert credit_changes(changes) == [("KA-1", Kind.DOWNGRADE, Cause.HARD_RULE, GREEN, RED)]
    t = next(t for t in changes if t.program == "credit")
    # The score alone would give 黄名单 (40 + 0 + 15 + 10); the hard rule caps it.
    assert (t.credit.score, t.credit.score_grade) == (65, YELLOW)
    assert (t.credit.hard_rule, t.credit.rule) == ("contract fulfilment below 75%", "credit.hard_rules[0]")
    assert [(c.metric, c.value, c.holds) for c in t.explanation.checks] == [("fulfilment_rate", 0.5, True)]

    r = eng.credit_record("KA-1", "supervisor")
    assert (r.grade, r.limit, r.term_days) == (RED, yuan(50_000), 15)
    assert eng.customer("KA-1").standings[0].tier == "ordinary"


# ---- (d) more than 90 days past due ------------------------------------------------------------


def test_more_than_90_days_past_due_blacklists_as_time_passes(eng):
    eng.apply(enrol("B-4"))
    eng.apply(invoice("B-4", T0 + 60, "INV-1", yuan(10_000)))
    due = T0 + 60 + 15 * DAY
    assert credit_changes(eng.review(due + 60 * DAY + 1)) == []  # before the Q2 review
    rec = eng.credit_record("B-4", "supervisor").receivables
    assert (rec.days_past_due, rec.overdue_amount, rec.aged_31_60) == (60, yuan(10_000), yuan(10_000))
    # Overdue on a block-mode grade: the check blocks with the days.
    d = eng.check_credit("B-4", yuan(100))
    assert d.outcome == Outcome.BLOCK and (Outcome.OVERDUE, 0, 60) in findings(d)

    eng.review(due + 90 * DAY + 1)  # 90 days: not yet (the Q2 review proposes a downgrade)
    assert grade(eng, "B-4") == RED
    changes = eng.review(due + 91 * DAY + 1)
    assert ("B-4", Kind.DOWNGRADE, Cause.HARD_RULE, RED, BLACK) in credit_changes(changes)
    r = eng.credit_record("B-4", "supervisor")
    assert (r.grade, r.criteria.hard_rule) == (BLACK, "more than 90 days past due")
    assert not r.HasField("pending")  # the proposal was superseded
    assert (r.receivables.days_past_due, r.receivables.aged_over_90) == (91, yuan(10_000))

    d = eng.check_credit("B-4", yuan(100))
    assert d.outcome == Outcome.BLOCK
    reasons = {f.reason: f for f in d.findings}
    assert Outcome.GRADE_BLOCKED in reasons
    assert reasons[Outcome.OVERDUE].days == 91
    report = eng.credit_report()
    assert [(g.grade, g.customers) for g in report.grades][0] == (BLACK, 1)
    assert report.customers_overdue == 1


# ---- (e) the quarterly review and its approval steps ----------------------------------------------


def test_quarterly_review_proposes_an_upgrade_that_needs_two_approvals(eng):
    eng.apply(enrol("B-5"))
    eng.apply(buy("B-5", T0 + 60, yuan(1_200_000)))  # score 30 + 20 + 15 + 10 = 75
    assert grade(eng, "B-5") == RED  # score changes wait for the review
    assert credit_changes(eng.review(Q2 - 1)) == []
    changes = eng.review(Q2)
    assert credit_changes(changes) == [("B-5", Kind.PROPOSED, Cause.REVIEW, RED, YELLOW)]
    assert changes[0].credit.score == 75
    p = eng.credit_record("B-5", "supervisor").pending
    assert (p.from_grade, p.to_grade, p.step, p.step_index) == (RED, YELLOW, "supervisor review", 0)
    assert p.proposed_at.seconds == Q2 and list(p.roles) == ["supervisor"]
    # 3 working days on the China calendar (4-6 April is Qingming).
    # 3 whole working days from the review's midnight: 1, 2 and 3 April.
    assert p.step_due.seconds == local(2026, 4, 4, 0)

    with pytest.raises(standing.PermissionDenied, match="clerk"):
        eng.apply(approve("B-5", local(2026, 4, 1, 10), "clerk"))
    with pytest.raises(standing.PermissionDenied):  # not before escalation
        eng.apply(approve("B-5", local(2026, 4, 1, 10), "manager"))
    assert eng.credit_record("B-5", "supervisor").pending == p

    changes = eng.apply(approve("B-5", local(2026, 4, 1, 10), "supervisor", actor="李主管"))
    assert credit_changes(changes) == [("B-5", Kind.STEP_APPROVED, Cause.APPROVAL, RED, YELLOW)]
    p = eng.credit_record("B-5", "supervisor").pending
    assert (p.step, list(p.roles)) == ("credit committee", ["manager", "director"])
    assert [(h.step, h.role, h.actor, h.approved) for h in p.history] == [
        ("supervisor review", "supervisor", "李主管", True)
    ]
    assert grade(eng, "B-5") == RED

    changes = eng.apply(approve("B-5", local(2026, 4, 2, 10), "manager"))
    assert credit_changes(changes) == [("B-5", Kind.UPGRADE, Cause.APPROVAL, RED, YELLOW)]
    r = eng.credit_record("B-5", "supervisor")
    assert (r.grade, r.term_days, r.control) == (YELLOW, 30, v1.CreditControl.CONTROL_WARN)
    assert r.limit == yuan(1_200_000) // 6  # revenue_6m / 6 months, within [50,000, 500,000]
    assert r.grade_since.seconds == local(2026, 4, 2, 10)
    assert not r.HasField("pending")
    # 黄名单 warns instead of blocking.
    d = eng.check_credit("B-5", r.limit + 1)
    assert d.outcome == Outcome.WARN and findings(d) == [(Outcome.OVER_LIMIT, 1, 0)]


def test_an_undecided_step_escalates_and_the_manager_may_then_act(eng):
    for cid in ("B-6", "B-7"):
        eng.apply(enrol(cid))
        eng.apply(buy(cid, T0 + 60, yuan(600_000)))  # score 20 + 20 + 15 + 10 = 65
    eng.review(Q2)
    due = eng.credit_record("B-6", "supervisor").pending.step_due.seconds
    assert credit_changes(eng.review(due - 1)) == []
    assert eng.credit_report().escalated_approvals == 0

    changes = eng.review(due)
    assert credit_changes(changes) == [
        ("B-6", Kind.ESCALATED, Cause.DEADLINE, RED, YELLOW),
        ("B-7", Kind.ESCALATED, Cause.DEADLINE, RED, YELLOW),
    ]
    report = eng.credit_report()
    assert (report.pending_approvals, report.escalated_approvals) == (2, 2)
    p = eng.credit_record("B-6", "supervisor").pending
    assert p.escalated and list(p.roles) == ["supervisor", "manager"]
    assert credit_changes(eng.review(due + DAY)) == []  # escalates once

    changes = eng.apply(approve("B-6", due + 3600, "manager"))
    assert credit_changes(changes) == [("B-6", Kind.STEP_APPROVED, Cause.APPROVAL, RED, YELLOW)]
    p = eng.credit_record("B-6", "supervisor").pending
    assert (p.step, p.escalated) == ("credit committee", False)
    eng.apply(approve("B-6", due + 7200, "director"))
    assert grade(eng, "B-6") == YELLOW

    # B-7: rejected by the escalated manager; the grade stays.
    changes = eng.apply(approve("B-7", due + 3600, "manager", decision=v1.CreditApproval.REJECT))
    assert credit_changes(changes) == [("B-7", Kind.REJECTED, Cause.APPROVAL, RED, YELLOW)]
    assert grade(eng, "B-7") == RED
    assert eng.credit_report().pending_approvals == 0


# ---- (f) temporary limit increases ------------------------------------------------------------


def test_a_temporary_increase_raises_available_credit_until_it_expires(eng):
    eng.apply(enrol("B-8"))
    expires = T0 + 30 * DAY
    with pytest.raises(standing.PermissionDenied, match="limit_approvers"):
        eng.apply(increase("B-8", T0 + 60, yuan(20_000), expires, role="supervisor"))
    assert eng.check_credit("B-8", yuan(60_000)).outcome == Outcome.BLOCK

    eng.apply(increase("B-8", T0 + 60, yuan(20_000), expires))
    d = eng.check_credit("B-8", yuan(60_000))
    assert (d.outcome, d.available) == (Outcome.APPROVE, yuan(70_000))
    r = eng.credit_record("B-8", "manager")
    assert r.limit == yuan(70_000)
    assert [(i.amount, i.approver, i.role, i.expires_at.seconds) for i in r.increases] == [
        (yuan(20_000), "王经理", "manager", expires)
    ]
    # Checked at an instant after the expiry: the plain limit again.
    d = eng.check_credit("B-8", yuan(60_000), at=expires)
    assert (d.outcome, d.available) == (Outcome.BLOCK, yuan(50_000))
    assert findings(d) == [(Outcome.OVER_LIMIT, yuan(10_000), 0)]
    # Once the clock passes the expiry, the record drops it too.
    eng.review(expires + 1)
    r = eng.credit_record("B-8", "manager")
    assert (r.limit, list(r.increases)) == (yuan(50_000), [])
    assert eng.check_credit("B-8", yuan(60_000)).outcome == Outcome.BLOCK


# ---- (g) snapshots --------------------------------------------------------------------------------


def _populate(eng):
    """All of the above in one engine, in time order; at the end S-3 waits
    for the credit committee (not escalated; an escalated step is tested below)."""
    for cid in ("S-1", "S-2", "S-3", "S-4", "S-5"):
        eng.apply(enrol(cid))
    eng.apply(order("S-1", T0 + 60, "SO-1", yuan(30_000)))
    eng.apply(invoice("S-1", T0 + 120, "INV-1", yuan(20_000), order_id="SO-1", due_at=local(2026, 6, 30)))
    eng.apply(invoice("S-1", T0 + 180, "INV-2", yuan(4_000)))
    eng.apply(pay("S-1", T0 + DAY, "PAY-1", yuan(5_000)))  # INV-2, then 1,000 of INV-1
    eng.apply(buy("S-2", T0 + 60, yuan(5_000_000)))
    eng.apply(buy("S-3", T0 + 60, yuan(600_000)))
    eng.apply(invoice("S-4", T0 + 60, "INV-9", yuan(10_000)))
    eng.apply(pay("S-5", T0 + 60, "PAY-9", yuan(1_000)))  # a credit balance
    eng.review(Q2)  # proposes S-1 (on-time rate 1), S-2 and S-3 up, S-4 down
    eng.apply(approve("S-1", local(2026, 4, 1, 11), "supervisor", decision=v1.CreditApproval.REJECT))
    eng.apply(approve("S-2", local(2026, 4, 1, 10), "supervisor"))
    eng.apply(approve("S-2", local(2026, 4, 2, 10), "manager"))
    eng.apply(increase("S-5", local(2026, 4, 3, 10), yuan(20_000), local(2026, 5, 1)))
    eng.review(local(2026, 4, 7, 0))  # S-3's and S-4's first steps escalate
    eng.apply(obligation("S-2", local(2026, 4, 20, 10), "C-1", False))
    eng.apply(approve("S-3", local(2026, 4, 21, 10), "manager"))
    eng.review(local(2026, 4, 22, 0))  # S-4: 90+ days past due


CUSTOMERS = ("S-1", "S-2", "S-3", "S-4", "S-5")


def test_a_snapshot_round_trip_keeps_credit(eng, tmp_path):
    _populate(eng)
    assert [grade(eng, c) for c in CUSTOMERS] == [RED, RED, RED, BLACK, RED]
    pending = eng.credit_report().pending
    assert [(p.customer_id, p.step, p.escalated) for p in pending] == [("S-3", "credit committee", False)]
    eng.credit_record("S-1", "clerk")  # one refused read (not part of the state)

    for restored in (standing.Engine.load(eng.snapshot()), _saved_and_loaded(eng, tmp_path)):
        with restored:
            for cid in CUSTOMERS:
                assert restored.credit_record(cid, "supervisor") == eng.credit_record(cid, "supervisor"), cid
                for amount in (yuan(1), yuan(30_000), yuan(80_000)):
                    assert restored.check_credit(cid, amount) == eng.check_credit(cid, amount), (cid, amount)
            want, got = eng.credit_report(), restored.credit_report()
            assert (want.refused_reads, got.refused_reads) == (1, 0)
            want.refused_reads = 0
            assert got == want
            assert [m for m in restored.customer("S-2").metrics] == [m for m in eng.customer("S-2").metrics]

    # The loaded engine carries on: approvals, payments, increases, reviews.
    restored = standing.Engine.load(eng.snapshot())
    with restored:
        for e in (eng, restored):
            changes = e.apply(approve("S-3", local(2026, 4, 23, 10), "director"))
            assert credit_changes(changes) == [("S-3", Kind.UPGRADE, Cause.APPROVAL, RED, YELLOW)]
            e.apply(pay("S-1", local(2026, 4, 23, 11), "PAY-2", yuan(20_000)))
            assert e.credit_record("S-1", "supervisor").receivables.credit_balance == yuan(1_000)
            assert e.check_credit("S-5", yuan(70_000)).outcome == Outcome.APPROVE
            assert e.check_credit("S-5", yuan(70_000), at=local(2026, 5, 1)).outcome == Outcome.BLOCK
        later = local(2026, 7, 1, 0)  # the Q3 review
        assert credit_changes(restored.review(later)) == credit_changes(eng.review(later))
        for cid in CUSTOMERS:
            assert restored.credit_record(cid, "director") == eng.credit_record(cid, "director"), cid


def _saved_and_loaded(eng, tmp_path):
    path = tmp_path / "credit.snapshot"
    eng.save(path)
    return standing.Engine.load(path)


def test_an_escalated_step_does_not_escalate_again_after_a_load(eng):
    eng.apply(enrol("S-6"))
    eng.apply(buy("S-6", T0 + 60, yuan(600_000)))
    eng.review(Q2)
    due = eng.credit_record("S-6", "supervisor").pending.step_due.seconds
    assert [c[1] for c in credit_changes(eng.review(due))] == [Kind.ESCALATED]
    with standing.Engine.load(eng.snapshot()) as restored:
        assert credit_changes(restored.review(due + DAY)) == credit_changes(eng.review(due + DAY)) == []
