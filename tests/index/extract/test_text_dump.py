"""Text dumps of news pages: the Ukrainska Pravda family in en/uk/ru, and the generic cleaner."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from index.extract import extract_bytes
from index.extract.text_dump import extract_text_dump

KYIV = ZoneInfo("Europe/Kyiv")

UP_EDITIONS = [
    pytest.param(
        "up-en-poland-security-agreement.txt",
        {
            "title": "Ukraine and Poland sign bilateral security agreement in Warsaw",
            "author": "Mariia Koval",
            "published_at": datetime(2024, 7, 8, 15, 10, tzinfo=KYIV),
            "language": "en",
            "kept": ["Source: statements", "Details: The document", "Quote from Zelenskyy"],
            "dropped": ["Advertisement", "Support UP", "Subjects", "Photo:", "Kharkiv residents",
                        "RECENT NEWS", "All News", "Air raid warning", "Polish farmers", "Укр"],
        },
        id="en",
    ),
    pytest.param(
        "up-uk-nato-summit.txt",
        {
            "title": "Саміт НАТО у Вашингтоні назвав шлях України до Альянсу незворотним",
            "author": "Олена Марченко",
            "published_at": datetime(2024, 7, 10, 21, 5, tzinfo=KYIV),
            "language": "uk",
            "kept": ["Джерело: текст", "Деталі: У документі", "Цитата:"],
            "dropped": ["Реклама", "Підтримайте", "Теми:", "Фото:", "відновили рух",
                        "ОСТАННІ НОВИНИ", "Всі новини", "повітряну тривогу", "Підтримати"],
        },
        id="uk",
    ),
    pytest.param(
        "up-ru-peace-summit.txt",
        {
            "title": "Саммит мира в Швейцарии завершился совместным коммюнике",
            "author": "Ирина Соколова",
            "published_at": datetime(2024, 6, 16, 18, 40, tzinfo=KYIV),
            "language": "ru",
            "kept": ["Источник: итоговый", "Подробности: В коммюнике", "Цитата:"],
            "dropped": ["Реклама", "Поддержите", "Темы:", "Фото:", "портовые склады",
                        "ПОСЛЕДНИЕ НОВОСТИ", "Все новости", "воздушная тревога", "Поддержать"],
        },
        id="ru",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "expected"), UP_EDITIONS)
def test_up_dump_yields_metadata_and_clean_body(read_fixture, name: str, expected: dict) -> None:
    [article] = extract_bytes(read_fixture(name), name)
    assert article.title == expected["title"]
    assert article.author == expected["author"]
    assert article.published_at == expected["published_at"]
    assert article.published_at.utcoffset() is not None
    assert article.language == expected["language"]
    assert article.source == "Ukrainska Pravda"
    for kept in expected["kept"]:
        assert kept in article.body
    for dropped in expected["dropped"]:
        assert dropped not in article.body
    assert article.title not in article.body  # the repeated title line is gone
    bullets = [line for line in article.body.split("\n") if line.startswith("• ")]
    assert len(bullets) == 3
    assert not any(line.strip().isdigit() or line[-1:] == ":" for line in bullets)


@pytest.mark.parametrize(
    ("byline", "author", "published"),
    [
        ("KATERYNA TYSHCHENKOSunday, 4 August 2024, 17:25", "Kateryna Tyshchenko", (8, 4, 17, 25)),
        ("Неділя, 4 серпня 2024, 09:05", None, (8, 4, 9, 5)),
        ("ОЛЕКСАНДР П'ЯТНИЦЯП'ятниця, 2 серпня 2024, 23:59", "Олександр П'ятниця", (8, 2, 23, 59)),
        ("ANNA O’NEILLПʼятниця, 2 серпня 2024, 10:00", "Anna O’Neill", (8, 2, 10, 0)),
        ("Ірина Кошова, Четвер, 1 серпня 2024, 08:30", "Ірина Кошова", (8, 1, 8, 30)),
        (
            "СЕРГЕЙ ИВАНОВ-ПЕТРОВСуббота, 3 августа 2024, 12:00",
            "Сергей Иванов-Петров",
            (8, 3, 12, 0),
        ),
        ("JOHN SMITHWednesday, 31 January 2024, 7:05", "John Smith", (1, 31, 7, 5)),
    ],
)
def test_bylines_glued_or_not_give_author_and_kyiv_time(byline, author, published) -> None:
    text = f"Nav\n\nA headline about events\n\n{byline}\nA headline about events\n\nThe body.\n"
    article = extract_text_dump(text, "x.txt")
    month, day, hour, minute = published
    year = 2024
    assert article.author == author
    assert article.published_at == datetime(year, month, day, hour, minute, tzinfo=KYIV)
    assert article.title == "A headline about events"
    assert article.body == "The body."


def test_unknown_page_dump_falls_back_to_justext(read_fixture) -> None:
    name = "generic-en-kharlan-bronze.txt"
    [article] = extract_bytes(read_fixture(name), name)
    assert article.title == "Olha Kharlan wins bronze in individual sabre at the Paris Olympics"
    assert article.language == "en"
    assert "Grand Palais" in article.body
    assert "dedicated the victory" in article.body
    for dropped in ("Advertisement", "Subscribe", "Related", "Basketball", "Privacy", "©"):
        assert dropped not in article.body
    assert article.body.count("\n\n") == 3  # four paragraphs


def test_plain_article_file_keeps_every_paragraph(read_fixture) -> None:
    name = "plain-uk-eu-accession-talks.txt"
    [article] = extract_bytes(read_fixture(name), name)
    assert article.title == "ЄС офіційно розпочав переговори про вступ України"
    assert article.language == "uk"
    assert article.body.count("\n\n") == 2
    assert article.body.startswith("Двадцять п'ятого червня")
    assert article.published_at is None


def test_advertisement_lines_are_dropped_from_generic_text() -> None:
    text = "A short title line here\n\nFirst paragraph of text.\n\nAdvertisement:\n\nReklama\n"
    article = extract_text_dump(text.replace("Reklama", "Реклама:"), "x.txt")
    assert "Advertisement" not in article.body
    assert "Реклама" not in article.body
    assert article.body == "First paragraph of text."


def test_a_byline_with_nothing_after_it_falls_back_to_the_generic_cleaner() -> None:
    text = "Some headline words here\n\nJOHN SMITHMonday, 5 August 2024, 10:00\nAll News\n"
    article = extract_text_dump(text, "x.txt")
    assert article.title == "Some headline words here"


# A dump of the UP layout that carries the UP mark ("Support UP") but is not UP's own page.
_UP_LAYOUT = (
    "Укр Рус Eng\nSupport Us\n\nA headline about events\n\n"
    "JOHN SMITHMonday, 5 August 2024, 10:00\n"
    "The body says what happened.\n\n{body_extra}"
    "Support UP or become our patron!\nSubjects: Kyiv\nRECENT NEWS\n10:00\nA headline\n"
    "{footer}"
)


@pytest.mark.parametrize(
    ("footer", "outlet"),
    [
        ("© 2024 Ukrainian Pages. All rights reserved.\n", "Ukrainian Pages"),
        ("Copyright © 2000-2024, Harbour Gazette | Privacy\n", "Harbour Gazette"),
        ("Новини регіонів © 2024\n", "Новини регіонів"),
        ("© 2000–2024 «Українські сторінки». Усі права захищено.\n", "Українські сторінки"),
        ("(c) 2023 Северный курьер. Все права защищены.\n", "Северный курьер"),
    ],
)
def test_a_copyright_footer_names_the_outlet_over_the_up_mark(footer: str, outlet: str) -> None:
    article = extract_text_dump(_UP_LAYOUT.format(body_extra="", footer=footer), "x.txt")
    assert article.body == "The body says what happened."
    assert article.source == outlet


def test_without_a_footer_the_up_mark_still_gives_ukrainska_pravda() -> None:
    article = extract_text_dump(_UP_LAYOUT.format(body_extra="", footer=""), "x.txt")
    assert article.source == "Ukrainska Pravda"


@pytest.mark.parametrize(
    "not_a_footer",
    [
        "Source: Reuters, as reported by © Example Wire\n\n",  # whom the article cites
        "© 2024 Example Wire\n\n",  # a credit inside the article body
    ],
)
def test_copyright_like_lines_inside_the_article_are_not_the_outlet(not_a_footer: str) -> None:
    text = _UP_LAYOUT.format(body_extra=not_a_footer, footer="")
    assert extract_text_dump(text, "x.txt").source == "Ukrainska Pravda"


@pytest.mark.parametrize(
    "line",
    ["Copyright law changes approved by parliament", "(c) the third option", "© 2024."],
)
def test_headlines_and_bare_marks_name_no_outlet(line: str) -> None:
    text = _UP_LAYOUT.format(body_extra="", footer=line + "\n").replace("Support UP", "Help")
    assert extract_text_dump(text, "x.txt").source is None


def test_generic_dump_takes_its_outlet_from_the_footer(read_fixture) -> None:
    name = "generic-en-kharlan-bronze.txt"
    [article] = extract_bytes(read_fixture(name), name)
    assert article.source == "Example Sports Network"


UK_PARAGRAPHS = (
    "Перший абзац статті про події в Києві, який має достатньо слів для тексту.\n\n"
    "Другий абзац розповідає про наслідки цих подій для мешканців міста.\n"
)


def test_short_first_line_of_a_cp1251_plain_file_is_its_title() -> None:
    data = ("Заголовок статті\n\n" + UK_PARAGRAPHS).encode("cp1251")
    [article] = extract_bytes(data, "stattia.txt")
    assert article.title == "Заголовок статті"
    assert article.language == "uk"
    assert article.body.startswith("Перший абзац статті")
    assert "Заголовок" not in article.body
    assert article.body.count("\n\n") == 1


@pytest.mark.parametrize(
    "first",
    [
        "Коротке речення.",  # a sentence, not a heading
        "Заголовок " * 30,  # too long for a heading
    ],
    ids=["sentence", "too-long"],
)
def test_first_line_that_is_no_heading_stays_in_the_body(first: str) -> None:
    article = extract_text_dump(first + "\n\n" + UK_PARAGRAPHS, "x.txt")
    assert article.title == ""
    assert article.body.startswith(" ".join(first.split()))


def test_short_first_line_glued_to_the_paragraph_is_not_a_heading() -> None:
    article = extract_text_dump("Вступ\n" + UK_PARAGRAPHS, "x.txt")
    assert article.title == ""
    assert article.body.startswith("Вступ")
