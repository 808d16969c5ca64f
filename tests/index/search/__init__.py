"""Tests of the BM25 engine (index/search)."""
