"""Hand-written texts for the reprint evaluation set (``python -m sample.dedup``).

Two kinds of near-copies that are *different* stories, written in our own words:

- ``EXPLAINERS``: an annual explainer (a holiday, tax season, the clock change) whose later
  edition reuses most of the earlier one's text a year on, with the year's facts updated;
- ``AWARDS``: the nominations for a prize and, weeks later, the winners, which repeat the
  list of nominees.

- ``TEMPLATES``: reports filled from one template for other places or days.

And ``LOCAL_LEADS``: the new opening paragraph an outlet in another city writes on top of a
wire story (the same story, localized); ``UPDATES``: the paragraph an updated version adds.
Outlets, people and prizes here are invented.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Explainer:
    """An annual explainer: ``shared`` paragraphs reused by every edition, ``{year}`` filled.

    ``edition`` holds the paragraphs that change each year, by year.
    """

    key: str
    lang: str
    outlet: str
    title: str
    published: str  # month-day and time, the same each year: "03-20T08:00:00+02:00"
    shared: tuple[str, ...]
    edition: dict[int, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Award:
    """A prize's nominations and, weeks later, its winners (two different stories)."""

    key: str
    lang: str
    outlet: str
    nominations_title: str
    nominations_published: str
    nominations: tuple[str, ...]
    winners_title: str
    winners_published: str
    winners: tuple[str, ...]


EXPLAINERS: tuple[Explainer, ...] = (
    Explainer(
        key="en-clock-change",
        lang="en",
        outlet="Example News",
        title="When do the clocks go forward in {year}? What you need to know",
        published="03-20T08:00:00+02:00",
        shared=(
            "Clocks in Ukraine and most of Europe move forward by one hour on the last "
            "Sunday of March, at three o'clock in the morning, which means one hour less "
            "sleep for most people and lighter evenings for the rest of the summer.",
            "Smartphones and computers connected to the internet change the time "
            "automatically. Wall clocks, ovens and older car radios have to be set by hand, "
            "and railway timetables are printed in the new time from the first train of the "
            "day.",
            "The clocks go back again on the last Sunday of October. The European Parliament "
            "voted to stop the seasonal change years ago, but the member states have never "
            "agreed which time to keep, so the twice-yearly switch goes on.",
            "Doctors advise going to bed a little earlier for a few days before the change "
            "and getting daylight in the morning, which helps the body clock adjust faster.",
        ),
        edition={
            2023: (
                "This year the change falls on Sunday 26 March {year}, and the clocks go "
                "back on 29 October.",
            ),
            2024: (
                "This year the change falls on Sunday 31 March {year}, and the clocks go "
                "back on 27 October.",
            ),
        },
    ),
    Explainer(
        key="en-tax-season",
        lang="en",
        outlet="Capitol Ledger",
        title="Tax season {year}: how to file your return on time",
        published="02-01T07:30:00-05:00",
        shared=(
            "Tax season has opened, and most people who earned income last year have until "
            "mid-April to file their return. Filing early means an earlier refund for those "
            "who are owed one, and more time to find missing papers for those who are not.",
            "Before you start, gather your wage statements from every employer, forms for "
            "interest and dividends, records of any freelance income, and receipts for "
            "deductions such as charitable gifts or student loan interest.",
            "Free filing software is available to households below an income limit, and "
            "volunteer clinics in libraries and community centres help older people and "
            "low-income families fill in their forms at no cost.",
            "If you cannot finish in time, you can ask for an extension, but the extension "
            "covers the paperwork only: any tax owed is still due on the April deadline, and "
            "interest is charged on late payments.",
        ),
        edition={
            2023: (
                "The deadline this year is Tuesday 18 April {year}, because the usual date "
                "falls on a weekend and a holiday. The standard deduction rose to 13,850 "
                "dollars for single filers.",
            ),
            2024: (
                "The deadline this year is Monday 15 April {year}. The standard deduction "
                "rose to 14,600 dollars for single filers, and a new direct filing pilot is "
                "open in twelve states.",
            ),
        },
    ),
    Explainer(
        key="uk-den-nezalezhnosti",
        lang="uk",
        outlet="Дніпровський вісник",
        title="День Незалежності {year}: як відзначають свято та чи буде вихідний",
        published="08-20T09:00:00+03:00",
        shared=(
            "День Незалежності України відзначають щороку 24 серпня, у день, коли 1991 "
            "року Верховна Рада ухвалила Акт проголошення незалежності. Напередодні, 23 "
            "серпня, країна святкує День Державного Прапора.",
            "Під час воєнного стану масові заходи в містах заборонені, тому замість парадів "
            "і концертів громади проводять хвилину мовчання, покладають квіти до меморіалів "
            "загиблим захисникам і збирають кошти для війська.",
            "Згідно з правилами воєнного стану, святкові дні не є вихідними: працівники "
            "виходять на роботу за звичайним графіком, а перенесення робочих днів не "
            "передбачене.",
            "Українці за кордоном збираються біля посольств і на центральних площах міст, "
            "щоб підняти синьо-жовтий прапор і заспівати гімн разом.",
        ),
        edition={
            2023: (
                "Цього року свято припадає на четвер, 24 серпня {year}, і Україна відзначає "
                "тридцять другу річницю незалежності.",
            ),
            2024: (
                "Цього року свято припадає на суботу, 24 серпня {year}, і Україна відзначає "
                "тридцять третю річницю незалежності.",
            ),
        },
    ),
    Explainer(
        key="ru-maslenitsa",
        lang="ru",
        outlet="Северный курьер",
        title="Масленица в {year} году: даты, традиции и что готовить",
        published="02-05T10:00:00+03:00",
        shared=(
            "Масленица — старинный праздник проводов зимы, который длится целую неделю "
            "перед началом Великого поста. Каждый день недели имеет своё название и свои "
            "обычаи.",
            "Главное угощение праздника — блины. Их пекут на молоке или на кефире, подают "
            "со сметаной, мёдом, вареньем или икрой и угощают ими родных, соседей и гостей.",
            "В последний день, Прощёное воскресенье, принято просить друг у друга прощения, "
            "а в парках и на площадях сжигают соломенное чучело зимы под песни и хороводы.",
            "Историки напоминают, что праздник старше христианства и связан с весенним "
            "равноденствием, но церковь включила его в свой календарь как сырную седмицу.",
        ),
        edition={
            2023: (
                "В {year} году Масленичная неделя продлится с 20 по 26 февраля, а "
                "Прощёное воскресенье выпадает на 26 февраля.",
            ),
            2024: (
                "В {year} году Масленичная неделя продлится с 11 по 17 марта, а Прощёное "
                "воскресенье выпадает на 17 марта.",
            ),
        },
    ),
)


