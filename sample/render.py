"""Render sample articles into the files a user would meet: HTML pages, text dumps, JSON.

Each renderer is a pure function of the article data, so ``python -m sample.build --check``
can prove the committed files are exactly what the data says (gzip is written with mtime 0).
"""

from __future__ import annotations

import gzip
import html
import json
from collections.abc import Sequence
from datetime import timedelta

from sample.boilerplate import DUMP_WORDS, HEADLINES, HTML_WORDS, KOI8_SAFE
from sample.sources.model import BACKGROUND_LABEL, MONTHS, SampleArticle, long_date

# Minutes between consecutive entries of a dump's "RECENT NEWS" list (newest first).
_RECENT_STEPS = (17, 1, 10, 3, 12, 7, 2, 45, 9, 8)


def _pick(pool: Sequence[str], seed: int, n: int) -> list[str]:
    """``n`` distinct items of ``pool`` starting at a seed-dependent offset (deterministic)."""
    return [pool[(seed * 7 + i) % len(pool)] for i in range(n)]


def _seed(article: SampleArticle) -> int:
    return sum(ord(ch) for ch in article.key)


def render_dump(article: SampleArticle) -> str:
    """A plain-text page dump in the layout family of the Ukrainska Pravda seed page.

    Only the layout is borrowed: the copyright footer names the sample's own outlet.
    """
    words = DUMP_WORDS[article.lang]
    headlines = HEADLINES[article.lang]
    seed = _seed(article)
    lines: list[str] = [
        f" date {article.published:%Y-%m-%d} {words['all_sections']}",
        f"Укр Рус Eng {words['support_us']}",
        "Укр Рус Eng",
        words["support_us"],
        "",
        article.title,
        "",
        f"{_byline_name(article)}{long_date(article.lang, article.published)}",
        article.title,
        article.caption,
        "",
    ]
    for index, paragraph in enumerate(article.paragraphs):
        lines += [paragraph, ""]
        if index in (2, 4) and index < len(article.paragraphs) - 1:
            lines += [words["advert"], ""]
    if article.background:
        lines += [_background_label(article), ""]
        lines += [f"  • {item}" for item in article.background]
        lines.append("")
    lines += [words["patron"], "", f"{words['subjects']} {''.join(article.tags)}", words["advert"]]
    lines.append("")
    for headline in _pick(headlines, seed, 6):
        lines += [headline, ""]
    lines.append(words["all_news"])
    lines.append(article.tags[0])
    lines += _pick(headlines, seed + 3, 3)
    lines.append(words["recent"])
    when = article.published + timedelta(hours=1, minutes=50)
    # The first two headlines of each pool always show, so the QA set can ask about them.
    recent = list(headlines[:2]) + [
        h for h in _pick(headlines, seed + 5, 10) if h not in headlines[:2]
    ]
    for step, headline in zip(_RECENT_STEPS, recent[:10], strict=True):
        lines += [f"{when:%H:%M}", headline]
        when -= timedelta(minutes=step)
    lines += [words["all_news"], words["advert"], words["advert"]]
    # The footer names our invented outlet, so the extractor cites the dump under it and not
    # under the real outlet whose layout the dump borrows.
    rights = HTML_WORDS[article.lang]["rights"]
    lines += ["", f"© {article.published.year} {article.outlet}. {rights}"]
    text = "\n".join(lines)
    if article.encoding == "koi8-r":
        text = text.translate(KOI8_SAFE)
    return text


def _byline_name(article: SampleArticle) -> str:
    """English edition prints the author in capitals; the uk/ru editions as written."""
    return article.author.upper() if article.lang == "en" else article.author


def _background_label(article: SampleArticle) -> str:
    return BACKGROUND_LABEL[article.lang]


def _human_date(article: SampleArticle) -> str:
    when = article.published
    return f"{when.day} {MONTHS[article.lang][when.month - 1]} {when.year}, {when:%H:%M}"


