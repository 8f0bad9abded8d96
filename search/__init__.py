"""Search: the full-text index (FTS5), ranking, facets, typo tolerance, suggestions, TF-IDF."""
