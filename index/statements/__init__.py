"""Who said what: statements (direct quotes and reported speech) with speaker and date.

A layer above ``index.analysis`` (fold keys, dates) and below ``index.answer``: extraction
is pure (text in, frozen ``Statement`` records out); storage lives in ``index.store`` and
answering in ``index.statements.answer``.
"""

from index.statements.extract import Statement, extract_statements, speaker_key

__all__ = ["Statement", "extract_statements", "speaker_key"]
