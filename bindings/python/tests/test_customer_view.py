"""Narrow reads (customer views, tier_index) and the hand-written decoding
of purchases in serialized batches (src/capi/wire.cc)."""

import pytest

import standing
from standing import v1

T0 = 1768435200  # 2026-01-15T00:00:00Z


def enrolled(cid, at=T0):
    e = v1.Event(customer_id=cid)
    e.at.seconds = at
    e.enrolled.attributes["region"].text = "north"
    return e


def purchase(cid, amount, at=T0 + 60, **fields):
    e = v1.Event(customer_id=cid)
    e.at.seconds = at
    e.purchase.amount = amount
    for k, v in fields.items():
        setattr(e.purchase, k, v)
    return e


def test_standing_view_is_id_and_standings(engine):
    engine.apply(enrolled("alice"))
    engine.apply(purchase("alice", 12345, currency="EUR"))
    full = engine.customer("alice")
    lean = engine.customer("alice", view=standing.CustomerView.STANDING)
    assert lean.id == "alice"
    assert list(lean.standings) == list(full.standings)
    assert not lean.attributes and not lean.metrics
    assert not lean.HasField("enrolled_at")
    assert engine.customer("alice", view=standing.CustomerView.FULL) == full
    assert engine.customer("alice", standing.CustomerView.STANDING) == lean
    with pytest.raises(standing.NotFound):
        engine.customer("nobody", view=standing.CustomerView.STANDING)
    with pytest.raises(ValueError):
        engine.customer("alice", view=7)


def test_tier_index(engine):
    engine.apply(enrolled("alice"))
    assert engine.tier_index("alice", "loyalty") == 0
    engine.apply(purchase("alice", 60000))
    assert engine.tier_index("alice", "loyalty") == 2
    assert engine.customer("alice").standings[0].tier_index == 2
    assert engine.tier_index("alice".encode(), b"loyalty") == 2
    with pytest.raises(standing.NotFound):
        engine.tier_index("nobody", "loyalty")
    with pytest.raises(standing.NotFound):
        engine.tier_index("alice", "no-such-program")
    with pytest.raises(standing.InvalidArgument):
        engine.tier_index("", "loyalty")
    with pytest.raises(standing.InvalidArgument):
        engine.tier_index("alice", b"\xff")


def test_closed_engine_narrow_reads(policy_json):
    e = standing.Engine(policy_json)
    e.close()
    with pytest.raises(standing.EngineClosed):
        e.tier_index("a", "loyalty")
    with pytest.raises(standing.EngineClosed):
        e.customer("a", view=standing.CustomerView.STANDING)


def _spend(engine, cid):
    return next(m.value for m in engine.customer(cid).metrics if m.name == "spend")


def test_batch_purchases_decoded_like_protobuf(engine):
    """Serialized purchases take the hand-written decoder; every variation
    must give what libprotobuf would, and slots are reused across kinds."""
    engine.apply_batch([enrolled("a"), enrolled("b")])
    batch = v1.EventBatch(
        events=[
            purchase("a", 100, currency="EUR", category="shoes", channel="web", quantity=2),
            purchase("b", 200),  # no strings, no quantity
            enrolled("c", at=T0 + 61),  # another kind in a reused slot
            purchase("c", 300, at=T0 + 62, category="鞋"),
        ]
    )
    batch.events[1].event_id = "evt-b"
    engine.apply_batch(batch.SerializeToString())
    assert (_spend(engine, "a"), _spend(engine, "b"), _spend(engine, "c")) == (100, 200, 300)
    # The same slots again, now holding other shapes: nothing stale remains.
    batch2 = v1.EventBatch(
        events=[
            purchase("b", 1, at=T0 + 70, currency="USD"),  # refused: currency
        ]
    )
    with pytest.raises(standing.InvalidArgument, match="currency"):
        engine.apply_batch(batch2.SerializeToString())
    batch3 = v1.EventBatch(events=[purchase("a", 5, at=T0 + 80), purchase("b", 7, at=T0 + 80)])
    engine.apply_batch(batch3.SerializeToString())
    assert (_spend(engine, "a"), _spend(engine, "b")) == (105, 207)


def test_batch_purchase_with_unknown_field_or_bad_utf8(engine):
    engine.apply(enrolled("a"))
    e = purchase("a", 100, currency="EUR")
    raw = e.SerializeToString()
    # Field 99 (varint) inside the purchase: unknown, skipped as libprotobuf does.
    body = e.purchase.SerializeToString() + bytes([0x98, 0x06, 0x01])
    head = e.SerializeToString()[: len(raw) - len(e.purchase.SerializeToString()) - 2]
    event = head + bytes([0x5A, len(body)]) + body
    batch = bytes([0x0A, len(event)]) + event
    engine.apply_batch(batch)
    assert _spend(engine, "a") == 100
    # Invalid UTF-8 in a string field is a malformed message, as with libprotobuf.
    bad = purchase("a", 1, at=T0 + 90, category="x")
    data = v1.EventBatch(events=[bad]).SerializeToString().replace(b"\x1a\x01x", b"\x1a\x01\xff")
    with pytest.raises(standing.MalformedMessage):
        engine.apply_batch(data)
    assert _spend(engine, "a") == 100
