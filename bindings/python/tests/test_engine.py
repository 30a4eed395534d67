"""Tests of the Python binding over libstanding's C ABI."""

import datetime as dt
import json
import pathlib
import subprocess
import sys
import threading

import pytest

import standing
from standing import v1

T0 = 1768435200  # 2026-01-15T00:00:00Z
DAY = 86400



def enrolled(cid, at=T0):
    e = v1.Event(customer_id=cid, enrolled=v1.Enrolled())
    e.at.seconds = at
    return e


def purchase(cid, amount, at=T0 + 60, currency="EUR"):
    e = v1.Event(customer_id=cid, event_id=f"p-{cid}-{at}")
    e.at.seconds = at
    e.purchase.amount = amount
    e.purchase.currency = currency
    e.purchase.category = "shoes"
    e.purchase.quantity = 1
    return e


# ---- library ------------------------------------------------------------------


def test_versions():
    assert standing.abi_version() == standing.ABI_VERSION == 1
    assert standing.__version__ == standing.library_version()
    assert standing.__version__.count(".") == 2
    assert standing.status_name(2) == "STANDING_NOT_FOUND"
    assert standing.status_name(999) == "STANDING_UNKNOWN_STATUS"


def test_exception_hierarchy():
    assert issubclass(standing.NotFound, LookupError)
    assert issubclass(standing.PolicyError, ValueError)
    assert issubclass(standing.StorageError, OSError)
    for cls in (standing.NotFound, standing.PolicyError, standing.InvalidArgument, standing.TooLarge):
        assert issubclass(cls, standing.StandingError)
    assert standing.NotFound.status == 2 and standing.PolicyError.status == 6


def test_library_env_must_load(library_env):
    env = dict(library_env, STANDING_LIBRARY="/nonexistent/libstanding.so.1")
    r = subprocess.run([sys.executable, "-c", "import standing"], env=env, capture_output=True, text=True)
    assert r.returncode != 0
    assert "LibraryNotFound" in r.stderr and "STANDING_LIBRARY" in r.stderr


# ---- opening --------------------------------------------------------------------


def test_open_every_way(policy_json, policy_path, tmp_path):
    as_dict = json.loads(policy_json)
    with standing.Engine(policy_json) as e:
        policy = e.policy
    assert isinstance(policy, v1.Policy) and policy.name == "capi-test"
    text = str(policy)
    (tmp_path / "p.txtpb").write_text(text)
    (tmp_path / "p.binpb").write_bytes(policy.SerializeToString())
    for arg, fmt in [
        (as_dict, None),
        (policy, None),
        (policy_json.encode(), None),
        (policy_json, "json"),
        (policy_json, standing.Format.JSON),
        (text, None),
        (text, "text"),
        (policy.SerializeToString(), None),
        (policy.SerializeToString(), "binary"),
        (policy_path, None),
        (tmp_path / "p.txtpb", None),
        (tmp_path / "p.binpb", None),
    ]:
        with standing.Engine(arg, fmt) as e:
            assert e.policy == policy, (type(arg), fmt)
            assert len(e) == 0
    with standing.Engine.from_file(str(policy_path)) as e:
        assert e.policy == policy


def test_open_errors(policy_json):
    with pytest.raises(standing.PolicyError):
        standing.Engine("{not json")
    with pytest.raises(standing.PolicyError):
        standing.Engine({"tierPrograms": [{"name": "p", "tiers": [{"name": "a"}, {"name": "b"}]}]})
    with pytest.raises(standing.PolicyError):
        standing.Engine(b"\xff\xff\xff", "binary")
    with pytest.raises(standing.PolicyError):
        standing.Engine("tier_programs {", "text")
    with pytest.raises(standing.InvalidArgument):
        standing.Engine(b"")
    with pytest.raises(ValueError):
        standing.Engine(policy_json, "yaml")
    with pytest.raises(TypeError):
        standing.Engine(42)
    with pytest.raises(standing.TooLarge):
        standing.Engine(policy_json, max_message_bytes=100)
    with pytest.raises(standing.OutOfRange):
        standing.Engine(policy_json, max_message_bytes=0)
    with pytest.raises(standing.OutOfRange):
        standing.Engine(policy_json, review_threads=-1)
    with standing.Engine(policy_json, max_message_bytes=1 << 20, review_threads=1) as e:
        assert len(e) == 0


