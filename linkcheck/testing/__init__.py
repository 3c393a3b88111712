"""What the tests, the benchmarks and `linkcheck demo` run against: the simulated web.
Its TLS needs trustme, which comes with the `demo` (and `dev`) extra, not with linkcheck."""
