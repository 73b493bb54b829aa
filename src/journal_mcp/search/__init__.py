"""Finding entries: embedding models, chunking, the vector index, ranking, excerpts and hybrid search."""
