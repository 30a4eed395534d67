"""Rule set 4 (service levels) through the Python binding: one scenario per
rule of examples/policies/service_levels.json, the same expectations as
tests/scenario_service_levels_test.cc (mainland China 2025-2026 calendar,
times local +08:00)."""

import datetime as dt
import json

import pytest

import standing
from standing import v1

CST = dt.timezone(dt.timedelta(hours=8))


def local(y, mo, d, h=12, mi=0, s=0):
    return int(dt.datetime(y, mo, d, h, mi, s, tzinfo=CST).timestamp())


def yuan(n):
    return n * 100


@pytest.fixture(scope="session")
def service_levels_path(repo):
    return repo / "examples" / "policies" / "service_levels.json"


@pytest.fixture
def eng(service_levels_path):
    with standing.Engine.from_file(service_levels_path) as e:
        yield e


def ev(cid, at, **kind):
    e = v1.Event(customer_id=cid, **kind)
    e.at.seconds = at
    return e


def enrol(cid, at):
    return ev(cid, at, enrolled=v1.Enrolled())


def buy(cid, at, amount):
    return ev(cid, at, purchase=v1.Purchase(amount=amount, currency="CNY", category="goods", quantity=1))


def grant(cid, at, tier, program="card"):
    return ev(cid, at, tier_grant=v1.ManualTierGrant(program=program, tier=tier, approver="branch head", reason="card issued"))


def request(cid, at, rid, stage, type_="", priority=""):
    return ev(cid, at, service_request=v1.ServiceRequest(request_id=rid, stage=stage, request_type=type_, priority=priority))


def open_(cid, at, rid, type_):
    return request(cid, at, rid, v1.ServiceRequest.OPENED, type_)


def respond(cid, at, rid):
    return request(cid, at, rid, v1.ServiceRequest.RESPONDED)


def contact(cid, at, channel):
    return ev(cid, at, contact=v1.Contact(channel=channel, actor="manager"))


def manager(cid, at, name, reason="assignment"):
    return ev(cid, at, manager=v1.ManagerAssignment(manager=name, role=v1.ManagerAssignment.PRIMARY, actor="branch head", reason=reason))


def names(items):
    return [f"{i.customer_id}/{i.name}" for i in items]


# ---- the policy -------------------------------------------------------------


def test_policy_loads_with_the_china_calendar(eng, repo):
    policy = eng.policy
    assert [p.name for p in policy.tier_programs] == ["customer_class", "card"]
    assert policy.service_levels.calendar == policy.calendars[0].name
    calendar = json.loads((repo / "examples" / "calendars" / "cn-2025-2026.json").read_text(encoding="utf-8"))
    assert list(policy.calendars[0].holidays) == calendar["holidays"]
    assert list(policy.calendars[0].makeup_workdays) == calendar["makeupWorkdays"]


def test_bad_service_levels_are_refused_with_the_path(service_levels_path):
    policy = json.loads(service_levels_path.read_text(encoding="utf-8"))
    policy["serviceLevels"]["deadlines"][3]["respondWithin"]["amount"] = -3
    with pytest.raises(standing.PolicyError) as err:
        standing.Engine(policy)
    assert "service_levels.deadlines[3].respond_within" in str(err.value)

    policy = json.loads(service_levels_path.read_text(encoding="utf-8"))
    policy["serviceLevels"]["calendar"] = "cn_2027"
    with pytest.raises(standing.PolicyError) as err:
        standing.Engine(policy)
    assert "cn_2027" in str(err.value)

    policy = json.loads(service_levels_path.read_text(encoding="utf-8"))
    policy["calendars"][0]["holidays"].append("2026-02-14")
    with pytest.raises(standing.PolicyError) as err:
        standing.Engine(policy)
    assert "calendars[0]" in str(err.value) and "2026-02-14" in str(err.value)


# ---- deadlines ----------------------------------------------------------------


def test_response_within_24_48_72_hours_by_class(eng):
    for cid in ("a", "b", "c"):
        eng.apply(enrol(cid, local(2026, 2, 9, 9)))
    eng.apply(buy("a", local(2026, 2, 9, 10), yuan(100_000)))
    eng.apply(buy("b", local(2026, 2, 9, 10), yuan(20_000)))

    preview = eng.preview_request("c", "service", "", local(2026, 2, 13, 15))
    assert preview.rule == "response_class_c"
    assert preview.respond_by.seconds == local(2026, 2, 16, 15)

    for cid in ("a", "b", "c"):
        eng.apply(open_(cid, local(2026, 2, 13, 15), "r1", "service"))
    due = {cid: eng.request(cid, "r1").respond_by.seconds for cid in ("a", "b", "c")}
    assert due == {"a": local(2026, 2, 14, 15), "b": local(2026, 2, 15, 15), "c": local(2026, 2, 16, 15)}
    assert eng.request("a", "r1").rule == "response_class_a"

    assert not eng.request("b", "r1", as_of=local(2026, 2, 15, 14)).response_breached
    assert eng.request("b", "r1", as_of=local(2026, 2, 15, 16)).response_breached

    eng.apply(respond("a", local(2026, 2, 14, 14), "r1"))
    breaches = eng.breaches(as_of=local(2026, 2, 17))
    assert [f"{b.customer_id}/{b.request.request_id}" for b in breaches.items] == ["b/r1", "c/r1"]

    with pytest.raises(standing.NotFound):
        eng.request("a", "nope")


