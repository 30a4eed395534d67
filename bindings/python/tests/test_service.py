"""Tests of the service-level methods of standing.Engine (docs/service-levels.md)."""

import datetime as dt

import pytest

import standing
from standing import v1

T0 = 1768435200  # 2026-01-15T00:00:00Z, a Thursday
HOUR = 3600
DAY = 86400

# A calendar (Mon-Fri 09:00-17:00, Monday 2026-01-19 a holiday), one
# deadline rule, one percentage target, entitlements with an override, and
# on gold a cadence, an obligation and a manager capacity of 1.
POLICY = {
    "name": "service-test",
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
        }
    ],
    "calendars": [
        {
            "name": "office",
            "timeZone": "+00:00",
            "workingWeekdays": [1, 2, 3, 4, 5],
            "hours": [{"start": "09:00", "end": "17:00"}],
            "holidays": ["2026-01-19"],
        }
    ],
    "serviceLevels": {
        "calendar": "office",
        "deadlines": [
            {
                "name": "standard",
                "respondWithin": {"amount": 4, "unit": "WORKING_HOURS"},
                "resolveWithin": {"amount": 2, "unit": "WORKING_DAYS"},
                "warnAfter": {"amount": 2, "unit": "WORKING_HOURS"},
            }
        ],
        "targets": [
            {
                "name": "answer_fast",
                "program": "loyalty",
                "respondWithin": {"amount": 1, "unit": "HOURS"},
                "percent": 90,
                "period": "MONTH",
            }
        ],
        "entitlements": [
            {"name": "discount", "type": "PERCENT"},
            {"name": "hotline", "type": "FLAG"},
        ],
    },
    "tierPrograms": [
        {
            "name": "loyalty",
            "tiers": [
                {"name": "base", "entitlements": [{"name": "discount", "value": {"percent": 5}}]},
                {
                    "name": "gold",
                    "qualify": {"metric": {"metric": "spend", "op": "GE", "value": 50000}},
                    "entitlements": [
                        {"name": "discount", "value": {"percent": 10}},
                        {"name": "hotline", "value": {"flag": True}},
                    ],
                    "cadences": [
                        {
                            "name": "monthly_call",
                            "channels": ["phone", "visit"],
                            "every": {"amount": 30, "unit": "DAYS"},
                        }
                    ],
                    "obligations": [
                        {
                            "name": "welcome_call",
                            "dueAfter": {"amount": 3, "unit": "WORKING_DAYS"},
                            "completedByChannels": ["phone"],
                        }
                    ],
                    "customersPerManager": 1,
                    "requiresManager": True,
                },
            ],
            "upgrade": "IMMEDIATE",
            "downgrade": "AT_REVIEW",
            "review": {"yearly": {"month": 1, "day": 1}},
        }
    ],
}

GOLD_AT = T0 + 9 * HOUR  # Thursday 09:00: c1, c2, c3 reach gold
OPENED = T0 + 10 * HOUR  # Thursday 10:00: r1 (c1) and r2 (c2) open
WELCOME_DUE = T0 + 6 * DAY + 9 * HOUR  # 3 working days after entry: Wed 21 09:00
CADENCE_DUE = GOLD_AT + 30 * DAY


def utc(seconds):
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def ev(cid, at, **kind):
    return {"customerId": cid, "at": at, **kind}


@pytest.fixture
def service():
    with standing.Engine(POLICY) as e:
        yield e


