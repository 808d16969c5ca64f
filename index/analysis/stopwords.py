"""Short curated stopword lists per language; data only.

Function words (articles, prepositions, conjunctions, pronouns, auxiliaries, quantifiers)
and nothing else. Adding the second English block (such/some/more/most/between/...) moved
nDCG@10 from 0.389/0.689/0.414 to 0.389/0.696/0.427 on cran/med/cisi (same lists for
documents and questions; the question-only variant was worse: 0.387/0.687/0.425).
Long generic lists (NLTK's 179 English words, stopwords-iso's 1,000+ Russian ones) drop
words that carry news: "said", "new", "state", "war", "government", "first", "year".
Those stay searchable; BM25's idf already discounts the common ones.

``QUESTION_WORDS`` are removed from questions only. A question's interrogatives and speech
verbs ("what did Stoltenberg *say*") ask for a quote; nearly every news passage quotes
someone, so these words carry no topic and would only pull in passages quoting someone else.
In documents "said" stays a term (it is news vocabulary and costs nothing at low idf).
Keeping the speech verbs in questions changed nothing on our QA set (answer@1 0.810 both
ways), so the list follows the reasoning above. The interrogatives are listed in all their
case forms ("какова", "каких", "чей", "якої"): a form left out weighs as a rare word in the
answer gate (``index.answer.evidence``), and on XQuAD-ru such forms were a large share of the
weight of questions answered "nothing found" (docs/quality.md).
Entries are normalised surfaces (casefolded, ё → е, apostrophes as ').
"""

from __future__ import annotations

from index.models import Lang

EN: tuple[str, ...] = (
    "a", "an", "the", "and", "or", "but", "nor", "if", "then", "than", "so", "as", "of",
    "at", "by", "for", "from", "in", "into", "on", "onto", "to", "with", "within", "without",
    "about", "over", "under", "up", "down", "out", "off", "via", "per", "upon",
    "is", "am", "are", "was", "were", "be", "been", "being", "do", "does", "did", "doing",
    "have", "has", "had", "having", "will", "would", "shall", "should", "can", "could",
    "may", "might", "must",
    "i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours", "he", "him",
    "his", "she", "her", "hers", "it", "its", "they", "them", "their", "theirs",
    "this", "that", "these", "those", "there", "here", "which", "who", "whom", "whose",
    "what", "when", "where", "why", "how", "not", "no", "also", "just", "very", "too",
    "s", "t", "'s", "don't", "doesn't", "didn't", "it's", "that's",
    "such", "some", "any", "all", "each", "other", "more", "most", "only", "own", "same",
    "few", "both", "between", "through", "during", "before", "after", "above", "below",
    "again", "further", "once", "because", "until", "while", "against", "itself",
    "themselves", "yourself", "so", "now", "well", "however", "whether", "either", "neither",
    "yet", "since", "among", "along", "across", "behind", "beyond", "toward", "towards",
    "etc", "like", "many", "much", "every", "another", "whereby", "thereby", "therein",
    "hence", "thus", "ie", "eg",
)  # fmt: skip

UK: tuple[str, ...] = (
    "і", "й", "та", "а", "але", "або", "чи", "ні", "не", "що", "як", "це", "цей", "ця", "ці",
    "той", "та", "ті", "те", "в", "у", "на", "з", "із", "зі", "до", "від", "для", "по", "про",
    "при", "під", "над", "за", "між", "через", "без", "біля", "після", "перед", "щодо",
    "я", "ми", "ти", "ви", "він", "вона", "воно", "вони", "його", "її", "їх", "їм", "йому",
    "ним", "нею", "ними", "них", "мене", "мені", "нас", "нам", "вас", "вам", "себе", "собі",
    "мій", "моя", "наш", "наша", "ваш", "свій", "своя", "свої", "свого", "своїх",
    "є", "був", "була", "було", "були", "бути", "буде", "будуть", "би", "б", "ж", "же",
    "вже", "ще", "теж", "також", "лише", "тільки", "так", "де", "коли", "хто", "чому",
    "який", "яка", "яке", "які", "якого", "якої", "яких", "котрий", "тому", "бо", "якщо",
    "такий", "така", "таке", "такі", "весь", "вся", "все", "всі", "всіх", "кожен", "інший",
    "інші", "більш", "дуже", "тут", "там", "тоді", "адже", "проте", "однак", "поки",
    "може", "можуть", "мав", "мали", "має", "мають", "словами",
)  # fmt: skip

