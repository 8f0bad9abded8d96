"""Benchmarks that print figures (`make bench`); the timing helpers they share."""

import time


def timed(call, repeat):
    """Milliseconds taken by each of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]