@pytest.fixture
def populated(service):
    e = service
    for cid in ("c1", "c2", "c3", "c4"):
        e.apply(ev(cid, T0, enrolled={}))
    for cid in ("c1", "c2", "c3"):
        e.apply(ev(cid, GOLD_AT, eventId=f"p-{cid}", purchase={"amount": 60000, "currency": "EUR"}))
    for cid in ("c1", "c2"):
        e.apply(ev(cid, OPENED, manager={"manager": "m1", "actor": "ops", "reason": "new gold"}))
    e.apply(
        ev("c1", OPENED, serviceRequest={"requestId": "r1", "stage": "OPENED", "requestType": "complaint", "priority": "high"})
    )
    e.apply(ev("c2", OPENED, serviceRequest={"requestId": "r2", "stage": "OPENED", "requestType": "complaint"}))
    e.apply(ev("c1", OPENED + 1800, serviceRequest={"requestId": "r1", "stage": "RESPONDED"}))
    return e


# ---- errors -------------------------------------------------------------------


def test_unknown_customer_is_not_found(service):
    service.apply(ev("known", T0, enrolled={}))
    with pytest.raises(standing.NotFound):
        service.entitlements("nobody")
    with pytest.raises(standing.NotFound):
        service.request("nobody", "r1")
    with pytest.raises(standing.NotFound):
        service.request("known", "no-such-request")
    with pytest.raises(standing.NotFound):
        service.preview_request("nobody", "complaint")
    with pytest.raises(standing.NotFound):
        service.overdue(program="loyalty", tier="platinum")


def test_bad_arguments(service):
    service.apply(ev("c1", T0, enrolled={}))
    with pytest.raises(standing.InvalidArgument):
        service.entitlements("")
    with pytest.raises(standing.InvalidArgument):
        service.entitlements("bad\ud800")
    with pytest.raises(standing.InvalidArgument):
        service.request("c1", "")
    with pytest.raises(TypeError):
        service.request("c1", "r1", as_of="yesterday")
    with pytest.raises(TypeError):
        service.entitlements(42)
    with pytest.raises(standing.InvalidArgument):
        service.breaches(limit=-1)
    with pytest.raises(standing.InvalidArgument):
        service.breaches(limit=2**31)
    with pytest.raises(standing.InvalidArgument):
        service.capacity_report(limit=-1)
    with pytest.raises(standing.InvalidArgument):
        service.overdue(limit=-1)
    with pytest.raises(standing.InvalidArgument):
        service.overdue(kind="weekly")
    with pytest.raises(standing.InvalidArgument):
        service.overdue(v1.OverdueQuery(kind=7))
    with pytest.raises(standing.MalformedMessage):
        service.overdue(b"\xff\xff\xff\xff\x0f")
    with pytest.raises(TypeError):
        service.overdue(v1.OverdueQuery(), limit=5)
    with pytest.raises(standing.InvalidArgument):
        service.overdue({"kind": "NOT_A_KIND"})
    with pytest.raises(standing.InvalidArgument):
        service.add_duration(T0, {"amount": -1, "unit": "DAYS"})
    with pytest.raises(standing.InvalidArgument):
        service.add_duration(T0, {"amount": 1, "unit": "WORKING_DAYS", "calendar": "nope"})
    with pytest.raises(standing.InvalidArgument):
        service.add_duration(T0, v1.DurationSpec())  # zero bytes
    with pytest.raises(standing.MalformedMessage):
        service.add_duration(T0, b"\xff\xff\xff\xff\x0f")
    with pytest.raises(TypeError):
        service.add_duration(None, {"amount": 1, "unit": "DAYS"})
    with pytest.raises(TypeError):
        service.add_duration(T0, 5)


def test_closed_engine(service):
    service.close()
    calls = [
        lambda: service.entitlements("c1"),
        lambda: service.request("c1", "r1"),
        lambda: service.preview_request("c1", "complaint"),
        lambda: service.breaches(),
        lambda: service.overdue(),
        lambda: service.capacity_report(),
        lambda: service.compliance(),
        lambda: service.add_duration(T0, {"amount": 1, "unit": "DAYS"}),
    ]
    for call in calls:
        with pytest.raises(standing.EngineClosed):
            call()


# ---- happy paths ----------------------------------------------------------------


