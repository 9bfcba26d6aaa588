"""Graph storage for the registry, and a local Neo4j for tests and the CLI."""