def render_html(article: SampleArticle, related: Sequence[SampleArticle]) -> str:
    """A full news page: metadata in the head, the body in ``<article><p>``, and furniture.

    Navigation, the related-article list, share buttons, comments and the footer surround
    the article, as on real sites, so extraction has something to leave out.
    """
    w = HTML_WORDS[article.lang]
    e = html.escape
    iso = article.published.isoformat()
    domain = article.url.split("/")[2]
    first_sentence = article.paragraphs[0].split(". ")[0].rstrip(".") + "."
    nav = "\n".join(
        f'      <li><a href="/{i}/">{e(name)}</a></li>' for i, name in enumerate(w["nav"])
    )
    body = "\n".join(f"        <p>{e(p)}</p>" for p in article.paragraphs)
    related_items = [(other.title, other.url) for other in related]
    related_items += [
        (headline, f"https://{domain}/news/{_seed(article) + i}")
        for i, headline in enumerate(_pick(HEADLINES[article.lang], _seed(article), 2))
    ]
    related_html = "\n".join(
        f'      <li><a href="{e(url)}">{e(title)}</a></li>' for title, url in related_items
    )
    pool = w["comment_pool"]
    comments = [pool[(_seed(article) + i) % len(pool)] for i in range(3)]
    comments_html = "\n".join(
        f'    <div class="comment"><span class="comment-author">{e(name)}</span>\n'
        f"      <p>{e(text)}</p>\n"
        f'      <a class="reply" href="#">{e(w["reply"])}</a></div>'
        for name, text in comments
    )
    tags = ", ".join(f'<a href="/tag/{i}">{e(tag)}</a>' for i, tag in enumerate(article.tags))
    footer_links = " · ".join(
        f'<a href="/p/{i}">{e(x)}</a>' for i, x in enumerate(w["footer_links"])
    )
    return f"""<!DOCTYPE html>
<html lang="{article.lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{e(article.title)} | {e(article.outlet)}</title>
  <meta name="description" content="{e(first_sentence)}">
  <meta name="author" content="{e(article.author)}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{e(article.title)}">
  <meta property="og:site_name" content="{e(article.outlet)}">
  <meta property="og:url" content="{e(article.url)}">
  <meta property="og:locale" content="{article.lang}">
  <meta property="article:published_time" content="{iso}">
  <link rel="canonical" href="{e(article.url)}">
  <link rel="stylesheet" href="/static/site.css">
  <script>
    window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "article"}});
  </script>
</head>
<body>
  <header class="site-header">
    <a class="logo" href="/">{e(article.outlet)}</a>
    <nav class="main-nav">
    <ul>
{nav}
    </ul>
    </nav>
    <form class="search" action="/search"><input name="q" placeholder="{e(w["search"])}"></form>
  </header>
  <div class="breadcrumbs">
    <a href="/">{e(w["home"])}</a> › <a href="/0/">{e(w["section"])}</a>
  </div>
  <main>
    <article class="story">
      <h1 class="headline">{e(article.title)}</h1>
      <div class="byline">{e(w["by"])}
        <a rel="author" href="/authors/{_seed(article)}">{e(article.author)}</a>
        · <time datetime="{iso}">{e(_human_date(article))}</time></div>
      <figure class="lead-image">
        <img src="/media/{_seed(article)}.jpg" alt="">
        <figcaption>{e(article.caption)}</figcaption>
      </figure>
      <div class="story-body">
{body}
      </div>
      <div class="share">{e(w["share"])}:
        <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Telegram</a>
      </div>
      <div class="tags">{e(w["tags"])}: {tags}</div>
    </article>
    <aside class="related">
      <h2>{e(w["related"])}</h2>
      <ul>
{related_html}
      </ul>
    </aside>
    <section class="comments" id="comments">
      <h2>{e(w["comments"])} ({len(comments)})</h2>
{comments_html}
    </section>
  </main>
  <footer class="site-footer">
    <div class="newsletter">{e(w["newsletter"])} <button>{e(w["subscribe"])}</button></div>
    <nav class="footer-links">{footer_links}</nav>
    <p>© {article.published.year} {e(article.outlet)}. {e(w["rights"])}</p>
  </footer>
</body>
</html>
"""


def json_record(article: SampleArticle) -> dict[str, str]:
    """One object of a JSON/JSONL archive (``html`` instead of ``text`` when asked)."""
    record = {
        "url": article.url,
        "title": article.title,
        "published": article.published.isoformat(),
        "author": article.author,
        "source": article.outlet,
        "language": article.lang,
    }
    if article.as_html:
        record["html"] = "\n".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
    else:
        record["text"] = article.body
    return record


def render_jsonl(articles: Sequence[SampleArticle]) -> str:
    """One JSON object per line, UTF-8, non-ASCII kept as is."""
    return "".join(json.dumps(json_record(a), ensure_ascii=False) + "\n" for a in articles)


def render_json(articles: Sequence[SampleArticle]) -> str:
    """A JSON list of article objects."""
    return json.dumps([json_record(a) for a in articles], ensure_ascii=False, indent=2) + "\n"


def encode(text: str, article: SampleArticle, path: str) -> bytes:
    """Encode with the article's charset (strictly) and gzip when the path ends in ``.gz``."""
    data = text.encode(article.encoding)
    if path.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    return data
