"""The journal as its users see it (the `Journal` facade), the background model service, per-project journals, reindexing and statistics."""
