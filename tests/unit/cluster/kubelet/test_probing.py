"""Probe bookkeeping: ticks, initial delay, thresholds, hold after failure."""

from __future__ import annotations

from localnlb.cluster.kubelet.podspec import ProbeAction, ProbeKind, ProbeSpec, read_probe
from localnlb.cluster.kubelet.probing import ProbeResult, ProbeTracker


def spec(kind: ProbeKind = ProbeKind.LIVENESS, **kw: float) -> ProbeSpec:
    return ProbeSpec(kind=kind, action=ProbeAction.TCP_SOCKET, handler={"port": 80}, **kw)  # type: ignore[arg-type]


def test_first_probe_at_the_first_tick_after_the_initial_delay() -> None:
    # the workshop ui: initialDelaySeconds 45, periodSeconds 20 → first probe at 60 s
    tracker = ProbeTracker(spec(initial_delay=45, period=20), container_started=0.0)
    due = [
        t
        for t in range(100)
        if tracker.take_due(float(t), gated=False) and tracker.record(True) is not None
    ]
    assert due == [60, 80]


def test_initial_delay_compares_whole_seconds() -> None:
    tracker = ProbeTracker(spec(initial_delay=2, period=1), container_started=0.0)
    assert not tracker.take_due(1.9, gated=False)
    assert tracker.take_due(2.0, gated=False)


def test_defaults_and_initial_results() -> None:
    assert ProbeTracker(spec(ProbeKind.LIVENESS), container_started=0).result is ProbeResult.SUCCESS
    assert (
        ProbeTracker(spec(ProbeKind.READINESS), container_started=0).result is ProbeResult.FAILURE
    )
    assert ProbeTracker(spec(ProbeKind.STARTUP), container_started=0).result is ProbeResult.UNKNOWN


def test_failure_threshold_then_hold() -> None:
    tracker = ProbeTracker(spec(period=10, failure_threshold=3), container_started=0.0)
    results = []
    for t in (0.0, 10.0, 20.0):
        assert tracker.take_due(t, gated=False)
        tracker.record(False)
        results.append(tracker.result)
    assert results == [ProbeResult.SUCCESS, ProbeResult.SUCCESS, ProbeResult.FAILURE]
    assert tracker.on_hold
    assert not tracker.take_due(30.0, gated=False)
    assert tracker.wake_at() is None


def test_a_success_resets_the_failure_run() -> None:
    tracker = ProbeTracker(spec(period=1, failure_threshold=2), container_started=0.0)
    for t, ok in ((0.0, False), (1.0, True), (2.0, False), (3.0, True)):
        assert tracker.take_due(t, gated=False)
        tracker.record(ok)
    assert tracker.result is ProbeResult.SUCCESS


def test_readiness_needs_success_threshold_and_flips_back() -> None:
    tracker = ProbeTracker(
        spec(ProbeKind.READINESS, period=1, success_threshold=2, failure_threshold=1),
        container_started=0.0,
    )
    changes = []
    for t, ok in ((0.0, True), (1.0, True), (2.0, False), (3.0, True), (4.0, True)):
        assert tracker.take_due(t, gated=False)
        changes.append((tracker.record(ok), tracker.result))
    assert changes == [
        (False, ProbeResult.FAILURE),
        (True, ProbeResult.SUCCESS),
        (True, ProbeResult.FAILURE),
        (False, ProbeResult.FAILURE),
        (True, ProbeResult.SUCCESS),
    ]
    assert not tracker.on_hold  # readiness never holds


def test_one_probe_in_flight_at_a_time_and_missed_ticks_are_skipped() -> None:
    tracker = ProbeTracker(spec(period=5), container_started=0.0)
    assert tracker.take_due(0.0, gated=False)
    assert not tracker.take_due(5.0, gated=False)  # still in flight
    assert tracker.wake_at() is None
    tracker.record(True)
    assert tracker.wake_at() == 5.0
    assert tracker.take_due(17.0, gated=False)
    tracker.record(True)
    assert tracker.wake_at() == 20.0


def test_gated_ticks_are_skipped() -> None:
    tracker = ProbeTracker(spec(period=1), container_started=0.0)
    assert not tracker.take_due(0.0, gated=True)
    assert tracker.wake_at() == 1.0
    assert tracker.take_due(1.0, gated=False)


def test_reading_probes_fills_api_defaults() -> None:
    container = {
        "livenessProbe": {
            "httpGet": {"path": "/actuator/health/liveness", "port": 8080},
            "initialDelaySeconds": 45,
            "periodSeconds": 20,
        },
        "readinessProbe": {"exec": {"command": ["true"]}, "successThreshold": 2},
        "startupProbe": {"tcpSocket": {"port": "http"}, "successThreshold": 5},
    }
    liveness = read_probe(container, ProbeKind.LIVENESS)
    assert liveness == ProbeSpec(
        kind=ProbeKind.LIVENESS,
        action=ProbeAction.HTTP_GET,
        handler={"path": "/actuator/health/liveness", "port": 8080},
        initial_delay=45,
        period=20,
        timeout=1,
        success_threshold=1,
        failure_threshold=3,
    )
    readiness = read_probe(container, ProbeKind.READINESS)
    assert readiness is not None
    assert readiness.success_threshold == 2
    startup = read_probe(container, ProbeKind.STARTUP)
    assert startup is not None
    assert startup.success_threshold == 1
    assert read_probe({"livenessProbe": {"periodSeconds": 3}}, ProbeKind.LIVENESS) is None


def test_bad_numbers_fall_back_to_the_defaults() -> None:
    container = {
        "livenessProbe": {
            "tcpSocket": {"port": 80},
            "periodSeconds": "ten",
            "timeoutSeconds": -1,
            "failureThreshold": 0,
            "initialDelaySeconds": None,
            "terminationGracePeriodSeconds": True,
        }
    }
    probe = read_probe(container, ProbeKind.LIVENESS)
    assert probe is not None
    assert (probe.period, probe.timeout, probe.failure_threshold, probe.initial_delay) == (
        10,
        1,
        3,
        0,
    )
    assert probe.termination_grace is None
