"""Fixed user-facing texts in English, Ukrainian and Russian, looked up by key.

Texts are Telegram HTML templates: placeholders are filled with values that the caller has
already escaped (``render.escape``), so a text never mixes markup with raw user input.
The user's Telegram ``language_code`` picks the language; anything else gets English.

A number next to a noun takes the noun's plural form for that number ("1 article", "22
статті", "25 статей"): ``counted`` picks it from ``NOUNS`` by the CLDR plural rules, so
templates hold a ``{placeholder}`` for the whole "number + noun" and never a fixed form.
Label-style texts ("Articles: 12", "Статей: 12") need no agreement and keep a bare number.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from index import LANGS, Lang

PluralCategory = Literal["one", "few", "many", "other"]

TEXTS: dict[str, dict[Lang, str]] = {
    "start": {
        "en": (
            "Hi! I answer questions about a news archive of <b>{count}</b> {article_noun} "
            "({first} – {last}) with cited snippets.\n\nTry:\n{examples}\n\n"
            "Just send me a question. /help explains more."
        ),
        "uk": (
            "Привіт! Я відповідаю на запитання про архів новин: <b>{count}</b> {article_noun} "
            "({first} – {last}), з цитатами й посиланнями.\n\nСпробуйте:\n{examples}\n\n"
            "Просто надішліть запитання. Докладніше: /help."
        ),
        "ru": (
            "Привет! Я отвечаю на вопросы об архиве новостей: <b>{count}</b> {article_noun} "
            "({first} – {last}), с цитатами и ссылками.\n\nПопробуйте:\n{examples}\n\n"
            "Просто пришлите вопрос. Подробнее: /help."
        ),
    },
    "start_empty": {
        "en": "Hi! My news archive is still empty. Admins can add articles with /ingest.",
        "uk": "Привіт! Мій архів новин поки порожній. Адміністратори додають статті: /ingest.",
        "ru": "Привет! Мой архив новостей пока пуст. Администраторы добавляют статьи: /ingest.",
    },
    "help": {
        "en": (
            "<b>Questions.</b> Send me any question, e.g. <i>what did Stoltenberg say on 14 "
            "July</i>. I reply with the sentences that answer it, matched words in bold, and a "
            "link to each article. <b>More</b> shows further results, <b>Full article</b> the "
            "passages around a quote.\n\n"
            "<b>Filters.</b> Add them anywhere in a question: <code>from:BBC</code> or "
            '<code>from:"Kyiv Independent"</code> (outlet, a name\'s start will do), '
            "<code>since:2024-06-01</code> and <code>until:2024-06-30</code> (publication "
            "dates, inclusive), <code>lang:uk</code> (uk, ru or en), e.g. <i>Kakhovka dam "
            "from:BBC since:2024-06-01</i>.\n\n"
            "<b>Groups.</b> Use /ask question, mention me, or reply "
            "to one of my messages.\n\n<b>Inline.</b> Type @{username} and a question in any "
            "chat to pick a cited snippet; an empty query lists the latest articles.\n\n"
            "<b>Follow a topic.</b> /follow question sends new articles that answer it here "
            "(in groups: admins); /following lists the topics, /unfollow ID stops one."
        ),
        "uk": (
            "<b>Запитання.</b> Надішліть будь-яке запитання, напр. <i>що сказав Столтенберг 14 "
            "липня</i>. Я відповім реченнями з відповіддю, збіги виділю жирним і додам посилання "
            "на кожну статтю. <b>Ще</b> показує наступні результати, <b>Уся стаття</b> — "
            "уривки навколо цитати.\n\n"
            "<b>Фільтри.</b> Додайте їх будь-де в запитанні: <code>from:BBC</code> або "
            '<code>from:"Kyiv Independent"</code> (видання, досить початку назви), '
            "<code>since:2024-06-01</code> і <code>until:2024-06-30</code> (дати публікації "
            "включно), <code>lang:uk</code> (uk, ru або en), напр. <i>Каховська ГЕС "
            "from:BBC since:2024-06-01</i>.\n\n"
            "<b>Групи.</b> Пишіть /ask запитання, згадайте мене або "
            "дайте відповідь на моє повідомлення.\n\n<b>Inline.</b> Наберіть @{username} і "
            "запитання в будь-якому чаті; порожній запит показує останні статті.\n\n"
            "<b>Стежити за темою.</b> /follow запитання — нові статті, що відповідають на "
            "нього, надходитимуть сюди (у групах — для адміністраторів); /following — список "
            "тем, /unfollow НОМЕР — припинити."
        ),
        "ru": (
            "<b>Вопросы.</b> Пришлите любой вопрос, напр. <i>что сказал Столтенберг 14 июля</i>. "
            "Я отвечу предложениями с ответом, совпадения выделю жирным и дам ссылку на каждую "
            "статью. <b>Ещё</b> показывает следующие результаты, <b>Вся статья</b> — фрагменты "
            "вокруг цитаты.\n\n"
            "<b>Фильтры.</b> Добавьте их в любом месте вопроса: <code>from:BBC</code> или "
            '<code>from:"Kyiv Independent"</code> (издание, хватит начала названия), '
            "<code>since:2024-06-01</code> и <code>until:2024-06-30</code> (даты публикации "
            "включительно), <code>lang:uk</code> (uk, ru или en), напр. <i>Каховская ГЭС "
            "from:BBC since:2024-06-01</i>.\n\n"
            "<b>Группы.</b> Пишите /ask вопрос, упомяните меня или ответьте на "
            "моё сообщение.\n\n<b>Inline.</b> Наберите @{username} и вопрос в любом чате; пустой "
            "запрос показывает последние статьи.\n\n<b>Следить за темой.</b> /follow вопрос — "
            "новые статьи, которые на него отвечают, будут приходить сюда (в группах — для "
            "администраторов); /following — список тем, /unfollow НОМЕР — прекратить."
        ),
    },
    "help_admin": {
        "en": (
            "<b>Admin.</b> /ingest URL… adds pages; send a document (HTML, TXT, JSON, JSONL, "
            ".gz) to ingest it; /reindex rebuilds the index; /stats; /delete ARTICLE_ID."
        ),
        "uk": (
            "<b>Адміністрування.</b> /ingest URL… додає сторінки; надішліть документ (HTML, "
            "TXT, JSON, JSONL, .gz), щоб додати його; /reindex перебудовує індекс; /stats; "
            "/delete ID_СТАТТІ."
        ),
        "ru": (
            "<b>Администрирование.</b> /ingest URL… добавляет страницы; пришлите документ "
            "(HTML, TXT, JSON, JSONL, .gz), чтобы добавить его; /reindex перестраивает индекс; "
            "/stats; /delete ID_СТАТЬИ."
        ),
    },
    "nothing_found": {
        "en": (
            "Nothing found for “{question}”. Try rephrasing, with other words or names. "
            "The archive covers {first} – {last}."
        ),
        "uk": (
            "Нічого не знайдено за запитом «{question}». Спробуйте переформулювати, іншими "
            "словами чи іменами. Архів охоплює {first} – {last}."
        ),
        "ru": (
            "Ничего не найдено по запросу «{question}». Попробуйте переформулировать, другими "
            "словами или именами. Архив охватывает {first} – {last}."
        ),
    },
    "nearest": {
        "en": "Closest titles:",
        "uk": "Найближчі заголовки:",
        "ru": "Ближайшие заголовки:",
    },
    "no_dates": {"en": "no dates yet", "uk": "дат поки немає", "ru": "дат пока нет"},
    "more_button": {"en": "More ▸", "uk": "Ще ▸", "ru": "Ещё ▸"},
    "full_button": {"en": "Full article {n}", "uk": "Уся стаття {n}", "ru": "Вся статья {n}"},
    "no_more": {
        "en": "No more results.",
        "uk": "Більше результатів немає.",
        "ru": "Больше результатов нет.",
    },
    "stale": {
        "en": "This button has expired. Please ask again.",
        "uk": "Ця кнопка застаріла. Будь ласка, запитайте ще раз.",
        "ru": "Эта кнопка устарела. Пожалуйста, спросите ещё раз.",
    },
    "article_gone": {
        "en": "That article is no longer in the archive.",
        "uk": "Цієї статті вже немає в архіві.",
        "ru": "Этой статьи уже нет в архиве.",
    },
    "flood": {
        "en": "You're asking faster than I can read 🙂 Please wait a few seconds.",
        "uk": "Ви питаєте швидше, ніж я встигаю читати 🙂 Зачекайте кілька секунд.",
        "ru": "Вы спрашиваете быстрее, чем я успеваю читать 🙂 Подождите несколько секунд.",
    },
    "store_unavailable": {
        "en": "The archive is briefly unavailable. Please try again in a minute.",
        "uk": "Архів ненадовго недоступний. Спробуйте ще раз за хвилину.",
        "ru": "Архив ненадолго недоступен. Попробуйте ещё раз через минуту.",
    },
    "error": {
        "en": "Sorry, something went wrong on my side. Please try again later.",
        "uk": "Вибачте, у мене щось пішло не так. Спробуйте пізніше.",
        "ru": "Извините, у меня что-то пошло не так. Попробуйте позже.",
    },
    "worker_crashed": {
        "en": "Sorry, my answering process stopped while working on your question. "
        "It has been restarted: please ask again.",
        "uk": "Вибачте, процес, що готував відповідь, зупинився на вашому запитанні. "
        "Його перезапущено: спитайте ще раз.",
        "ru": "Извините, процесс, готовивший ответ, остановился на вашем вопросе. "
        "Он перезапущен: спросите ещё раз.",
    },
    "answer_timeout": {
        "en": "Sorry, answering your question was taking too long, so I stopped. "
        "Please ask again, perhaps in other words.",
        "uk": "Вибачте, відповідь на ваше запитання готувалася надто довго, тож її зупинено. "
        "Спитайте ще раз, можливо, іншими словами.",
        "ru": "Извините, ответ на ваш вопрос готовился слишком долго, поэтому его остановили. "
        "Спросите ещё раз, возможно, другими словами.",
    },
    "bad_request": {
        "en": "Sorry, I can't do that: {reason}",
        "uk": "Вибачте, не можу це зробити: {reason}",
        "ru": "Извините, не могу это сделать: {reason}",
    },
    "refused": {
        "en": "Sorry, this command is for the archive's admins only.",
        "uk": "Вибачте, ця команда лише для адміністраторів архіву.",
        "ru": "Извините, эта команда только для администраторов архива.",
    },
    "ask_usage": {
        "en": "Ask like this: /ask what happened on 14 July",
        "uk": "Питайте так: /ask що сталося 14 липня",
        "ru": "Спрашивайте так: /ask что случилось 14 июля",
    },
    "quotes_usage": {
        "en": "Ask like this: /quotes Stoltenberg about air defence",
        "uk": "Питайте так: /quotes Столтенберг про ППО",
        "ru": "Спрашивайте так: /quotes Столтенберг о ПВО",
    },
    "ingest_usage": {
        "en": "Usage: /ingest URL [URL…] (http or https)",
        "uk": "Використання: /ingest URL [URL…] (http або https)",
        "ru": "Использование: /ingest URL [URL…] (http или https)",
    },
    "ingest_working": {
        "en": "Ingesting {items}…",
        "uk": "Додаю {items}…",
        "ru": "Добавляю {items}…",
    },
    "ingest_summary": {
        "en": "Ingest done: {new} new, {updated} updated, {unchanged} unchanged, {failed} failed.",
        "uk": "Готово: нових {new}, оновлено {updated}, без змін {unchanged}, помилок {failed}.",
        "ru": "Готово: новых {new}, обновлено {updated}, без изменений {unchanged}, "
        "ошибок {failed}.",
    },
    # Plain text (no markup): the ingest reply escapes these whole, item names included.
    "ingest_warning": {
        "en": "Warning, {item}: {reason}",
        "uk": "Увага, {item}: {reason}",
        "ru": "Внимание, {item}: {reason}",
    },
    "ingest_stopped": {
        "en": "The ingest stopped early: {reason}. Stored: {stored}. Not stored: {failed} "
        "failed, {not_read} not read. Free some space, then send the same again.",
        "uk": "Додавання зупинилося раніше: {reason}. Збережено: {stored}. Не збережено: "
        "помилок {failed}, не прочитано {not_read}. Звільніть місце й надішліть те саме ще раз.",
        "ru": "Добавление остановилось досрочно: {reason}. Сохранено: {stored}. Не сохранено: "
        "ошибок {failed}, не прочитано {not_read}. Освободите место и отправьте то же ещё раз.",
    },
    "ingest_not_read": {
        "en": "Not read:",
        "uk": "Не прочитано:",
        "ru": "Не прочитано:",
    },
    "index_pending": {
        "en": "The articles are stored but not searchable yet ({reason}). Run /reindex.",
        "uk": "Статті збережено, але шукати їх ще не можна ({reason}). Запустіть /reindex.",
        "ru": "Статьи сохранены, но искать их пока нельзя ({reason}). Запустите /reindex.",
    },
    "upload_too_big": {
        "en": "“{name}” is too large: {size}, the limit is {limit} ({setting}). "
        "It was not ingested.",
        "uk": "«{name}» завеликий: {size}, обмеження {limit} ({setting}). Його не додано.",
        "ru": "«{name}» слишком большой: {size}, ограничение {limit} ({setting}). Он не добавлен.",
    },
    "upload_over_cap": {
        "en": "“{name}” is larger than the limit of {limit} ({setting}): the download was "
        "stopped there and nothing was ingested.",
        "uk": "«{name}» більший за обмеження {limit} ({setting}): завантаження зупинено, "
        "нічого не додано.",
        "ru": "«{name}» больше ограничения {limit} ({setting}): загрузка остановлена, "
        "ничего не добавлено.",
    },
    "upload_failed": {
        "en": "Could not download “{name}”: {reason}. Please send it again.",
        "uk": "Не вдалося завантажити «{name}»: {reason}. Надішліть його ще раз.",
        "ru": "Не удалось скачать «{name}»: {reason}. Отправьте его ещё раз.",
    },
    "upload_bad_type": {
        "en": "I can ingest HTML, TXT, JSON, JSONL and .gz files, not “{name}”.",
        "uk": "Я приймаю файли HTML, TXT, JSON, JSONL і .gz, а не «{name}».",
        "ru": "Я принимаю файлы HTML, TXT, JSON, JSONL и .gz, а не «{name}».",
    },
    "reindex_started": {
        "en": "Reindexing: starting…",
        "uk": "Переіндексація: починаю…",
        "ru": "Переиндексация: начинаю…",
    },
    "reindex_progress": {
        "en": "Reindexing: {stage} {percent} · {rate}/s · ETA {eta}",
        "uk": "Переіндексація: {stage} {percent} · {rate}/с · залишилось {eta}",
        "ru": "Переиндексация: {stage} {percent} · {rate}/с · осталось {eta}",
    },
    "reindex_done": {
        "en": "Reindex done: {passages}, {terms} in {seconds} s ({size} MB).",
        "uk": "Переіндексацію завершено: {passages}, {terms} за {seconds} с ({size} МБ).",
        "ru": "Переиндексация завершена: {passages}, {terms} за {seconds} с ({size} МБ).",
    },
    "reindex_busy": {
        "en": "A reindex is already running.",
        "uk": "Переіндексація вже триває.",
        "ru": "Переиндексация уже идёт.",
    },
    "stats": {
        "en": (
            "<b>Archive</b>\nArticles: {articles}\nPassages: {passages} (indexed {indexed})\n"
            "Dates: {first} – {last}\nLanguages: {languages}\nSources: {sources}\n"
            "On disk: store {store_mb} MB, index {index_mb} MB"
        ),
        "uk": (
            "<b>Архів</b>\nСтатей: {articles}\nУривків: {passages} (в індексі {indexed})\n"
            "Дати: {first} – {last}\nМови: {languages}\nДжерела: {sources}\n"
            "На диску: сховище {store_mb} МБ, індекс {index_mb} МБ"
        ),
        "ru": (
            "<b>Архив</b>\nСтатей: {articles}\nФрагментов: {passages} (в индексе {indexed})\n"
            "Даты: {first} – {last}\nЯзыки: {languages}\nИсточники: {sources}\n"
            "На диске: хранилище {store_mb} МБ, индекс {index_mb} МБ"
        ),
    },
    "delete_usage": {
        "en": "Usage: /delete ARTICLE_ID (a number, see /stats or the CLI's list)",
        "uk": "Використання: /delete ID_СТАТТІ (число)",
        "ru": "Использование: /delete ID_СТАТЬИ (число)",
    },
    "deleted": {
        "en": "Deleted article #{article_id}: {title}",
        "uk": "Статтю #{article_id} видалено: {title}",
        "ru": "Статья #{article_id} удалена: {title}",
    },
    "untitled": {"en": "Untitled", "uk": "Без назви", "ru": "Без названия"},
    # A statement answer's citation line: "X, 14 July 2024 · reported in: Title · …" (issue 14).
    "reported_in": {"en": "reported in:", "uk": "за повідомленням:", "ru": "по сообщению:"},
    # Telegram channels and the stats chart (issue 13, bot/handlers/channels.py, admin.py).
    "help_channels": {
        "en": (
            "<b>Channels.</b> /addsource @channel allows a channel: make me its admin and its "
            "posts (and their edits) are added as articles. Forward me a channel post, or send "
            "just a link, to add that one. /stats also sends a chart of articles per day."
        ),
        "uk": (
            "<b>Канали.</b> /addsource @channel дозволяє канал: зробіть мене його адміном, і "
            "дописи (та їх редагування) стануть статтями. Перешліть мені допис каналу або "
            "надішліть лише посилання, щоб додати його. /stats також надсилає графік статей "
            "за днями."
        ),
        "ru": (
            "<b>Каналы.</b> /addsource @channel разрешает канал: сделайте меня его админом, и "
            "посты (и их правки) станут статьями. Перешлите мне пост канала или пришлите "
            "только ссылку, чтобы добавить его. /stats также присылает график статей по дням."
        ),
    },
    "channel_added": {
        "en": "Allowed channel {name} ({url}). Make the bot an admin there to receive its posts.",
        "uk": "Канал {name} ({url}) дозволено. Зробіть бота адміном каналу, щоб бачити дописи.",
        "ru": "Канал {name} ({url}) разрешён. Сделайте бота админом канала, чтобы получать посты.",
    },
    "forward_refused": {
        "en": "Sorry, only the archive's admins can add forwarded channel posts.",
        "uk": "Вибачте, пересланий допис каналу до архіву можуть додати лише адміністратори.",
        "ru": "Извините, пересланный пост канала в архив могут добавить только администраторы.",
    },
    "stats_chart": {
        "en": "Articles per day by outlet, {first} – {last}",
        "uk": "Статті за днями й виданнями, {first} – {last}",
        "ru": "Статьи по дням и изданиям, {first} – {last}",
    },
    "stats_no_chart": {
        "en": "No chart: the archive has no dated articles yet.",
        "uk": "Графіка немає: в архіві ще немає статей з датами.",
        "ru": "Графика нет: в архиве ещё нет статей с датами.",
    },
    # The heading of the story's members under a Full article (bot/render.py).
    "story_members": {
        "en": "The same story in the archive (original first):",
        "uk": "Та сама новина в архіві (спершу оригінал):",
        "ru": "Та же новость в архиве (сначала оригинал):",
    },
    # News sources (issue 6, bot/handlers/sources.py). Plain text, no markup: the handler
    # fills them with raw values and escapes the result as a whole.
    "addsource_usage": {
        "en": (
            "Usage: /addsource URL [NAME] (an RSS/Atom feed or a news sitemap) "
            "or /addsource @channel"
        ),
        "uk": (
            "Використання: /addsource URL [НАЗВА] (стрічка RSS/Atom або news sitemap) "
            "або /addsource @канал"
        ),
        "ru": (
            "Использование: /addsource URL [ИМЯ] (лента RSS/Atom или news sitemap) "
            "или /addsource @канал"
        ),
    },
    "removesource_usage": {
        "en": "Usage: /removesource NAME (see /sources)",
        "uk": "Використання: /removesource НАЗВА (див. /sources)",
        "ru": "Использование: /removesource ИМЯ (см. /sources)",
    },
    "source_added": {
        "en": "Added source {name}: {url}. Polled every {minutes} min; the first poll is due now.",
        "uk": "Джерело {name} додано: {url}. Опитування кожні {minutes} хв; перше — вже зараз.",
        "ru": "Источник {name} добавлен: {url}. Опрос каждые {minutes} мин; первый — уже сейчас.",
    },
    "source_removed": {
        "en": "Removed source {name}. Its articles stay in the archive.",
        "uk": "Джерело {name} видалено. Його статті лишаються в архіві.",
        "ru": "Источник {name} удалён. Его статьи остаются в архиве.",
    },
    "sources_none": {
        "en": "No sources yet. Add one with /addsource URL",
        "uk": "Джерел ще немає. Додайте: /addsource URL",
        "ru": "Источников пока нет. Добавьте: /addsource URL",
    },
    "sources_header": {
        "en": "Sources: {count}",
        "uk": "Джерел: {count}",
        "ru": "Источников: {count}",
    },
    "channel_status": {
        "en": "Telegram channel · articles: {articles} · last post: {success}",
        "uk": "Telegram-канал · статей: {articles} · останній допис: {success}",
        "ru": "Telegram-канал · статей: {articles} · последний пост: {success}",
    },
    "source_status": {
        "en": "every {minutes} min · articles: {articles} · last success: {success} · "
        "next poll: {next}",
        "uk": "кожні {minutes} хв · статей: {articles} · останній успіх: {success} · "
        "наступне опитування: {next}",
        "ru": "каждые {minutes} мин · статей: {articles} · последний успех: {success} · "
        "следующий опрос: {next}",
    },
    "source_failing": {
        "en": "failing ({failures}×): {error}",
        "uk": "збій ({failures}×): {error}",
        "ru": "сбой ({failures}×): {error}",
    },
    "never": {"en": "never", "uk": "ніколи", "ru": "никогда"},
    "poll_started": {
        "en": "Polling {sources}…",
        "uk": "Опитую {sources}…",
        "ru": "Опрашиваю {sources}…",
    },
    "poll_done": {
        "en": "Poll done: {sources}, {failed_sources} failing; "
        "articles: {new} new, {updated} updated, {failed} failed.",
        "uk": "Опитування завершено: {sources}, зі збоєм {failed_sources}; "
        "статті: нових {new}, оновлено {updated}, помилок {failed}.",
        "ru": "Опрос завершён: {sources}, со сбоем {failed_sources}; "
        "статьи: новых {new}, обновлено {updated}, ошибок {failed}.",
    },
    # Followed topics (bot/handlers/follow.py, bot/alerts.py).
    "follow_usage": {
        "en": (
            "Send /follow and a question or keywords, e.g. <code>/follow grain exports from "
            "Odesa</code>. I will send new articles that answer it here. "
            "<code>/follow daily 8 QUESTION</code> sends one digest a day at 08:00 UTC instead. "
            "Filter words work as in questions: <code>/follow grain exports from:Reuters "
            "lang:en</code>."
        ),
        "uk": (
            "Надішліть /follow і запитання чи ключові слова, напр. <code>/follow експорт зерна "
            "з Одеси</code>. Я надсилатиму сюди нові статті, що відповідають на нього. "
            "<code>/follow daily 8 ЗАПИТАННЯ</code> — один дайджест на день о 08:00 UTC. "
            "Фільтри — як у запитаннях: <code>/follow експорт зерна from:Reuters lang:uk</code>."
        ),
        "ru": (
            "Пришлите /follow и вопрос или ключевые слова, напр. <code>/follow экспорт зерна "
            "из Одессы</code>. Я буду присылать сюда новые статьи, которые на него отвечают. "
            "<code>/follow daily 8 ВОПРОС</code> — один дайджест в день в 08:00 UTC. "
            "Фильтры — как в вопросах: <code>/follow экспорт зерна from:Reuters lang:ru</code>."
        ),
    },
    "follow_done": {
        "en": (
            "Following #{id}: <b>{topic}</b>. New articles that answer it come here. "
            "/following lists the topics, /unfollow {id} stops this one."
        ),
        "uk": (
            "Стежу за #{id}: <b>{topic}</b>. Нові статті, що відповідають на це, надходитимуть "
            "сюди. /following — список тем, /unfollow {id} — припинити."
        ),
        "ru": (
            "Слежу за #{id}: <b>{topic}</b>. Новые статьи, которые на это отвечают, будут "
            "приходить сюда. /following — список тем, /unfollow {id} — прекратить."
        ),
    },
    "follow_done_daily": {
        "en": (
            "Following #{id}: <b>{topic}</b>, one digest a day at {hour}:00 UTC. "
            "/following lists the topics, /unfollow {id} stops this one."
        ),
        "uk": (
            "Стежу за #{id}: <b>{topic}</b>, один дайджест на день о {hour}:00 UTC. "
            "/following — список тем, /unfollow {id} — припинити."
        ),
        "ru": (
            "Слежу за #{id}: <b>{topic}</b>, один дайджест в день в {hour}:00 UTC. "
            "/following — список тем, /unfollow {id} — прекратить."
        ),
    },
    "topic_empty": {
        "en": "The topic is empty. Send /follow and a question or keywords.",
        "uk": "Тема порожня. Надішліть /follow і запитання чи ключові слова.",
        "ru": "Тема пустая. Пришлите /follow и вопрос или ключевые слова.",
    },
    "topic_no_terms": {
        "en": (
            "The topic has no words I can search for (only stopwords or symbols). "
            "Name what you want to follow, e.g. a person, a place or an event."
        ),
        "uk": (
            "У темі немає слів, за якими я можу шукати (лише службові слова чи символи). "
            "Назвіть, за чим стежити: людину, місце чи подію."
        ),
        "ru": (
            "В теме нет слов, по которым я могу искать (только служебные слова или символы). "
            "Назовите, за чем следить: человека, место или событие."
        ),
    },
    "topic_too_long": {
        "en": "The topic is {length} characters long; the limit is {limit}. Please shorten it.",
        "uk": "Тема завдовжки {length} символів, а межа — {limit}. Скоротіть її, будь ласка.",
        "ru": "Тема длиной {length} символов, а предел — {limit}. Сократите её, пожалуйста.",
    },
    "topic_too_many": {
        "en": "This chat already follows {limit} topics, the limit. /unfollow one first.",
        "uk": "Цей чат уже стежить за {limit} темами — це межа. Спершу зробіть /unfollow.",
        "ru": "Этот чат уже следит за {limit} темами — это предел. Сначала сделайте /unfollow.",
    },
    "topic_unknown": {
        "en": "This chat follows no topic #{id}. /following lists the ids.",
        "uk": "Цей чат не стежить за темою #{id}. Номери тем — у /following.",
        "ru": "Этот чат не следит за темой #{id}. Номера тем — в /following.",
    },
    "follow_admins_only": {
        "en": "In a group, only its admins can follow and unfollow topics.",
        "uk": "У групі стежити за темами й скасовувати їх можуть лише її адміністратори.",
        "ru": "В группе следить за темами и отменять их могут только её администраторы.",
    },
    "following_none": {
        "en": "This chat follows no topics. Add one with /follow QUESTION.",
        "uk": "Цей чат не стежить за жодною темою. Додайте: /follow ЗАПИТАННЯ.",
        "ru": "Этот чат не следит ни за одной темой. Добавьте: /follow ВОПРОС.",
    },
    "following_header": {
        "en": "Topics followed here:",
        "uk": "Теми, за якими тут стежу:",
        "ru": "Темы, за которыми здесь слежу:",
    },
    "following_line": {
        "en": "since {created} · last alert: {last}",
        "uk": "з {created} · останнє сповіщення: {last}",
        "ru": "с {created} · последнее оповещение: {last}",
    },
    "following_filters": {
        "en": "filters: {filters}",
        "uk": "фільтри: {filters}",
        "ru": "фильтры: {filters}",
    },
    "following_daily": {
        "en": "daily digest at {hour}:00 UTC",
        "uk": "щоденний дайджест о {hour}:00 UTC",
        "ru": "ежедневный дайджест в {hour}:00 UTC",
    },
    "following_paused": {
        "en": "paused: the bot could not write to this chat",
        "uk": "призупинено: бот не зміг написати в цей чат",
        "ru": "приостановлено: бот не смог написать в этот чат",
    },
    "unfollow_usage": {
        "en": "Send /unfollow and a topic id from /following, e.g. <code>/unfollow 3</code>.",
        "uk": "Надішліть /unfollow і номер теми з /following, напр. <code>/unfollow 3</code>.",
        "ru": "Пришлите /unfollow и номер темы из /following, напр. <code>/unfollow 3</code>.",
    },
    "unfollowed": {
        "en": "Unfollowed #{id}: {topic}.",
        "uk": "Більше не стежу за #{id}: {topic}.",
        "ru": "Больше не слежу за #{id}: {topic}.",
    },
    "unfollow_button": {"en": "Unfollow", "uk": "Відписатися", "ru": "Отписаться"},
    "alert_full_button": {"en": "Full article", "uk": "Уся стаття", "ru": "Вся статья"},
    "digest_head": {
        "en": "{articles} on your topic:",
        "uk": "{articles} за вашою темою:",
        "ru": "{articles} по вашей теме:",
    },
}


# Nouns that follow a number, in each CLDR plural category of the language: English uses
# "one"/"other", Ukrainian and Russian "one"/"few"/"many" (integers never fall in "other").
NOUNS: dict[str, dict[Lang, dict[PluralCategory, str]]] = {
    "article": {
        "en": {"one": "article", "other": "articles"},
        "uk": {"one": "стаття", "few": "статті", "many": "статей"},
        "ru": {"one": "статья", "few": "статьи", "many": "статей"},
    },
    "passage": {
        "en": {"one": "passage", "other": "passages"},
        "uk": {"one": "уривок", "few": "уривки", "many": "уривків"},
        "ru": {"one": "фрагмент", "few": "фрагмента", "many": "фрагментов"},
    },
    "term": {
        "en": {"one": "term", "other": "terms"},
        "uk": {"one": "термін", "few": "терміни", "many": "термінів"},
        "ru": {"one": "термин", "few": "термина", "many": "терминов"},
    },
    "source": {
        "en": {"one": "source", "other": "sources"},
        "uk": {"one": "джерело", "few": "джерела", "many": "джерел"},
        "ru": {"one": "источник", "few": "источника", "many": "источников"},
    },
    "item": {
        "en": {"one": "item", "other": "items"},
        "uk": {"one": "елемент", "few": "елементи", "many": "елементів"},
        "ru": {"one": "элемент", "few": "элемента", "many": "элементов"},
    },
}

# Digit grouping: "12,345" in English; Ukrainian and Russian group with a no-break space
# (CLDR), since a comma there is the decimal separator.
_GROUP_SEPARATOR: dict[Lang, str] = {"en": ",", "uk": "\u00a0", "ru": "\u00a0"}

_BYTE_UNITS: dict[Lang, tuple[str, str, str]] = {
    "en": ("B", "KB", "MB"),
    "uk": ("Б", "КБ", "МБ"),
    "ru": ("Б", "КБ", "МБ"),
}


# Month names as a day's date takes them: "14 July 2024", "14 липня 2024", "14 июля 2024".
_MONTH_NAMES: dict[Lang, tuple[str, ...]] = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "uk": (
        "січня", "лютого", "березня", "квітня", "травня", "червня",
        "липня", "серпня", "вересня", "жовтня", "листопада", "грудня",
    ),
    "ru": (
        "января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря",
    ),
}  # fmt: skip


def format_day(day: date, lang: Lang) -> str:
    """A statement's date in words (14 July 2024 / 14 липня 2024): the day said, not stored."""
    months = _MONTH_NAMES.get(lang, _MONTH_NAMES["en"])
    return f"{day.day} {months[day.month - 1]} {day.year}"


