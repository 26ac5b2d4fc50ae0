"""Speed and scale benchmarks, run by hand (``python -m benchmarks.throughput`` etc.), not as tests."""