def test_branch_waiting_vip_10_premium_15_others_30(eng):
    t0 = local(2026, 3, 2, 9)
    for cid in ("d", "g", "s", "m"):
        eng.apply(enrol(cid, t0))
    eng.apply(grant("d", t0 + 60, "钻卡"))
    eng.apply(grant("g", t0 + 60, "金卡"))
    eng.apply(grant("s", t0 + 60, "银卡"))
    for cid in ("d", "g", "s", "m"):
        eng.apply(open_(cid, local(2026, 3, 2, 10), "q1", "branch_queue"))
    got = {cid: (eng.request(cid, "q1").rule, eng.request(cid, "q1").respond_by.seconds) for cid in "dgsm"}
    assert got == {
        "d": ("branch_wait_vip", local(2026, 3, 2, 10, 10)),
        "g": ("branch_wait_vip", local(2026, 3, 2, 10, 10)),
        "s": ("branch_wait_premium", local(2026, 3, 2, 10, 15)),
        "m": ("branch_wait_other", local(2026, 3, 2, 10, 30)),
    }
    eng.apply(respond("s", local(2026, 3, 2, 10, 16), "q1"))
    assert eng.request("s", "q1").response_breached


def test_feedback_callback_3_working_days_over_spring_festival(eng):
    eng.apply(enrol("f", local(2026, 2, 9, 9)))
    eng.apply(open_("f", local(2026, 2, 13, 15), "fb", "feedback"))
    fb = eng.request("f", "fb")
    assert fb.rule == "feedback_callback"
    assert fb.respond_by.seconds == local(2026, 2, 25, 15)
    assert not eng.request("f", "fb", as_of=local(2026, 2, 25, 14)).response_breached
    assert eng.request("f", "fb", as_of=local(2026, 2, 25, 16)).response_breached


def test_new_customer_info_warns_after_1_and_breaches_after_2_working_days(eng):
    eng.apply(enrol("n", local(2025, 9, 30, 15)))
    eng.apply(open_("n", local(2025, 9, 30, 16), "info", "customer_info"))
    info = eng.request("n", "info")
    assert info.warn_at.seconds == local(2025, 10, 9, 16)
    assert info.resolve_by.seconds == local(2025, 10, 10, 16)
    early = eng.request("n", "info", as_of=local(2025, 10, 8, 12))
    assert not early.warning and not early.resolution_breached
    warned = eng.request("n", "info", as_of=local(2025, 10, 9, 17))
    assert warned.warning and not warned.resolution_breached
    assert eng.request("n", "info", as_of=local(2025, 10, 10, 17)).resolution_breached


def test_pause_moves_the_due_time_by_the_working_time_paused(eng):
    eng.apply(enrol("p", local(2026, 2, 11, 9)))
    eng.apply(open_("p", local(2026, 2, 12, 10), "i1", "customer_info"))
    eng.apply(request("p", local(2026, 2, 12, 11), "i1", v1.ServiceRequest.PAUSED))
    eng.apply(request("p", local(2026, 2, 13, 11), "i1", v1.ServiceRequest.RESUMED))
    r = eng.request("p", "i1")
    assert r.paused_seconds == 24 * 3600
    assert r.resolve_by.seconds == local(2026, 2, 24, 10)
    with pytest.raises(standing.StandingError):
        eng.apply(request("p", local(2026, 2, 13, 12), "i1", v1.ServiceRequest.RESUMED))


# ---- percentage target ----------------------------------------------------------


def test_vip_hotline_90_percent_within_20_seconds(eng):
    eng.apply(enrol("d", local(2026, 3, 1, 8)))
    eng.apply(grant("d", local(2026, 3, 1, 9), "钻卡"))
    for i in range(10):
        at = local(2026, 3, 2 + i, 10)
        eng.apply(open_("d", at, f"c{i}", "hotline_call"))
        eng.apply(respond("d", at + (25 if i == 9 else 10), f"c{i}"))
    rows = [r for r in eng.compliance().rows if r.tier == "钻卡" and r.period_start.seconds == local(2026, 3, 1, 0)]
    assert len(rows) == 1
    row = rows[0]
    assert (row.target, row.requests, row.within_target, row.met) == ("vip_hotline_20s", 10, 9, True)
    assert row.percent == pytest.approx(90)


# ---- cadences, obligations, capacity, entitlements ----------------------------------------