AWARDS: tuple[Award, ...] = (
    Award(
        key="en-river-prize",
        lang="en",
        outlet="Example News",
        nominations_title="Five novels shortlisted for the River Prize",
        nominations_published="2024-09-17T12:00:00+01:00",
        nominations=(
            "Five novels are in the running for this year's River Prize for fiction, the "
            "judges announced on Tuesday, choosing them from 158 books submitted by "
            "publishers.",
            "The shortlist is: The Salt Orchard by Mira Dalton, Northern Lights Motel by "
            "Ahmed Kerr, A House of Small Weather by Lena Brandt, The Ferryman's Daughter by "
            "Tomas Ilić and Glass Harbour by Ruth Okafor.",
            "The chair of the judges said the books shared an interest in places that are "
            "disappearing, from fishing villages to small-town hotels.",
            "The winner will be announced at a ceremony in November and receives 50,000 "
            "pounds; each shortlisted author receives 2,500 pounds.",
        ),
        winners_title="Ruth Okafor wins the River Prize for Glass Harbour",
        winners_published="2024-11-12T22:30:00+00:00",
        winners=(
            "Ruth Okafor has won this year's River Prize for fiction for Glass Harbour, a "
            "novel about a port town waiting for a ship that never comes. She receives "
            "50,000 pounds.",
            "Accepting the award at a ceremony in London on Tuesday evening, Okafor thanked "
            "her late father, a harbour pilot, and said the book had taken her eleven years.",
            "She beat The Salt Orchard by Mira Dalton, Northern Lights Motel by Ahmed Kerr, "
            "A House of Small Weather by Lena Brandt and The Ferryman's Daughter by Tomas "
            "Ilić.",
            "The chair of the judges called the decision unanimous and said Glass Harbour "
            "was the book the panel kept returning to.",
        ),
    ),
    Award(
        key="en-film-awards",
        lang="en",
        outlet="Capitol Ledger",
        nominations_title="Coastline leads film academy nominations with nine",
        nominations_published="2024-01-23T14:00:00-05:00",
        nominations=(
            "The drama Coastline leads this year's film academy nominations with nine, "
            "including best picture, best director for Ana Ruiz and best actress for Joan "
            "Mercer, the academy announced on Tuesday morning.",
            "Also nominated for best picture are The Long Table, Paper Moons, Ninth Street "
            "and The Quiet Engine. The Long Table follows with seven nominations and Paper "
            "Moons with six.",
            "Best actor nominees are David Cole, Samir Haddad, Peter Lindqvist, Owen Marsh "
            "and Kenji Sato.",
            "The ceremony takes place on 10 March and will be broadcast live.",
        ),
        winners_title="The Long Table wins best picture in an upset",
        winners_published="2024-03-11T01:15:00-05:00",
        winners=(
            "The Long Table won best picture at the film academy awards on Sunday night, "
            "beating the favourite Coastline, which had led the nominations with nine.",
            "Coastline still won three awards, including best director for Ana Ruiz. Joan "
            "Mercer was named best actress, and Samir Haddad took best actor.",
            "The other best picture nominees were Paper Moons, Ninth Street and The Quiet "
            "Engine; Paper Moons won for its score and its sound.",
            "The host opened the ceremony with a song about the length of the speeches, and "
            "the evening ended nearly an hour late.",
        ),
    ),
    Award(
        key="uk-literary-prize",
        lang="uk",
        outlet="Вісник ЄС",
        nominations_title="Оголошено короткий список літературної премії «Джерело»",
        nominations_published="2024-04-16T11:00:00+03:00",
        nominations=(
            "Журі літературної премії «Джерело» оголосило короткий список цього року: до "
            "нього увійшли п'ять романів із сорока трьох, поданих видавництвами.",
            "У списку — «Сад над річкою» Оксани Левчук, «Остання електричка» Андрія "
            "Марченка, «Сіль» Ірини Гнатюк, «Дім на пагорбі» Богдана Кравця та «Вітер зі "
            "степу» Марії Сидоренко.",
            "Голова журі зазначила, що більшість книжок цього року розповідають про "
            "родинну пам'ять і втрату дому.",
            "Переможця оголосять у червні, він отримає сто тисяч гривень.",
        ),
        winners_title="Премію «Джерело» отримала Ірина Гнатюк за роман «Сіль»",
        winners_published="2024-06-04T19:30:00+03:00",
        winners=(
            "Переможницею літературної премії «Джерело» стала Ірина Гнатюк з романом "
            "«Сіль» про жінку, яка повертається до зруйнованого приморського селища.",
            "Церемонія відбулася у вівторок увечері у Львові. Авторка подякувала "
            "читачам і передала частину премії на відновлення бібліотек.",
            "У фіналі також були «Сад над річкою» Оксани Левчук, «Остання електричка» "
            "Андрія Марченка, «Дім на пагорбі» Богдана Кравця та «Вітер зі степу» Марії "
            "Сидоренко.",
            "Розмір премії цього року становив сто тисяч гривень.",
        ),
    ),
    Award(
        key="ru-music-prize",
        lang="ru",
        outlet="Северный курьер",
        nominations_title="Названы номинанты музыкальной премии «Северное сияние»",
        nominations_published="2024-02-06T13:00:00+03:00",
        nominations=(
            "Оргкомитет музыкальной премии «Северное сияние» объявил номинантов этого "
            "года. Больше всего номинаций, шесть, у группы «Полярный круг».",
            "В категории «Альбом года» соревнуются «Полярный круг», певица Анна Ветрова, "
            "дуэт «Маяк», рэпер Кир Соболев и оркестр «Ладога».",
            "Победителей выберут голосованием более двухсот музыкантов, продюсеров и критиков.",
            "Церемония вручения пройдёт в начале марта в концертном зале «Нева».",
        ),
        winners_title="«Альбомом года» на премии «Северное сияние» стала пластинка Анны Ветровой",
        winners_published="2024-03-03T23:00:00+03:00",
        winners=(
            "Главную награду премии «Северное сияние», «Альбом года», получила певица Анна "
            "Ветрова. Фаворит, группа «Полярный круг», увезла две статуэтки из шести "
            "номинаций.",
            "Церемония прошла в субботу в концертном зале «Нева» и длилась почти четыре часа.",
            "В категории «Альбом года» также были «Полярный круг», дуэт «Маяк», рэпер Кир "
            "Соболев и оркестр «Ладога».",
            "Ветрова посвятила награду своему педагогу по вокалу.",
        ),
    ),
)