def test_close_and_context_manager(policy_json):
    with standing.Engine(policy_json) as e:
        assert not e.closed
    assert e.closed
    e.close()  # idempotent
    assert "closed" in repr(e)
    with pytest.raises(standing.EngineClosed):
        e.apply(enrolled("x"))
    with pytest.raises(standing.EngineClosed):
        len(e)


# ---- events -----------------------------------------------------------------------


def test_apply_returns_transitions(engine):
    assert engine.apply(enrolled("alice")) == []  # base tier: no change
    assert engine.apply(purchase("alice", 100)) == []
    ts = engine.apply(purchase("alice", 20000, at=T0 + 120))
    assert ts and all(isinstance(t, v1.Transition) for t in ts)
    assert ts[0].customer_id == "alice" and ts[0].program == "loyalty"
    assert ts[0].cause == v1.Cause.Value("EVENT")
    assert [(t.from_tier, t.to_tier, t.kind) for t in ts] == [("base", "silver", v1.TransitionKind.Value("UPGRADE"))]
    assert engine.clock == T0 + 120
    assert engine.clock_datetime == dt.datetime.fromtimestamp(T0 + 120, dt.timezone.utc)


def test_apply_dicts_and_bytes(engine):
    engine.apply({"customerId": "d1", "at": dt.datetime(2026, 1, 15, tzinfo=dt.timezone.utc), "enrolled": {}})
    engine.apply({"customer_id": "d1", "at": T0 + 1, "purchase": {"amount": 60000, "currency": "EUR"}})
    engine.apply({"customerId": "d2", "at": "2026-01-15T00:00:05Z", "enrolled": {}})
    engine.apply(purchase("d2", 5, at=T0 + 6).SerializeToString())
    assert engine.customer("d1").standings[0].tier == "gold"
    with pytest.raises(standing.InvalidArgument):
        engine.apply({"customerId": "d3", "noSuchField": 1})
    with pytest.raises(TypeError):
        engine.apply(42)


def test_apply_errors(engine):
    engine.apply(enrolled("alice"))
    with pytest.raises(standing.AlreadyExists):
        engine.apply(enrolled("alice"))
    with pytest.raises(standing.NotFound) as info:
        engine.apply(purchase("bob", 1))
    assert info.value.status == 2 and info.value.message
    with pytest.raises(standing.InvalidArgument):
        engine.apply(purchase("alice", 1, currency="USD"))
    engine.apply(purchase("alice", 1, at=T0 + 30 * DAY))
    with pytest.raises(standing.OutOfRange):
        engine.apply(purchase("alice", 1, at=T0 + 10 * DAY))
    with pytest.raises(standing.MalformedMessage):
        engine.apply(b"\xff\xff\xff\xff\xff\x01")
    with pytest.raises(standing.MalformedMessage):
        engine.apply(enrolled("carol").SerializeToString()[:-1])
    with pytest.raises(standing.InvalidArgument):
        engine.apply(b"")


def test_apply_too_large(policy_json):
    with standing.Engine(policy_json, max_message_bytes=4096) as e:
        e.apply(enrolled("a"))
        big = purchase("a", 1)
        big.event_id = "x" * 5000
        with pytest.raises(standing.TooLarge):
            e.apply(big)
        with pytest.raises(standing.TooLarge):
            e.apply_batch([big])


def test_apply_batch_forms(engine):
    events = [enrolled("b1"), purchase("b1", 60000), enrolled("b2", T0 + 61)]
    ts = engine.apply_batch(events)
    assert [(t.customer_id, t.to_tier) for t in ts] == [("b1", "gold")]
    assert engine.customer("b1").standings[0].tier == "gold"
    assert engine.apply_batch([]) == []
    assert engine.apply_batch(v1.EventBatch()) == []
    batch = v1.EventBatch(events=[enrolled("b3", T0 + 62)])
    assert engine.apply_batch(batch) == []
    assert engine.apply_batch(v1.EventBatch(events=[enrolled("b4", T0 + 63)]).SerializeToString()) == []
    gen = ({"customerId": f"g{i}", "at": T0 + 64, "enrolled": {}} for i in range(3))
    assert engine.apply_batch(gen) == []
    mixed = [enrolled("m1", T0 + 65), {"customerId": "m2", "at": T0 + 65, "enrolled": {}}]
    engine.apply_batch(mixed)
    assert len(engine) == 9