def test_entitlements(populated):
    es = populated.entitlements("c1")
    assert isinstance(es, v1.EntitlementSet)
    assert es.customer_id == "c1"
    got = {r.name: r for r in es.entitlements}
    assert [r.name for r in es.entitlements] == ["discount", "hotline"]
    assert got["discount"].value.percent == 10
    assert got["discount"].type == v1.EntitlementDecl.PERCENT
    assert (got["discount"].program, got["discount"].tier, got["discount"].defined_by_tier) == ("loyalty", "gold", "gold")
    assert got["hotline"].value.flag is True
    base = populated.entitlements("c4")
    assert [(r.name, r.value.percent, r.tier) for r in base.entitlements] == [("discount", 5, "base")]


def test_request(populated):
    r = populated.request("c2", "r2", as_of=T0 + 15 * HOUR)
    assert isinstance(r, v1.RequestStatus)
    assert (r.request_id, r.request_type, r.rule) == ("r2", "complaint", "standard")
    assert r.opened_at.seconds == OPENED
    assert r.respond_by.seconds == OPENED + 4 * HOUR  # Thursday 14:00
    assert r.warn_at.seconds == OPENED + 2 * HOUR
    # Friday is the first working day after, Monday a holiday: Tuesday 10:00.
    assert r.resolve_by.seconds == T0 + 5 * DAY + 10 * HOUR
    assert r.as_of.seconds == T0 + 15 * HOUR
    assert r.warning and r.response_breached and not r.resolution_breached
    early = populated.request("c2", "r2", as_of=utc(T0 + 11 * HOUR))
    assert not early.warning and not early.response_breached
    answered = populated.request("c1", "r1", as_of=T0 + 15 * HOUR)
    assert answered.responded_at.seconds == OPENED + 1800
    assert answered.priority == "high" and not answered.response_breached


def test_preview_request(populated):
    friday_4pm = T0 + DAY + 16 * HOUR
    p = populated.preview_request("c3", "complaint", "high", at=friday_4pm)
    assert isinstance(p, v1.RequestStatus)
    assert p.rule == "standard"
    # One working hour on Friday, none on the Monday holiday, three on Tuesday.
    assert p.respond_by.seconds == T0 + 5 * DAY + 12 * HOUR
    assert p.warn_at.seconds == T0 + 5 * DAY + 10 * HOUR
    # Two working days after Friday 16:00: Tuesday, then Wednesday 16:00.
    assert p.resolve_by.seconds == T0 + 6 * DAY + 16 * HOUR
    same = populated.preview_request("c3", "complaint", "high", at=utc(friday_4pm))
    assert same.respond_by == p.respond_by
    # Nothing was opened.
    assert "c3" not in {i.customer_id for i in populated.breaches(as_of=T0 + 30 * DAY).items}
    assert len(populated.customer("c3").requests) == 0


def test_breaches(populated):
    b = populated.breaches(as_of=T0 + 15 * HOUR)
    assert isinstance(b, v1.BreachList)
    assert [(i.customer_id, i.request.request_id) for i in b.items] == [("c2", "r2")]
    assert b.items[0].request.response_breached
    assert not b.truncated
    assert len(populated.breaches(as_of=T0 + 11 * HOUR).items) == 0
    assert len(populated.breaches(as_of=utc(T0 + 15 * HOUR), limit=1).items) == 1