# The new opening paragraph of a wire story localized for another city, by language:
# ``{city}`` and ``{outlet}`` are filled per article.
LOCAL_LEADS: dict[str, tuple[str, ...]] = {
    "en": (
        "Readers in {city} followed the news closely on the day, and local officials said "
        "they were monitoring the situation and would keep residents informed.",
        "The development was watched with particular attention in {city}, where many "
        "families have relatives affected by the events described below.",
    ),
    "uk": (
        "У {city} за цими новинами стежили особливо уважно: місцева влада повідомила, що "
        "тримає ситуацію під контролем і інформуватиме мешканців.",
        "У {city} цю подію обговорювали весь день, а міська рада скликала нараду щодо її "
        "наслідків для громади.",
    ),
    "ru": (
        "В {city} за этими новостями следили особенно внимательно: местные власти "
        "сообщили, что держат ситуацию под контролем и будут информировать жителей.",
        "В {city} это событие обсуждали весь день, а городской совет собрал совещание о "
        "его последствиях для города.",
    ),
}
LOCAL_CITIES: dict[str, tuple[str, ...]] = {
    "en": ("Lviv", "Odesa", "Manchester"),
    "uk": ("Полтаві", "Житомирі", "Ужгороді"),
    "ru": ("Казани", "Самаре", "Твери"),
}
# The paragraph an updated version of a story adds under its new URL, by language.
UPDATES: dict[str, str] = {
    "en": "This article was updated later in the day: officials confirmed the figures given "
    "above, and more reactions are expected in the coming hours.",
    "uk": "Новину оновлено пізніше того ж дня: посадовці підтвердили наведені вище дані, а "
    "нові реакції очікуються найближчими годинами.",
    "ru": "Новость обновлена позже в тот же день: официальные лица подтвердили приведённые "
    "выше данные, новые реакции ожидаются в ближайшие часы.",
}


