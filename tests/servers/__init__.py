"""Real servers the tests and benchmarks start for themselves: an S3-compatible object store and
a Spark standalone cluster. Each starts from nothing (its jars fetched from Maven Central once)
and is stopped by whoever started it."""
