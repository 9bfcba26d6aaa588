"""The storage port, the rules every store shares, and the stores (sql/ here, Neo4j in graph/)."""
