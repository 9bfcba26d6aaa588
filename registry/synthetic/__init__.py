"""A deterministic synthetic network shaped like the programme's, for tests and the benchmark."""
