"""Several servers behind a balancer: Redis, HAProxy and `registry serve` processes, started by the tests."""
