#!/usr/bin/env python3
"""Throughput of the Python binding (bindings/python) over libstanding.

Retail policy (examples/policies/retail.json), 10,000 enrolled customers,
then purchases that rarely change a tier:

* single ``Engine.apply(Event)`` calls per second (target >= 200 K/s);
* events per second through ``Engine.apply_batch`` given one serialized
  EventBatch (target >= 1 M/s), and given an EventBatch message or a list
  of Event messages (serialization included);
* ``Engine.customer(id)`` calls per second.

Run with Debian's python3 after building:

    STANDING_LIBRARY=build/libstanding.so.1 PYTHONPATH=bindings/python \\
        /usr/bin/python3 bench/python_bench.py [--quick]
"""

import argparse
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bindings" / "python"))

import standing  # noqa: E402
from standing import v1  # noqa: E402

START = 1767225600  # 2026-01-01T00:00:00Z
CUSTOMERS = 10_000


def purchase(i: int, at: int) -> v1.Event:
    e = v1.Event(customer_id=f"customer-{i % CUSTOMERS}")
    e.at.seconds = at
    p = e.purchase
    p.amount = 100 + i % 97
    p.currency = "CNY"
    p.category = "grocery"
    p.quantity = 1
    return e


CPU = []  # (wall, cpu) of the last best_of, for the CPU-time column


def best_of(runs: int, fn) -> float:
    """Best wall time of `runs` runs; its process CPU time goes to CPU[-1].
    On a shared machine CPU time is the steadier measure."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    CPU.append(best_cpu)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller runs")
    args = ap.parse_args()
    singles = 50_000 if args.quick else 200_000
    batch_size = 200_000 if args.quick else 1_000_000
    runs = 2 if args.quick else 3

    engine = standing.Engine(ROOT / "examples" / "policies" / "retail.json")
    enrol = v1.EventBatch()
    for i in range(CUSTOMERS):
        e = enrol.events.add(customer_id=f"customer-{i}")
        e.at.seconds = START
        e.enrolled.SetInParent()
    engine.apply_batch(enrol)
    # Warm up: every customer's first purchases (these do change tiers).
    engine.apply_batch([purchase(i, START + 60) for i in range(3 * CUSTOMERS)])

    print(f"libstanding {standing.library_version()}, Python {sys.version.split()[0]}, "
          f"protobuf {__import__('google.protobuf').protobuf.__version__} "
          f"({__import__('google.protobuf.internal.api_implementation', fromlist=['x']).Type()})")
    rows = []

    # Single applies.
    at = [START + 120]

    def single_events():
        at[0] += 1
        return [purchase(i, at[0]) for i in range(singles)]

    events = single_events()
    apply = engine.apply

    def run_single():
        for e in events:
            apply(e)

    best_of(1, run_single)  # warm-up
    events = single_events()
    t = best_of(1, run_single)
    rows.append(("apply(Event), one call per event", singles / t, singles / CPU[-1], "calls/s", 200_000))

    # Batches.
    at[0] += 1
    batch = v1.EventBatch(events=[purchase(i, at[0]) for i in range(batch_size)])
    t0 = time.perf_counter()
    data = batch.SerializeToString()
    t_ser = time.perf_counter() - t0

    def run_bytes():
        engine.apply_batch(data)

    t = best_of(runs, run_bytes)
    rows.append((f"apply_batch(serialized), one {batch_size:,}-event batch", batch_size / t, batch_size / CPU[-1], "events/s", 1_000_000))
    chunk = 10_000
    chunks = [
        v1.EventBatch(events=batch.events[i : i + chunk]).SerializeToString()
        for i in range(0, batch_size, chunk)
    ]

    def run_chunks():
        for c in chunks:
            engine.apply_batch(c)

    t = best_of(runs, run_chunks)
    rows.append((f"apply_batch(serialized), {chunk:,}-event batches", batch_size / t, batch_size / CPU[-1], "events/s", 1_000_000))
    t = best_of(runs, lambda: engine.apply_batch(batch))
    rows.append(("apply_batch(EventBatch), incl. serialize", batch_size / t, batch_size / CPU[-1], "events/s", None))
    lst = list(batch.events)
    t = best_of(1, lambda: engine.apply_batch(lst))
    rows.append(("apply_batch(list[Event]), incl. copy+serialize", batch_size / t, batch_size / CPU[-1], "events/s", None))
    rows.append(("  (EventBatch.SerializeToString alone)", batch_size / t_ser, None, "events/s", None))

    # Reads.
    ids = [f"customer-{(i * 7919) % CUSTOMERS}" for i in range(100_000)]
    customer = engine.customer

    def run_get():
        for i in ids:
            customer(i)

    t = best_of(runs, run_get)
    rows.append(("customer(id)", len(ids) / t, len(ids) / CPU[-1], "calls/s", None))

    width = max(len(r[0]) for r in rows)
    ok = True
    print(f"{'':<{width}}  {'wall':>13} {'CPU time':>13}")
    for name, rate, cpu_rate, unit, target in rows:
        verdict = ""
        if target is not None:
            verdict = "  ok" if rate >= target else f"  below {target:,} (wall)"
            ok = ok and rate >= target
        cpu = f"{cpu_rate:>13,.0f}" if cpu_rate else f"{'':>13}"
        print(f"{name:<{width}}  {rate:>13,.0f} {cpu} {unit}{verdict}")
    engine.close()
    if os.environ.get("STANDING_BENCH_STRICT") and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