def test_apply_batch_stops_at_first_error(engine):
    events = [enrolled("c1"), purchase("c1", 20000), enrolled("c1"), enrolled("c3")]
    with pytest.raises(standing.AlreadyExists) as info:
        engine.apply_batch(events)
    assert info.value.applied == 2
    assert str(info.value).startswith("events[2]: ")
    assert [(t.customer_id, t.to_tier) for t in info.value.transitions] == [("c1", "silver")]
    assert len(engine) == 1
    with pytest.raises(standing.MalformedMessage):
        engine.apply_batch(b"\x0a\x7f\x01")


def test_review(engine):
    engine.apply(enrolled("r1"))
    assert isinstance(engine.review(T0 + 400 * DAY), list)
    engine.review(dt.datetime(2027, 3, 1, tzinfo=dt.timezone.utc))
    assert engine.clock == int(dt.datetime(2027, 3, 1, tzinfo=dt.timezone.utc).timestamp())
    engine.review(dt.datetime(2027, 3, 2))  # naive: UTC
    assert engine.clock == int(dt.datetime(2027, 3, 2, tzinfo=dt.timezone.utc).timestamp())
    with pytest.raises(TypeError):
        engine.review("tomorrow")


# ---- queries ------------------------------------------------------------------------


def test_customer(engine):
    engine.apply(enrolled("alice"))
    engine.apply(purchase("alice", 12345))
    c = engine.customer("alice")
    assert isinstance(c, v1.Customer) and c.id == "alice"
    assert c.standings[0].program == "loyalty" and c.standings[0].tier == "silver"
    assert engine.get("nobody") is None
    assert "alice" in engine and "nobody" not in engine and 3 not in engine
    with pytest.raises(standing.NotFound):
        engine.customer("nobody")
    engine.apply(enrolled("张三"))
    assert engine.customer("张三").id == "张三"
    assert engine.customer("张三".encode()).id == "张三"


def test_identifiers_must_be_utf8(engine):
    with pytest.raises(standing.InvalidArgument, match="UTF-8"):
        engine.customer("\ud800")
    for raw in (b"\xff", b"a\xc0\x80", b"\xed\xa0\x80", b"\xe2\x82"):
        with pytest.raises(standing.InvalidArgument, match="UTF-8"):
            engine.customer(raw)
        with pytest.raises(standing.InvalidArgument):
            engine.explain(raw, "loyalty")
        with pytest.raises(standing.InvalidArgument):
            list(engine.customers_in_tier("loyalty", raw))
    with pytest.raises(standing.InvalidArgument):
        engine.customer("")


def test_explain(engine):
    engine.apply(enrolled("alice"))
    engine.apply(purchase("alice", 12345))
    x = engine.explain("alice", "loyalty")
    assert isinstance(x, v1.Explanation)
    assert x.program == "loyalty" and x.tier == "silver"
    with pytest.raises(standing.NotFound):
        engine.explain("alice", "nothing")
    with pytest.raises(standing.NotFound):
        engine.explain("nobody", "loyalty")


def test_customers_in_tier_pages(engine):
    ids = [f"c{i:02d}" for i in range(7)]
    engine.apply_batch([enrolled(i) for i in ids] + [enrolled("rich"), purchase("rich", 60000)])
    it = engine.customers_in_tier("loyalty", "base", page_size=2)
    assert iter(it) is it
    assert list(it) == ids
    assert list(engine.customers_in_tier("loyalty", "gold")) == ["rich"]
    assert list(engine.customers_in_tier("loyalty", "silver")) == []
    page = engine.list_by_tier("loyalty", "base", page_size=3)
    assert list(page.customer_ids) == ids[:3] and page.next_page_token
    nxt = engine.list_by_tier("loyalty", "base", page.next_page_token, 3)
    assert list(nxt.customer_ids) == ids[3:6]
    with pytest.raises(standing.NotFound):
        list(engine.customers_in_tier("nothing", "base"))
    with pytest.raises(standing.NotFound):
        list(engine.customers_in_tier("loyalty", "platinum"))
    with pytest.raises(standing.InvalidArgument):
        engine.list_by_tier("loyalty", "base", page_size=0)
    with pytest.raises(standing.InvalidArgument):
        engine.list_by_tier("loyalty", "base", "not-a-token", 2)


def test_replace_policy(engine, policy_json):
    engine.apply(enrolled("p1"))
    assert isinstance(engine.replace_policy(policy_json), list)
    with pytest.raises(standing.PolicyError):
        engine.replace_policy({"tierPrograms": []})
    assert engine.customer("p1").id == "p1"


# ---- snapshots -------------------------------------------------------------------


