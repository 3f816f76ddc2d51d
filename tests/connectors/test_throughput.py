"""The counters' series in metrics.json, and the rates the workbench draws from it."""

from __future__ import annotations

import json

from runtime.connectors.telemetry import SERIES_LEN, Metrics, connector_dir, read_metrics
from runtime.connectors.throughput import throughput
from tests.connectors.helpers import Running, source_spec, wait_for


def test_a_running_connector_leaves_a_series_of_its_counters():
    spec = source_spec("sampled", "generator-source", "sampled", rate="50", template="{{n}}")
    with Running(spec) as run:
        wait_for(lambda: len(read_metrics("sampled").series) >= 3, timeout=20)
        run.stop()
    series = read_metrics("sampled").series
    times = [s[0] for s in series]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert times == sorted(times) and all(g >= 1.9 for g in gaps)
    flow = throughput(series, series[-1][0])
    assert len(flow) == len(series) - 1 and flow.times[-1] == 0
    # 50 records/s, give or take a shared machine's scheduling
    assert 20 <= max(flow.rates["in"]) <= 100, flow.rates["in"]
    assert flow.rates["errors"] == [0.0] * len(flow)


def test_the_series_is_bounded_and_a_damaged_one_is_dropped(weir_home):
    metrics = Metrics()
    for i in range(SERIES_LEN + 40):
        metrics.records_in = i
        metrics.sample(1000.0 + 2 * i)
    assert len(metrics.series) == SERIES_LEN and metrics.series[-1][1] == SERIES_LEN + 39
    path = connector_dir("damaged") / "metrics.json"
    path.write_text(json.dumps({"records_in": 5, "series": [[1, "x"]]}))
    assert read_metrics("damaged").records_in == 5 and read_metrics("damaged").series == []


def test_rates_between_samples():
    series = [[100.0, 0, 0, 0, 0], [102.0, 20, 10, 10, 0], [104.0, 60, 40, 10, 10]]
    flow = throughput(series, now=104.0)
    assert flow.times == [-2.0, 0.0]
    assert flow.rates == {"in": [10.0, 20.0], "out": [5.0, 15.0], "filtered": [5.0, 0.0],
                          "errors": [0.0, 5.0]}
