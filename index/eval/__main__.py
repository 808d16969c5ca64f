"""``python -m index.eval extraction|retrieval|qa|dedup|statements|speaker-names``: measurements.

``extraction`` lives in ``index.eval.extraction``; ``retrieval``, ``qa`` and ``dedup`` hand
their own arguments to the ``main`` of ``index.eval.retrieval``, ``.qa`` and ``.dedup``.
Those modules are imported only when their command runs, so one command never breaks another.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

# Commands whose parsing and work belong to another module's ``main(argv) -> int``.
DELEGATED = {
    "retrieval": ("index.eval.retrieval", "retrieval quality (nDCG@10 etc.) on BEIR folders"),
    "qa": ("index.eval.qa", "answer quality on a JSON-lines QA set"),
    "dedup": ("index.eval.dedup", "precision and recall of reprint grouping on labelled pairs"),
    "statements": ("index.eval.statements", "who-said-what extraction on a JSON-lines set"),
    "speaker-names": ("index.eval.speaker_names", "speaker names in cases → nominative"),
}


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser: one subcommand per evaluation."""
    from index.eval import extraction

    parser = argparse.ArgumentParser(prog="python -m index.eval", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    commands = parser.add_subparsers(dest="command", required=True)
    extraction.add_arguments(
        commands.add_parser("extraction", help="HTML extraction on the extraction benchmark")
    )
    for name, (_module, help_text) in DELEGATED.items():
        commands.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse and dispatch; exit codes are the command's (2 on a usage error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:
        module = importlib.import_module(DELEGATED[argv[0]][0])
        return int(module.main(argv[1:]))
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from index.eval import extraction

    return extraction.run(args)


if __name__ == "__main__":
    sys.exit(main())
