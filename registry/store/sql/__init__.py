"""The SQL store (SQLModel): SQLite by default, PostgreSQL by URL."""