def plural_category(count: int, lang: Lang) -> PluralCategory:
    """The CLDR cardinal plural category of a whole number in ``lang``.

    Hand-written rather than taken from Babel (``Locale.parse(lang).plural_form``): we need
    three integer rules, and Babel would add a large dependency for them. The rules are
    CLDR's: English "one" is exactly 1; Ukrainian and Russian "one" ends in 1 but not 11
    (1, 21, 101), "few" ends in 2–4 but not 12–14 (2, 22, 104), "many" is the rest
    (0, 5–20, 25, 111).
    """
    count = abs(count)
    if lang == "en":
        return "one" if count == 1 else "other"
    last, last_two = count % 10, count % 100
    if last == 1 and last_two != 11:
        return "one"
    if 2 <= last <= 4 and not 12 <= last_two <= 14:
        return "few"
    return "many"


def noun(key: str, count: int, lang: Lang) -> str:
    """The form of noun ``key`` (see ``NOUNS``) that goes with ``count`` in ``lang``."""
    forms = NOUNS[key].get(lang) or NOUNS[key]["en"]
    category = plural_category(count, lang)
    return forms.get(category) or forms.get("other") or forms["many"]


def format_count(count: int, lang: Lang) -> str:
    """``count`` with digit groups separated the way ``lang`` writes them (12,345 / 12 345)."""
    return f"{count:,}".replace(",", _GROUP_SEPARATOR.get(lang, ","))