def test_overdue(populated):
    as_of = T0 + 7 * DAY
    mine = populated.overdue("m1", kind="task", as_of=as_of)
    assert isinstance(mine, v1.OverdueList)
    assert sorted((i.customer_id, i.name, i.manager) for i in mine.items) == [
        ("c1", "welcome_call", "m1"),
        ("c2", "welcome_call", "m1"),
    ]
    assert all(i.kind == v1.OverdueQuery.TASK and i.due.seconds == WELCOME_DUE for i in mine.items)
    assert all((i.program, i.tier) == ("loyalty", "gold") for i in mine.items)
    same = populated.overdue(v1.OverdueQuery(manager="m1", kind=v1.OverdueQuery.TASK, as_of={"seconds": as_of}))
    assert same == mine
    as_dict = populated.overdue({"manager": "m1", "kind": "TASK", "asOf": "2026-01-22T00:00:00Z"})
    assert as_dict == mine
    unowned = populated.overdue(unowned=True, as_of=as_of)
    assert [(i.customer_id, i.name, i.manager) for i in unowned.items] == [("c3", "welcome_call", "")]
    later = T0 + 31 * DAY
    everyone = populated.overdue(as_of=later)
    assert len(everyone.items) == 6  # three tasks, three cadences
    cadences = populated.overdue(as_of=later, due_from=T0 + 7 * DAY, program="loyalty", tier="gold")
    assert sorted(i.customer_id for i in cadences.items) == ["c1", "c2", "c3"]
    assert all(i.name == "monthly_call" and i.due.seconds == CADENCE_DUE for i in cadences.items)
    first = populated.overdue(as_of=later, limit=2)
    assert len(first.items) == 2 and first.truncated
    assert len(populated.overdue("m1", as_of=T0 + 5 * DAY).items) == 0


def test_capacity_report(populated):
    c = populated.capacity_report()
    assert isinstance(c, v1.CapacityReport)
    assert [m.manager for m in c.over_capacity] == ["m1"]
    m1 = c.over_capacity[0]
    assert m1.load == pytest.approx(2.0)
    assert [(t.program, t.tier, t.customers, t.capacity) for t in m1.tiers] == [("loyalty", "gold", 2, 1)]
    assert c.unmanaged_count == 1 and list(c.unmanaged_customer_ids) == ["c3"]
    assert c.manager_count == 1


def test_compliance(populated):
    c = populated.compliance()
    assert isinstance(c, v1.ComplianceReport)
    assert len(c.rows) == 1
    row = c.rows[0]
    assert (row.target, row.tier) == ("answer_fast", "gold")
    assert row.period_start.seconds == 1767225600  # 2026-01-01T00:00:00Z
    assert (row.requests, row.within_target) == (1, 1)
    assert row.percent == pytest.approx(100.0) and row.target_percent == pytest.approx(90.0)
    assert row.met


def test_add_duration(service):
    friday_4pm = T0 + DAY + 16 * HOUR
    end = service.add_duration(friday_4pm, {"amount": 4, "unit": "WORKING_HOURS"})
    assert end == T0 + 5 * DAY + 12 * HOUR
    spec = v1.DurationSpec(amount=4, unit=v1.DurationSpec.WORKING_HOURS, calendar="office")
    assert service.add_duration(utc(friday_4pm), spec) == utc(end)
    assert service.add_duration(dt.datetime(2026, 1, 16, 16), spec) == utc(end)  # naive: UTC
    assert service.add_duration(T0, {"amount": 2, "unit": "DAYS"}) == T0 + 2 * DAY
    jan31 = dt.datetime(2026, 1, 31, 10, tzinfo=dt.timezone.utc)
    assert service.add_duration(jan31, {"amount": 1, "unit": "MONTHS"}) == dt.datetime(
        2026, 2, 28, 10, tzinfo=dt.timezone.utc
    )
    # Friday 15:00 + 1 working day: Monday is a holiday, so Tuesday 15:00.
    assert service.add_duration(T0 + DAY + 15 * HOUR, {"amount": 1, "unit": "WORKING_DAYS"}) == T0 + 5 * DAY + 15 * HOUR
    assert service.add_duration(T0, spec.SerializeToString()) == service.add_duration(T0, spec)


def test_messages_exported():
    for name in (
        "EntitlementSet",
        "RequestStatus",
        "BreachList",
        "OverdueQuery",
        "OverdueList",
        "CapacityReport",
        "ComplianceReport",
        "DurationSpec",
    ):
        assert hasattr(v1, name)
