"""Body text assembly shared by the extractors: paragraphs, bullets, and noise lines.

Every extractor hands the passage splitter the same shape: paragraphs separated by a blank
line, list items as consecutive "• " lines. Lines that are page furniture in any layout
(advertisement labels, patron appeals, photo credits) are dropped here, in one place.
"""

from __future__ import annotations

import re

BULLET = "• "

_AD_LINE = re.compile(r"^\s*(?:Advertisement|Реклама)\s*:?\s*$", re.IGNORECASE)
_PATRON_LINE = re.compile(
    r"^\s*(?:Support UP|Підтримайте УП|Поддержите УП|Поддержите Украинскую правду)\b",
    re.IGNORECASE,
)
# "Zelenskyy on 4 August. Photo: President's Office": a caption ends with a short credit.
_PHOTO_CAPTION = re.compile(
    r"(?:^|[.!?]\s+)(?:Photos?|Video|Фото|Відео|Видео|Світлина)\s*:\s*[^.!?]{1,80}$",
    re.IGNORECASE,
)
_BULLET_LINE = re.compile(r"^\s*[•·▪●◦‣*–—-]\s+(?P<text>\S.*)$")


def is_noise_line(line: str) -> bool:
    """True for advertisement labels, support appeals and photo captions."""
    return bool(_AD_LINE.match(line) or _PATRON_LINE.match(line) or _PHOTO_CAPTION.search(line))


def assemble_body(lines: list[str]) -> str:
    """Join content lines into a body: one paragraph per line, bullets grouped.

    Whitespace inside a line is collapsed; noise lines are dropped; a line starting with a
    bullet or dash becomes a "• " item, and consecutive items stay on consecutive lines so
    the passage splitter sees one list and cuts one passage per item.
    """
    blocks: list[list[str]] = []
    previous_bullet = False
    for line in lines:
        stripped = " ".join(line.split())
        if not stripped or is_noise_line(stripped):
            previous_bullet = False
            continue
        bullet = _BULLET_LINE.match(stripped)
        if bullet:
            item = BULLET + bullet["text"]
            if previous_bullet:
                blocks[-1].append(item)
            else:
                blocks.append([item])
            previous_bullet = True
            continue
        blocks.append([stripped])
        previous_bullet = False
    return "\n\n".join("\n".join(block) for block in blocks)