def format_bytes(size: int, lang: Lang) -> str:
    """A size for people, in decimal units: "850 B", "4.1 KB", "20.0 MB" ("20.0 МБ")."""
    units = _BYTE_UNITS.get(lang, _BYTE_UNITS["en"])
    if size < 1000:
        return f"{size} {units[0]}"
    if size < 1_000_000:
        return f"{size / 1e3:.1f} {units[1]}"
    return f"{size / 1e6:.1f} {units[2]}"


def counted(key: str, count: int, lang: Lang) -> str:
    """The number and the noun that agrees with it: "1 article", "22 статті", "25 статей"."""
    return f"{format_count(count, lang)} {noun(key, count, lang)}"


def lang_of(language_code: str | None) -> Lang:
    """Map a Telegram ``language_code`` ("uk", "ru-RU", "en-GB", None…) to one of our texts."""
    if language_code:
        prefix = language_code.split("-")[0].split("_")[0].lower()
        for lang in LANGS:
            if prefix == lang:
                return lang
    return "en"


def text(key: str, lang: Lang, **values: object) -> str:
    """The text ``key`` in ``lang`` with placeholders filled (values must be escaped already)."""
    template = TEXTS[key].get(lang) or TEXTS[key]["en"]
    return template.format(**values) if values else template
