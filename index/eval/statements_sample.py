"""Writes ``index/eval/statements_sample.jsonl``: the team's annotated statement set.

``python -m index.eval.statements_sample`` regenerates it. Articles are composed from
news-style sentence templates (written by the team for this set, in en/uk/ru) with varied
speakers, roles, verbs, dates and claims, seeded so the file is reproducible; offsets are
computed while composing, so the gold spans are exact. Hand-written units with odd cases
(pronoun chains, a role as speaker, no statements at all) follow the generated ones.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("statements_sample.jsonl")

# (full nominative, surname, genitive full name, role, feminine)
PEOPLE = {
    "en": [
        ("Jens Stoltenberg", "Stoltenberg", "", "NATO Secretary General", False),
        ("Donald Tusk", "Tusk", "", "Polish Prime Minister", False),
        ("Olaf Scholz", "Scholz", "", "German Chancellor", False),
        ("Dmytro Kuleba", "Kuleba", "", "Ukrainian Foreign Minister", False),
        ("Kaja Kallas", "Kallas", "", "Estonian Prime Minister", True),
        ("Mark Rutte", "Rutte", "", "Dutch Prime Minister", False),
        ("Andrzej Duda", "Duda", "", "Polish President", False),
        ("Annalena Baerbock", "Baerbock", "", "German Foreign Minister", True),
        ("Ihor Klymenko", "Klymenko", "", "Interior Minister", False),
    ],
    "uk": [
        ("Єнс Столтенберг", "Столтенберг", "Єнса Столтенберга", "генсек НАТО", False),
        ("Дональд Туск", "Туск", "Дональда Туска", "прем'єр-міністр Польщі", False),
        ("Дмитро Кулеба", "Кулеба", "Дмитра Кулеби", "міністр закордонних справ", False),
        ("Олаф Шольц", "Шольц", "Олафа Шольца", "канцлер Німеччини", False),
        ("Андрій Єрмак", "Єрмак", "Андрія Єрмака", "керівник Офісу президента", False),
        ("Ігор Клименко", "Клименко", "Ігоря Клименка", "міністр внутрішніх справ", False),
        ("Ольга Стефанішина", "Стефанішина", "Ольги Стефанішиної", "віцепрем'єр-міністр", True),
        ("Юлія Свириденко", "Свириденко", "Юлії Свириденко", "перший віцепрем'єр", True),
    ],
    "ru": [
        ("Йенс Столтенберг", "Столтенберг", "Йенса Столтенберга", "генсек НАТО", False),
        ("Дональд Туск", "Туск", "Дональда Туска", "премьер Польши", False),
        ("Дмитрий Кулеба", "Кулеба", "Дмитрия Кулебы", "глава МИД Украины", False),
        ("Олаф Шольц", "Шольц", "Олафа Шольца", "канцлер Германии", False),
        ("Мария Захарова", "Захарова", "Марии Захаровой", "представитель МИД", True),
        ("Дмитрий Песков", "Песков", "Дмитрия Пескова", "пресс-секретарь Кремля", False),
        ("Эльвира Набиуллина", "Набиуллина", "Эльвиры Набиуллиной", "глава ЦБ", True),
    ],
}

CLAIMS = {
    "en": [
        "the alliance would send more air defence systems to Ukraine before winter",
        "the talks on grain exports had stalled over insurance for ships",
        "the government would raise the minimum wage from January",
        "sanctions against Russian banks would be extended for another year",
        "the border crossing would reopen for trucks by the end of the week",
        "no decision had been made on sending troops to the region",
        "the new budget leaves too little for schools and hospitals",
        "the ministry had received the first batch of armoured vehicles",
        "the energy grid withstood the night attack without long blackouts",
        "partners must speed up deliveries of artillery shells",
    ],
    "uk": [
        "альянс передасть Україні додаткові системи протиповітряної оборони",
        "переговори щодо експорту зерна зайшли в глухий кут",
        "уряд підвищить мінімальну зарплату з січня",
        "санкції проти російських банків продовжать ще на рік",
        "пункт пропуску відкриють для вантажівок до кінця тижня",
        "рішення про відправку військ у регіон поки не ухвалене",
        "енергосистема витримала нічну атаку без тривалих відключень",
        "партнери мають пришвидшити постачання артилерійських снарядів",
        "міністерство отримало першу партію бронемашин",
    ],
    "ru": [
        "альянс передаст Украине дополнительные системы противовоздушной обороны",
        "переговоры об экспорте зерна зашли в тупик",
        "правительство повысит минимальную зарплату с января",
        "санкции против российских банков продлят еще на год",
        "пункт пропуска откроют для грузовиков до конца недели",
        "решение об отправке войск в регион пока не принято",
        "энергосистема выдержала ночную атаку без длительных отключений",
        "ключевая ставка останется на прежнем уровне до осени",
        "партнеры должны ускорить поставки артиллерийских снарядов",
    ],
}

QUOTES = {
    "en": [
        "We will not leave our partners alone in this difficult moment",
        "Nobody wants an escalation, but we have to be ready for one",
        "The decision is in the hands of the allies and we respect that",
        "Our priority is to protect civilians and critical infrastructure",
        "This is a good day for all of Europe and for our citizens",
        "We are ready to talk as soon as the shelling stops",
    ],
    "uk": [
        "Ми не залишимо партнерів наодинці в цей складний момент",
        "Ніхто не хоче ескалації, але ми маємо бути до неї готові",
        "Наш пріоритет полягає в захисті цивільних і критичної інфраструктури",
        "Це добрий день для всієї Європи і для наших громадян",
        "Ми готові говорити, щойно припиняться обстріли",
    ],
    "ru": [
        "Мы не оставим партнеров одних в этот трудный момент",
        "Никто не хочет эскалации, но мы должны быть к ней готовы",
        "Наш приоритет заключается в защите мирных жителей и инфраструктуры",
        "Это хороший день для всей Европы и для наших граждан",
        "Мы готовы говорить, как только прекратятся обстрелы",
    ],
}

FILLER = {
    "en": [
        "The meeting took place in Brussels behind closed doors.",
        "Officials gave no further details.",
        "The previous round of talks ended without a joint statement.",
    ],
    "uk": [
        "Зустріч відбулася в Брюсселі за зачиненими дверима.",
        "Інших подробиць посадовці не навели.",
        "Попередній раунд переговорів завершився без спільної заяви.",
    ],
    "ru": [
        "Встреча прошла в Брюсселе за закрытыми дверями.",
        "Других подробностей чиновники не привели.",
        "Предыдущий раунд переговоров завершился без совместного заявления.",
    ],
}

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "uk": ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня",
           "вересня", "жовтня", "листопада", "грудня"],
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"],
}  # fmt: skip
WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "uk": ["понеділок", "вівторок", "середу", "четвер", "п'ятницю"],
    "ru": ["понедельник", "вторник", "среду", "четверг", "пятницу"],
}
ON_WEEKDAY = {"en": "On {}", "uk": "У {}", "ru": "В {}"}


class _Unit:
    """Text under composition, with gold spans recorded as pieces are appended."""

    def __init__(self) -> None:
        self.text = ""
        self.statements: list[dict[str, object]] = []
        self.unattributed: list[dict[str, int]] = []

    def put(self, piece: str) -> None:
        self.text += piece

    def span(self, piece: str, speaker: str, kind: str, said_on: date, source: str) -> None:
        start = len(self.text)
        self.text += piece
        self.statements.append(
            {
                "speaker": speaker,
                "start": start,
                "end": len(self.text),
                "kind": kind,
                "said_on": said_on.isoformat(),
                "date_source": source,
            }
        )

    def pronoun_span(self, piece: str) -> None:
        start = len(self.text)
        self.text += piece
        self.unattributed.append({"start": start, "end": len(self.text)})


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _verb(lang: str, base: str, fem: bool) -> str:
    if lang == "en":
        return base
    if lang == "uk":
        return base[:-1] + "ла" if fem else base
    return base + "а" if fem else base


def _date_phrase(lang: str, rng: random.Random, published: date) -> tuple[str, date]:
    if rng.random() < 0.5:
        # "on Friday" means the most recent Friday on or before publication (dates.py).
        weekday = rng.randint(0, 4)
        day = published - timedelta(days=(published.weekday() - weekday) % 7)
        return ON_WEEKDAY[lang].format(WEEKDAYS[lang][day.weekday()]), day
    day = published - timedelta(days=rng.randint(1, 20))
    if lang == "en":
        return f"On {day.day} {MONTHS['en'][day.month - 1]}", day
    return f"{day.day} {MONTHS[lang][day.month - 1]}", day


def _article(lang: str, number: int, rng: random.Random) -> dict[str, object]:
    published = date(2024, 1, 1) + timedelta(days=rng.randint(30, 330))
    unit = _Unit()
    people = rng.sample(PEOPLE[lang], 2)
    claims = rng.sample(CLAIMS[lang], 4)
    quotes = rng.sample(QUOTES[lang], 3)
    full, sur, _gen, role, fem = people[0]
    full2, sur2, gen2, role2, fem2 = people[1]
    phrase, said_on = _date_phrase(lang, rng, published)
    # First mention: dated reported speech with role and full name.
    if lang == "en":
        verb = rng.choice(["said that", "stressed that", "warned that", "made it clear that"])
        unit.put(f"{phrase}, {role} {full} {verb} ")
    else:
        base = rng.choice(
            ["заявив", "наголосив", "зазначив"]
            if lang == "uk"
            else ["заявил", "подчеркнул", "отметил"]
        )
        head = f"{phrase} {role} {full}"
        conj = "що" if lang == "uk" else "что"
        unit.put(f"{_cap(head)} {_verb(lang, base, fem)}, {conj} ")
    unit.span(claims[0], full, "reported", said_on, "text")
    unit.put(". " + rng.choice(FILLER[lang]) + "\n")
    # A direct quote by surname.
    q = quotes[0]
    style = rng.randint(0, 2)
    if lang == "en":
        if style == 0:
            unit.put("“")
            unit.span(q, sur, "direct", published, "published")
            unit.put(f",” {sur} said.")
        elif style == 1:
            unit.put("“")
            unit.span(q, sur, "direct", published, "published")
            unit.put(f",” said {sur}.")
        else:
            unit.put(f"{sur} told reporters: “")
            unit.span(q, sur, "direct", published, "published")
            unit.put(".”")
    else:
        base = {"uk": ["заявив", "сказав", "додав"], "ru": ["заявил", "сказал", "добавил"]}[lang][
            style
        ]
        if style < 2:
            unit.put("«")
            unit.span(q, sur, "direct", published, "published")
            unit.put(f"», — {_verb(lang, base, fem)} {sur}.")
        else:
            unit.put(f"{sur} {_verb(lang, base, fem)}: «")
            unit.span(q, sur, "direct", published, "published")
            unit.put("».")
    # Sometimes a pronoun-attributed follow-up (annotated as unattributed).
    if rng.random() < 0.3:
        pron = {"en": "she" if fem else "he", "uk": "вона" if fem else "він",
                "ru": "она" if fem else "он"}[lang]  # fmt: skip
        if lang == "en":
            unit.put(" “")
            unit.pronoun_span(quotes[2])
            unit.put(f",” {pron} added.")
        else:
            unit.put(" «")
            unit.pronoun_span(quotes[2])
            unit.put(f"», — {_verb(lang, 'додав' if lang == 'uk' else 'добавил', fem)} {pron}.")
    unit.put("\n")
    # Second speaker: according to / за словами / по словам, or a tail attribution.
    if lang == "en":
        if rng.random() < 0.5:
            unit.put(f"According to {role2} {full2}, ")
            unit.span(claims[1], full2, "reported", published, "published")
            unit.put(".")
        else:
            unit.put(f"{_cap(role2)} {full2} said ")
            unit.span(claims[1], full2, "reported", published, "published")
            unit.put(".")
    else:
        lead = "За словами" if lang == "uk" else "По словам"
        unit.put(f"{lead} {gen2}, ")
        unit.span(claims[1], full2, "reported", published, "published")
        unit.put(".")
    unit.put(" " + rng.choice(FILLER[lang]) + "\n")
    # Later mentions by surname only.
    if lang == "en":
        if rng.random() < 0.5:
            unit.put(_cap(""))
            unit.span(_cap(claims[2]), sur2, "reported", published, "published")
            unit.put(f", {sur2} said.")
        else:
            unit.put(f"{sur2} noted that ")
            unit.span(claims[2], sur2, "reported", published, "published")
            unit.put(".")
        phrase2, day2 = _date_phrase(lang, rng, published)
        unit.put(f" {phrase2}, {sur} said ")
        unit.span(claims[3], sur, "reported", day2, "text")
        unit.put(".")
        unit.put(" “")
        unit.span(quotes[1], sur2, "direct", published, "published")
        unit.put(f",” said {sur2}.")
    else:
        conj = "що" if lang == "uk" else "что"
        base = "наголосив" if lang == "uk" else "подчеркнул"
        unit.put(f"{sur2} {_verb(lang, base, fem2)}, {conj} ")
        unit.span(claims[2], sur2, "reported", published, "published")
        unit.put(".")
        phrase2, day2 = _date_phrase(lang, rng, published)
        base = "заявив" if lang == "uk" else "заявил"
        unit.put(f" {_cap(phrase2)} {sur} {_verb(lang, base, fem)}, {conj} ")
        unit.span(claims[3], sur, "reported", day2, "text")
        unit.put(".")
        base = "сказав" if lang == "uk" else "сказал"
        unit.put(" «")
        unit.span(quotes[1], sur2, "direct", published, "published")
        unit.put(f"», — {_verb(lang, base, fem2)} {sur2}.")
    unit.put("\n" + rng.choice(FILLER[lang]))
    return {
        "id": f"gen-{lang}-{number:03d}",
        "lang": lang,
        "title": f"{full} and {full2}" if lang == "en" else f"{full} і {full2}",
        "published": published.isoformat(),
        "text": unit.text,
        "statements": unit.statements,
        "unattributed": unit.unattributed,
    }


def _hand(uid: str, lang: str, published: str, parts: list[object]) -> dict[str, object]:
    """A hand-written unit: strings are plain text, (text, speaker, kind[, date]) are gold."""
    unit = _Unit()
    pub = date.fromisoformat(published)
    for part in parts:
        if isinstance(part, str):
            unit.put(part)
        elif isinstance(part, tuple) and part[0] == "PRON":
            unit.pronoun_span(str(part[1]))
        else:
            text, speaker, kind, *day = part  # type: ignore[misc]
            said = date.fromisoformat(day[0]) if day else pub
            unit.span(text, speaker, kind, said, "text" if day else "published")
    return {
        "id": uid,
        "lang": lang,
        "published": published,
        "text": unit.text,
        "statements": unit.statements,
        "unattributed": unit.unattributed,
    }


HAND = [
    _hand("hand-en-role", "en", "2024-03-12", [
        "The defence ministry spokesperson said that ",
        ("three drones were shot down over the capital overnight", "spokesperson", "reported"),
        ". No damage was reported.",
    ]),
    _hand("hand-en-none", "en", "2024-05-02", [
        "The “Grain from Ukraine” programme shipped another cargo on Tuesday. Prices for wheat "
        "fell by two percent after the announcement, traders in Chicago noted.",
    ]),
    _hand("hand-en-chain", "en", "2024-06-20", [
        "Foreign Minister Dmytro Kuleba spoke after the meeting. “",
        ("We have received clear signals from our partners", "Kuleba", "direct"),
        ",” Kuleba said. “",
        ("PRON", "Now we need clear decisions, not only signals"),
        ",” he added.",
    ]),
    _hand("hand-uk-none", "uk", "2024-04-11", [
        "У Києві відкрили новий міст через Дніпро. Рух по ньому почнеться в травні. "
        "Будівництво тривало три роки.",
    ]),
    _hand("hand-uk-role", "uk", "2024-09-03", [
        "Речник Повітряних сил Юрій Ігнат заявив, що ",
        ("ворог запустив по Україні понад тридцять ударних дронів", "Юрій Ігнат", "reported"),
        ". Більшість із них збили над центральними областями.",
    ]),
    _hand("hand-ru-none", "ru", "2024-02-14", [
        "В Москве открыли новую станцию метро. По данным мэрии, пассажиропоток составит "
        "около двадцати тысяч человек в день.",
    ]),
    _hand("hand-ru-dated", "ru", "2024-07-19", [
        "В понедельник министр иностранных дел Польши Радослав Сикорский заявил, что ",
        ("Варшава не будет сбивать ракеты над Украиной без решения НАТО", "Радослав Сикорский",
         "reported", "2024-07-15"),
        ". Позже Сикорский добавил: «",
        ("Мы действуем только вместе с союзниками", "Сикорский", "direct"),
        "».",
    ]),
    _hand("hand-uk-dated", "uk", "2024-07-20", [
        "14 липня генсек НАТО Єнс Столтенберг чітко дав зрозуміти, що він проти. ",
        "За словами Столтенберга, ",
        ("Альянс не стане стороною конфлікту", "Столтенберга", "reported"),
        ".",
    ]),
    # Harder constructions, written by hand in news style.
    _hand("hand-en-told", "en", "2024-07-18", [
        "Foreign Minister Dmytro Kuleba told reporters on Tuesday that ",
        ("Kyiv expected a decision on the jets by the end of the month", "Dmytro Kuleba",
         "reported", "2024-07-16"),
        ". The ministry did not say which partners were involved.",
    ]),
    _hand("hand-en-vonder", "en", "2024-06-27", [
        "“",
        ("We are not there yet, but we are getting closer", "Ursula von der Leyen", "direct"),
        ",” said Ursula von der Leyen, the president of the European Commission. "
        "Leaders meet again in October.",
    ]),
    _hand("hand-en-apposition", "en", "2024-03-05", [
        "The Kremlin spokesman, Dmitry Peskov, said that ",
        ("the talks were not on the agenda for now", "Dmitry Peskov", "reported"),
        ". Peskov later added that ",
        ("Moscow was watching the situation closely", "Peskov", "reported"),
        ".",
    ]),
    _hand("hand-en-split", "en", "2024-05-21", [
        "“",
        ("We are ready to talk", "Lavrov", "direct"),
        ",” Sergei Lavrov said, “",
        ("but the terms must be fair to everyone", "Lavrov", "direct"),
        ".”",
    ]),
    _hand("hand-en-address", "en", "2024-08-12", [
        "President Volodymyr Zelensky said in his nightly address that ",
        ("Russia had launched more than forty drones at the south", "Zelensky", "reported"),
        ". Air defence units were working until dawn.",
    ]),
    _hand("hand-en-pronoun-only", "en", "2024-02-02", [
        "Officials met behind closed doors on Friday. “",
        ("PRON", "Absolutely not, we will not send troops"),
        ",” she said when asked about the plan.",
    ]),
    _hand("hand-en-measure", "en", "2024-04-09", [
        "The measure, which passed on Monday, said nothing about troops in the region. "
        "Analysts expect a second vote in May.",
    ]),
    _hand("hand-uk-split", "uk", "2024-09-11", [
        "«",
        ("Ми готові говорити", "Кулеба", "direct"),
        ", — заявив Дмитро Кулеба. — ",
        ("Але не про капітуляцію і не про наші території", "Кулеба", "direct"),
        "».",
    ]),
    _hand("hand-uk-yak", "uk", "2024-05-30", [
        "Як заявив міністр оборони Рустем Умєров, ",
        ("перші літаки прибудуть до України влітку", "Рустем Умєров", "reported"),
        ". Точних дат міністр не назвав.",
    ]),
    _hand("hand-uk-also", "uk", "2024-06-14", [
        "Президент Володимир Зеленський зустрівся з прем'єром Італії. Зеленський також "
        "заявив, що ",
        ("Україна чекає на рішення партнерів щодо далекобійної зброї", "Зеленський",
         "reported"),
        ".",
    ]),
    _hand("hand-uk-pro-tse", "uk", "2024-10-02", [
        "Уночі росіяни обстріляли Харків. Про це повідомив голова ОВА Олег Синєгубов. "
        "Постраждали двоє людей.",
    ]),
    _hand("hand-uk-during", "uk", "2024-11-19", [
        "«",
        ("Ми не підемо на заморожування війни", "Зеленський", "direct"),
        "», — наголосив президент Володимир Зеленський під час пресконференції у Києві.",
    ]),
    _hand("hand-ru-kak", "ru", "2024-04-22", [
        "Как заявила официальный представитель МИД Мария Захарова, ",
        ("Москва ответит на новые санкции зеркально", "Мария Захарова", "reported"),
        ". Подробностей она не привела.",
    ]),
    _hand("hand-ru-split", "ru", "2024-05-21", [
        "«",
        ("Мы готовы к переговорам", "Лавров", "direct"),
        ", — сказал Сергей Лавров, — ",
        ("но условия должны быть справедливыми", "Лавров", "direct"),
        "».",
    ]),
    _hand("hand-ru-chain", "ru", "2024-03-14", [
        "«",
        ("Мы не будем комментировать это решение", "Песков", "direct"),
        "», — сказал Дмитрий Песков журналистам. «",
        ("PRON", "Это внутреннее дело суда"),
        "», — добавил он.",
    ]),
    _hand("hand-ru-dannye", "ru", "2024-06-06", [
        "По данным Минобороны, ночью над регионом было сбито двадцать беспилотников. "
        "Пострадавших нет.",
    ]),
    _hand("hand-en-speaking", "en", "2024-07-10", [
        "Stoltenberg, speaking in Washington on Wednesday, said that ",
        ("the alliance would stay united whatever happens", "Stoltenberg", "reported",
         "2024-07-10"),
        ".",
    ]),
]  # fmt: skip


def build(per_language: int = 24, seed: int = 14) -> list[dict[str, object]]:
    """The generated articles (``per_language`` for each of en/uk/ru) plus the hand units."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible sample, not a secret)
    units = [_article(lang, i, rng) for lang in ("en", "uk", "ru") for i in range(per_language)]
    return units + HAND


def main() -> None:
    """Write the set next to this module."""
    with OUT.open("w", encoding="utf-8") as fh:
        for unit in build():
            fh.write(json.dumps(unit, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
