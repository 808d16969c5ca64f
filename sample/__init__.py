"""The bundled sample corpus: its single source of truth and the generator of its files.

Not part of the installed package: ``python -m sample.build`` (run from the repository root)
renders ``sample/html``, ``sample/dumps``, ``sample/json``, ``sample/README.md`` and the QA set
``index/eval/qa_sample.jsonl`` from the data in ``sample/sources``.
"""
