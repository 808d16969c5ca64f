"""Parity of our BM25 engine with rank_bm25.BM25Okapi itself."""