@dataclass(frozen=True, slots=True)
class Template:
    """A report written from one template for several places or days (different stories).

    ``paragraphs`` have ``{name}`` and numbered ``{n0}``, ``{n1}``, ... slots; each of
    ``fills`` gives the name, the numbers and the publication time of one report.
    """

    key: str
    lang: str
    outlet: str
    title: str
    paragraphs: tuple[str, ...]
    fills: tuple[tuple[str, tuple[int, ...], str], ...]


TEMPLATES: tuple[Template, ...] = (
    Template(
        key="en-weather",
        lang="en",
        outlet="Metro Daily",
        title="Weather in {name}: highs of {n0} degrees expected",
        paragraphs=(
            "Forecasters expect a dry and mostly sunny day in {name}, with temperatures "
            "rising to {n0} degrees in the afternoon and falling to {n1} degrees at night.",
            "A light wind from the north-west will reach {n2} kilometres per hour near the "
            "coast, and the chance of rain stays below {n3} percent until the weekend.",
            "The pollen count is high, and people with allergies are advised to keep windows "
            "closed in the morning.",
        ),
        fills=(
            ("Odesa", (27, 18, 15, 10), "2024-07-02T06:00:00+03:00"),
            ("Lviv", (22, 13, 20, 30), "2024-07-02T06:05:00+03:00"),
            ("Kharkiv", (29, 17, 12, 5), "2024-07-03T06:00:00+03:00"),
        ),
    ),
    Template(
        key="uk-zhnyva",
        lang="uk",
        outlet="Полтавський кур'єр",
        title="На {name} завершили жнива пшениці: {n0} центнерів з гектара",
        paragraphs=(
            "Аграрії області завершили збирання пшениці, повідомив департамент "
            "агропромислового розвитку: на {name} намолотили {n1} тисяч тонн зерна.",
            "Середня врожайність становить {n0} центнерів з гектара, що на {n2} відсотків "
            "більше, ніж торік.",
            "Ціни на зерно на елеваторах за тиждень зросли на {n3} відсотки.",
        ),
        fills=(
            ("Полтавщині", (52, 910, 6, 3), "2024-08-05T10:00:00+03:00"),
            ("Вінниччині", (47, 1040, 4, 2), "2024-08-06T10:00:00+03:00"),
            ("Черкащині", (55, 760, 9, 4), "2024-08-07T10:00:00+03:00"),
        ),
    ),
    Template(
        key="ru-kursy",
        lang="ru",
        outlet="Волжская газета",
        title="Курс валют на {name}: доллар стоит {n0} рубля",
        paragraphs=(
            "Официальный курс доллара на {name} установлен на уровне {n0} рубля {n1} "
            "копеек, евро — {n2} рубля.",
            "На бирже к середине дня доллар подешевел на {n3} копеек, а объём торгов "
            "составил {n4} миллиардов рублей.",
            "Аналитики ожидают, что до конца недели курс останется в прежнем коридоре.",
        ),
        fills=(
            ("вторник", (92, 40, 99, 35, 41), "2024-09-03T12:00:00+03:00"),
            ("среду", (91, 15, 98, 20, 37), "2024-09-04T12:00:00+03:00"),
            ("четверг", (90, 75, 97, 45, 44), "2024-09-05T12:00:00+03:00"),
        ),
    ),
)