def test_snapshot_round_trip(engine, policy_json, tmp_path):
    engine.apply_batch([enrolled("s1"), enrolled("s2"), purchase("s2", 20000)])
    data = engine.snapshot()
    assert isinstance(data, bytes) and len(data) > 4
    with standing.Engine.load(data) as e:
        assert len(e) == 2 and e.customer("s2").standings[0].tier == "silver"
        assert e.clock == engine.clock
    with standing.Engine.load(data, policy_json) as e:
        assert len(e) == 2
    path = tmp_path / "state.snapshot"
    engine.save(path)
    for p in (path, str(path)):
        with standing.Engine.load(p, json.loads(policy_json)) as e:
            assert e.customer("s2") == engine.customer("s2")
            e.apply(purchase("s1", 1, at=T0 + 61))


def test_snapshot_errors(engine, policy_json, tmp_path):
    engine.apply(enrolled("s1"))
    data = engine.snapshot()
    other = json.loads(policy_json)
    other["name"] = "other"
    with pytest.raises(standing.FailedPrecondition):
        standing.Engine.load(data, other)
    with standing.Engine.load(data, other, allow_policy_change=True) as e:
        assert e.policy.name == "other" and len(e) == 1
    with pytest.raises(standing.MalformedMessage):
        standing.Engine.load(b"this is not a snapshot")
    with pytest.raises(standing.MalformedMessage):
        standing.Engine.load(data[: len(data) // 2])
    with pytest.raises(standing.InvalidArgument):
        standing.Engine.load(b"")
    with pytest.raises(standing.PolicyError):
        standing.Engine.load(data, "{")
    with pytest.raises(standing.StorageError) as info:
        standing.Engine.load(tmp_path / "missing.snapshot")
    assert isinstance(info.value, OSError)
    with pytest.raises(standing.StorageError):
        engine.save(tmp_path / "no" / "such" / "dir" / "x.snapshot")
    with pytest.raises(TypeError):
        standing.Engine.load(42)


# ---- threads ----------------------------------------------------------------------


def test_threads_and_close(policy_json):
    e = standing.Engine(policy_json)
    n_threads, per_thread = 4, 300
    errors = []

    def worker(k):
        try:
            for i in range(per_thread):
                cid = f"t{k}-{i}"
                e.apply(enrolled(cid, T0 + 1))
                assert e.customer(cid).id == cid
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(e) == n_threads * per_thread

    # close() while other threads are reading: calls in progress finish,
    # later ones raise EngineClosed; nothing crashes.
    started = [threading.Event() for _ in range(3)]
    seen = []

    def reader(k):
        try:
            while True:
                e.customer("t0-0")
                started[k].set()
        except standing.EngineClosed:
            seen.append("closed")
        except Exception as exc:  # pragma: no cover - reported below
            seen.append(repr(exc))

    readers = [threading.Thread(target=reader, args=(k,)) for k in range(3)]
    for t in readers:
        t.start()
    for ev in started:
        assert ev.wait(10)
    e.close()
    for t in readers:
        t.join()
    assert seen == ["closed"] * 3


def test_quickstart_example(repo, library_env):
    r = subprocess.run(
        [sys.executable, str(repo / "examples" / "python" / "quickstart.py")],
        env=library_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "VIP" in r.stdout


def test_batch_slots_reused_without_stale_fields(engine):
    """The C side reuses parsed events between batches; fields absent from
    a later event must not keep an earlier event's values."""
    engine.apply_batch(
        [
            {"customerId": "g1", "at": T0, "enrolled": {}},
            {
                "customerId": "g1",
                "at": T0 + 1,
                "eventId": "first",
                "tierGrant": {
                    "program": "loyalty",
                    "tier": "gold",
                    "approver": "A",
                    "reason": "R",
                    "expiresAt": "2027-01-01T00:00:00Z",
                },
            },
        ]
    )
    grant = engine.customer("g1").standings[0].grant
    assert (grant.tier, grant.approver, grant.reason) == ("gold", "A", "R")
    assert grant.HasField("expires_at")
    engine.apply_batch(
        [
            {"customerId": "g1", "at": T0 + 2, "tierRevoke": {"program": "loyalty", "actor": "A"}},
            {
                "customerId": "g1",
                "at": T0 + 3,
                "tierGrant": {"program": "loyalty", "tier": "silver", "approver": "B", "reason": "S"},
            },
        ]
    )
    grant = engine.customer("g1").standings[0].grant
    assert (grant.tier, grant.approver, grant.reason) == ("silver", "B", "S")
    assert not grant.HasField("expires_at")  # not the first grant's
