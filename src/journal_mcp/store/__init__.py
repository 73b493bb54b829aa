"""SQLite storage: the journal database, its migrations, vector tables and full-text search."""
