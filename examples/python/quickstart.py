#!/usr/bin/env python3
"""Quickstart: the retail policy from Python.

Run from the repository after building (the build generates the protobuf
modules and puts libstanding next to the package):

    PYTHONPATH=bindings/python python3 examples/python/quickstart.py

or point STANDING_LIBRARY at a libstanding.so.1 elsewhere.
"""

import datetime as dt
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "bindings" / "python"))  # source tree

import standing  # noqa: E402
from standing import v1  # noqa: E402

POLICY = HERE.parent / "policies" / "retail.json"


def main() -> None:
    now = dt.datetime(2026, 3, 14, 10, 30, tzinfo=dt.timezone.utc)
    with standing.Engine(POLICY) as engine:
        # Events as dicts (protobuf JSON mapping) ...
        engine.apply(
            {
                "customerId": "member-42",
                "at": now,
                "enrolled": {"attributes": {"region": {"text": "east"}}},
            }
        )
        # ... or as messages. Amounts are in minor units (fen).
        purchase = v1.Event(customer_id="member-42", event_id="pos-0001")
        purchase.at.FromDatetime(now + dt.timedelta(minutes=5))
        purchase.purchase.amount = 1_280_000  # 12,800.00 CNY
        purchase.purchase.currency = "CNY"
        purchase.purchase.category = "mid_high_end"
        purchase.purchase.quantity = 1

        for t in engine.apply(purchase):
            print(f"{t.program}: {t.from_tier or '-'} -> {t.to_tier} ({v1.Cause.Name(t.cause)})")

        customer = engine.customer("member-42")
        for s in customer.standings:
            print(f"  {s.program:<11} {s.tier}")

        why = engine.explain("member-42", "vip")
        print(f"Why {why.tier}: {why.summary or why.rule}")
        for check in why.checks:
            if check.metric:
                print(
                    f"  {'✓' if check.holds else '✗'} {check.label or check.metric}: "
                    f"{check.value:,.0f} {check.op} {check.threshold:,.0f}"
                )

        # Paged listings are iterators.
        print("VIP members:", list(engine.customers_in_tier("vip", "VIP")))

        # Batches: one call, one lock; serialize an EventBatch once.
        batch = v1.EventBatch()
        for i in range(1000):
            e = batch.events.add(customer_id=f"walk-in-{i}")
            e.at.FromDatetime(now)
            e.enrolled.SetInParent()
        engine.apply_batch(batch)
        print(f"{len(engine)} customers")

        # Snapshots round-trip the whole state.
        again = standing.Engine.load(engine.snapshot())
        assert again.customer("member-42") == customer
        again.close()

        try:
            engine.customer("nobody")
        except standing.NotFound as e:
            print("NotFound:", e)


if __name__ == "__main__":
    main()
