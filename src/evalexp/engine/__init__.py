"""Out-of-core engines: the SQL written once (:mod:`.sql`), the DuckDB engine, the estimators on counts."""