def test_overdue_calls_by_manager(eng):
    t0 = local(2026, 3, 2, 9)
    for cid in ("a", "b"):
        eng.apply(enrol(cid, t0))
        eng.apply(manager(cid, t0 + 600, "m1"))
    eng.apply(buy("a", local(2026, 3, 2, 10), yuan(100_000)))
    eng.apply(buy("b", local(2026, 3, 2, 10), yuan(20_000)))
    eng.apply(contact("a", local(2026, 3, 5, 15), "phone"))
    cadence = {(c.program, c.cadence): c.due.seconds for c in eng.customer("a").cadences}
    assert cadence[("customer_class", "phone")] == local(2026, 3, 12, 15)
    assert cadence[("customer_class", "visit")] == local(2026, 5, 2, 10)
    overdue = eng.overdue(manager="m1", kind="cadence", as_of=local(2026, 3, 13))
    assert names(overdue.items) == ["b/phone", "a/phone"]
    only_a = eng.overdue(manager="m1", program="customer_class", tier="A", as_of=local(2026, 3, 13))
    assert names(only_a.items) == ["a/phone"]


def test_obligations_on_diamond_entry(eng):
    eng.apply(enrol("d1", local(2026, 1, 20, 9)))
    eng.apply(grant("d1", local(2026, 1, 26, 10), "钻卡"))
    tasks = {t.task: t for t in eng.customer("d1").tasks}
    assert tasks["bind_manager"].due.seconds == local(2026, 1, 29, 10)
    assert tasks["first_visit"].due.seconds == local(2026, 2, 26, 10)
    assert tasks["visit_notice"].due.seconds == local(2026, 2, 14, 10)  # make-up Saturday
    eng.apply(enrol("d2", local(2026, 2, 9, 9)))
    eng.apply(grant("d2", local(2026, 2, 12, 10), "钻卡"))
    assert {t.task: t.due.seconds for t in eng.customer("d2").tasks}["bind_manager"] == local(2026, 2, 24, 10)
    eng.apply(manager("d2", local(2026, 2, 13, 11), "m1"))
    bind = {t.task: t for t in eng.customer("d2").tasks}["bind_manager"]
    assert bind.state == v1.TaskStatus.DONE and bind.closed_by == "manager"
    overdue = eng.overdue(kind="task", unowned=True, as_of=local(2026, 2, 25))
    assert names(overdue.items) == ["d1/bind_manager", "d1/visit_notice"]


def test_capacity_and_vip_coverage(eng):
    t0 = local(2026, 3, 2, 9)
    events = []
    for i in range(201):
        cid = f"D{i}"
        events += [enrol(cid, t0), manager(cid, t0 + 60, "m1"), grant(cid, t0 + 120, "钻卡")]
    events += [enrol("u1", t0), grant("u1", t0 + 120, "金卡"), enrol("u2", t0), grant("u2", t0 + 120, "银卡")]
    eng.apply_batch(events)
    report = eng.capacity_report()
    assert [m.manager for m in report.over_capacity] == ["m1"]
    assert report.over_capacity[0].load == pytest.approx(201 / 200)
    assert report.unmanaged_count == 1
    assert list(report.unmanaged_customer_ids) == ["u1"]


def test_entitlements_of_diamond_member_and_class_a(eng):
    t0 = local(2026, 3, 2, 9)
    for cid in ("d", "m", "a"):
        eng.apply(enrol(cid, t0))
    eng.apply(grant("d", t0 + 60, "钻卡"))
    eng.apply(buy("a", t0 + 60, yuan(100_000)))
    d = {e.name: e for e in eng.entitlements("d").entitlements}
    assert list(d) == ["dedicated_hotline", "service_priority", "priority_booking", "discount", "points_multiplier", "gift_cap"]
    assert d["dedicated_hotline"].value.flag
    assert d["service_priority"].value.rank == 1
    assert d["points_multiplier"].value.multiplier == 2
    assert d["gift_cap"].value.amount == yuan(500) and d["gift_cap"].defined_by_tier == "金卡"
    m = {e.name: e for e in eng.entitlements("m").entitlements}
    assert m["gift_cap"].value.amount == yuan(100) and "dedicated_hotline" not in m
    a = {e.name: e for e in eng.entitlements("a").entitlements}
    assert (a["service_priority"].value.rank, a["service_priority"].program) == (2, "customer_class")


def test_add_duration_on_the_china_calendar(eng):
    assert eng.add_duration(local(2026, 2, 13, 15), {"amount": 1, "unit": "WORKING_DAYS"}) == local(2026, 2, 14, 15)
    assert eng.add_duration(local(2026, 2, 13, 15), {"amount": 2, "unit": "WORKING_DAYS"}) == local(2026, 2, 24, 15)
    assert eng.add_duration(local(2025, 9, 30, 10), {"amount": 1, "unit": "WORKING_DAYS"}) == local(2025, 10, 9, 10)
    with pytest.raises(standing.InvalidArgument):
        eng.add_duration(local(2026, 2, 13), {"amount": -1, "unit": "WORKING_DAYS"})