RU: tuple[str, ...] = (
    "и", "а", "но", "или", "ни", "не", "что", "чтобы", "как", "это", "этот", "эта", "эти",
    "тот", "та", "те", "то", "в", "во", "на", "с", "со", "к", "ко", "от", "до", "для", "по",
    "о", "об", "обо", "при", "под", "над", "за", "между", "через", "без", "после", "перед",
    "у", "из", "я", "мы", "ты", "вы", "он", "она", "оно", "они", "его", "ее", "их", "им",
    "ему", "ей", "ним", "ней", "ними", "них", "меня", "мне", "нас", "нам", "вас", "вам",
    "себя", "себе", "мой", "моя", "наш", "наша", "ваш", "свой", "своя", "свои", "своего",
    "есть", "был", "была", "было", "были", "быть", "будет", "будут", "бы", "б", "ж", "же",
    "уже", "еще", "тоже", "также", "лишь", "только", "так", "где", "когда", "кто", "почему",
    "который", "которая", "которое", "которые", "которого", "которой", "которых", "потому",
    "ли", "если", "такой", "такая", "такое", "такие", "весь", "вся", "все", "всех", "каждый",
    "другой", "другие", "более", "очень", "здесь", "там", "тогда", "ведь", "однако", "пока",
    "может", "могут", "должен", "должна", "должны", "словам",
)  # fmt: skip

#: Removed from questions only (see the module docstring).
QUESTION_WORDS: dict[Lang, frozenset[str]] = {
    "en": frozenset(
        (
            "what", "who", "whom", "when", "where", "why", "how", "which", "did", "does",
            "do", "say", "says", "said", "tell", "told", "happen", "happened", "please",
            "know", "anything", "something", "much", "whose",
        )
    ),
    "uk": frozenset(
        (
            "що", "хто", "коли", "де", "чому", "як", "який", "яка", "які", "сказав",
            "сказала", "сказали", "казав", "заявив", "заявила", "говорив", "сталося",
            "відбулося", "розкажи", "скажи", "скільки", "куди", "звідки", "якій", "яким",
            "якому", "якою", "якими", "яке", "якого", "якої", "яких", "чий", "чия", "чиє",
            "чиї", "чийого", "чиєї", "чого", "кому", "ким", "чим", "навіщо", "наскільки",
            "кого", "чию", "чиїм", "чиїх", "чиєму", "скількох", "скільком", "скількома",
        )
    ),
    "ru": frozenset(
        (
            "что", "кто", "когда", "где", "почему", "как", "какой", "какая", "какие",
            "сказал", "сказала", "сказали", "говорил", "заявил", "заявила", "произошло",
            "случилось", "расскажи", "скажи", "сколько", "куда", "откуда", "каком", "какую",
            "каким", "какого", "какое", "какому", "какою", "какими", "каких", "какова",
            "каков", "каково", "каковы", "чей", "чья", "чье", "чьи", "чьего", "чьей", "чего",
            "кому", "кем", "чем", "зачем", "насколько", "скольких", "кого", "ком", "чему",
            "чью", "чьим", "чьих", "чьему", "чьими", "скольким", "сколькими",
        )
    ),
}  # fmt: skip

STOPWORDS: dict[Lang, frozenset[str]] = {
    "en": frozenset(EN),
    "uk": frozenset(UK),
    "ru": frozenset(RU),
}


def is_stopword(token: str, lang: Lang) -> bool:
    """Whether a normalised token is a function word of ``lang``."""
    return token in STOPWORDS[lang]
