"""English articles of the sample corpus: our own summaries of public events, 2022–2023/2024."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sample.sources.model import SampleArticle

KYIV_SUMMER = timezone(timedelta(hours=3))
KYIV_WINTER = timezone(timedelta(hours=2))
US_EASTERN = timezone(timedelta(hours=-5))
TURKEY = timezone(timedelta(hours=3))

ARTICLES: tuple[SampleArticle, ...] = (
    SampleArticle(
        key="en-eu-candidate",
        lang="en",
        fmt="html",
        path="html/en-2022-06-23-eu-candidate-status.html",
        url="https://example-news.test/world/2022/06/23/eu-grants-ukraine-candidate-status",
        outlet="Example News",
        author="Laura Bennett",
        published=datetime(2022, 6, 23, 21, 40, tzinfo=KYIV_SUMMER),
        title="EU leaders grant Ukraine and Moldova candidate status",
        caption="Flags outside the European Council building in Brussels.",
        tags=("European Union", "Ukraine", "Moldova", "enlargement"),
        paragraphs=(
            "European Union leaders agreed on Thursday evening to make Ukraine and Moldova "
            "official candidates for membership, less than four months after Russia launched "
            "its full-scale invasion of Ukraine.",
            "The decision was taken unanimously by the 27 heads of state and government at a "
            "European Council summit in Brussels on 23 June. European Council President Charles "
            "Michel described the agreement as a historic moment in a post on social media.",
            "Ukraine handed in its application on 28 February 2022, four days after the "
            "invasion began, and two more countries followed in early March. On 17 June the "
            "European Commission recommended candidate status for Kyiv, on the understanding "
            "that it would carry out seven reforms, among them changes to the way "
            "Constitutional Court judges are selected and a stronger fight against corruption.",
            "Georgia, which applied at the same time as Moldova, was not made a candidate. "
            "Instead the leaders recognised its European perspective and said they were ready "
            "to grant the status once a list of priorities had been addressed.",
            "President Volodymyr Zelenskyy welcomed the vote as a unique and historic moment in "
            "relations between Ukraine and the EU and wrote that Ukraine's future lies within "
            "the Union.",
            "Candidate status does not guarantee membership. Formal accession negotiations can "
            "only begin when every member state agrees that the conditions have been met, and "
            "for most countries the road from candidate to member has taken many years.",
        ),
    ),
    SampleArticle(
        key="en-vilnius",
        lang="en",
        fmt="html",
        path="html/en-2023-07-12-nato-vilnius-summit.html",
        url="https://example-news.test/world/2023/07/12/nato-vilnius-summit-ukraine",
        outlet="Example News",
        author="Mark Ellison",
        published=datetime(2023, 7, 12, 19, 5, tzinfo=KYIV_SUMMER),
        title="NATO tells Ukraine it will be invited 'when allies agree and conditions are met'",
        caption="Leaders pose for a family photo at the summit venue in Vilnius.",
        tags=("NATO", "Vilnius summit", "Ukraine", "security"),
        paragraphs=(
            "NATO leaders meeting in the Lithuanian capital said on Tuesday that Ukraine's "
            "future lies in the alliance, but they gave no timetable, stating only that an "
            "invitation would be extended when allies agree and conditions are met.",
            "The Vilnius communique also dropped the requirement for a Membership Action Plan, "
            "a step that shortens the path Ukraine will eventually have to follow from two "
            "stages to one.",
            "On his way to Lithuania, President Volodymyr Zelenskyy criticised the draft "
            "wording, calling the lack of a time frame for an invitation or for membership "
            "unprecedented and absurd.",
            "On 12 July Zelenskyy joined allied leaders at the inaugural meeting of the new "
            "NATO-Ukraine Council, a format in which Kyiv sits at the table as an equal "
            "participant rather than as a guest. Secretary General Jens Stoltenberg, whose term "
            "had been extended by another year a few days earlier, chaired the session.",
            "On the second day the G7 countries also signed a joint declaration promising "
            "Ukraine long-term security commitments, including weapons, training and "
            "intelligence sharing, and other states were invited to join it.",
            "Officials in Kyiv said they were disappointed by the absence of a date, while "
            "several Western leaders argued that the decisions in Vilnius had brought Ukraine "
            "closer to membership than ever before.",
        ),
    ),
    SampleArticle(
        key="en-washington",
        lang="en",
        fmt="html",
        path="html/en-2022-12-21-zelensky-washington.html",
        url="https://capitol-ledger.test/2022/12/21/zelensky-washington-congress-address",
        outlet="Capitol Ledger",
        author="Jennifer Hale",
        published=datetime(2022, 12, 21, 23, 30, tzinfo=US_EASTERN),
        title="Zelensky makes first foreign trip of the war, tells Congress aid is 'not charity'",
        caption="Zelensky speaks to a joint meeting of Congress in Washington.",
        tags=("Zelensky", "Congress", "White House", "military aid"),
        paragraphs=(
            "Ukrainian President Volodymyr Zelensky flew to Washington on Wednesday, making his "
            "first known journey outside his country since Russia began its full-scale "
            "invasion in February.",
            "At the White House, President Joe Biden announced a new package of military "
            "assistance worth about $1.85 billion, including a Patriot air defence battery, "
            "the most advanced system of its kind that the United States had yet agreed to "
            "send to Ukraine.",
            "In the evening Zelensky, dressed in his familiar khaki sweatshirt, spoke to a "
            "joint meeting of Congress. He told lawmakers that American money for Ukraine was "
            "not charity but an investment in global security and democracy.",
            "He handed House Speaker Nancy Pelosi a Ukrainian flag signed by soldiers fighting "
            "in Bakhmut, the eastern city that had become the scene of some of the war's "
            "fiercest fighting, and received an American flag that had flown over the "
            "Capitol that day.",
            "The visit, kept secret until the last hours for security reasons, came as "
            "Congress prepared to vote on a spending bill containing about $45 billion of "
            "further aid for Ukraine.",
            "Zelensky travelled back to Kyiv through Poland, the same way he had come.",
        ),
    ),
    SampleArticle(
        key="en-kakhovka",
        lang="en",
        fmt="dump",
        path="dumps/en-2023-06-06-kakhovka-dam.txt",
        url="https://ukrainian-pages.test/eng/news/2023/06/6/kakhovka-dam-destroyed/",
        outlet="Ukrainian Pages",
        author="Olena Marchuk",
        published=datetime(2023, 6, 6, 11, 40, tzinfo=KYIV_SUMMER),
        title="Kakhovka dam destroyed, evacuation under way in Kherson Oblast",
        caption="Water pours through the ruined dam at Nova Kakhovka. Photo: social media",
        tags=("Kakhovka HPP", "Kherson Oblast", "evacuation", "flooding"),
        paragraphs=(
            "The dam of the Kakhovka Hydroelectric Power Plant on the Dnipro River was "
            "destroyed early on Tuesday, and water is flooding towns and villages downstream in "
            "Kherson Oblast.",
            "Source: Operational Command South and the Kherson Oblast Military Administration",
            'Quote: "The destruction of the Kakhovka hydroelectric power plant dam only confirms '
            "for the whole world that they must be expelled from every corner of Ukrainian "
            'land," President '
            "Volodymyr Zelenskyy wrote on Telegram, blaming Russian forces for the explosion.",
            "Details: Oleksandr Prokudin, Head of the Kherson Oblast Military Administration, "
            "said about 16,000 people lived in the critical zone on the right bank of the "
            "river and that buses and trains were being provided for the evacuation.",
            "The state hydropower company Ukrhydroenergo said the station had been completely "
            "destroyed and could not be restored.",
            "The International Atomic Energy Agency said there was no immediate threat to the "
            "Zaporizhzhia Nuclear Power Plant, which takes water for its cooling systems from "
            "the Kakhovka reservoir, but that the situation was being closely monitored.",
        ),
        background=(
            "Russian forces seized the Kakhovka Hydroelectric Power Plant in the first days of "
            "the full-scale invasion in February 2022.",
            "When Russian troops retreated from the right bank of the Dnipro in November 2022, "
            "the road across the dam was damaged by explosions.",
            "Before the disaster the Kakhovka reservoir held about 18 cubic kilometres of water "
            "and supplied irrigation canals in southern Ukraine and Crimea.",
        ),
    ),
    SampleArticle(
        key="en-kursk",
        lang="en",
        fmt="dump",
        path="dumps/en-2024-08-12-kursk-incursion.txt.gz",
        url="https://ukrainian-pages.test/eng/news/2024/08/12/syrskyi-kursk-oblast-1000-km/",
        outlet="Ukrainian Pages",
        author="Dmytro Havrylenko",
        published=datetime(2024, 8, 12, 20, 10, tzinfo=KYIV_SUMMER),
        title="Syrskyi reports Ukrainian control over 1,000 sq km of Russia's Kursk Oblast",
        caption="Oleksandr Syrskyi reports to the President. Photo: President's Office",
        tags=("Kursk Oblast", "Syrskyi", "Zelenskyy", "Sudzha"),
        paragraphs=(
            "Oleksandr Syrskyi, Commander-in-Chief of the Armed Forces of Ukraine, has told "
            "President Volodymyr Zelenskyy that Ukrainian troops control about 1,000 square "
            "kilometres of territory in Russia's Kursk Oblast.",
            "Source: a video of the meeting published by the President's Office on Monday",
            "Quote: Syrskyi reported that the fighting was continuing along the whole front "
            "line and that the operation was proceeding according to plan.",
            "Details: Ukrainian units crossed the border into Kursk Oblast on 6 August. It is "
            "the largest incursion of a foreign army into Russian territory since the Second "
            "World War.",
            "The acting governor of Kursk Oblast, Alexei Smirnov, told a meeting chaired by "
            "Putin that 28 settlements were under Ukrainian control and that about 121,000 "
            "people had been evacuated from the border districts.",
            "Fighting continued around the town of Sudzha, home to the last metering station "
            "through which Russian gas still flowed to Europe via Ukraine.",
            "Zelenskyy instructed officials to prepare humanitarian help for civilians in the "
            "area. The operation began three months after Russian forces had opened a new "
            "offensive of their own across the border into Kharkiv Oblast in May.",
        ),
        background=(
            "On 7 August Russian President Vladimir Putin called the attack a large-scale "
            "provocation and accused Kyiv of shelling civilian buildings.",
            "On 9 August Russia declared a counter-terrorist operation regime in Kursk, "
            "Belgorod and Bryansk oblasts.",
            "On 10 August Zelenskyy for the first time indirectly acknowledged the operation, "
            "saying Russia had brought war to other people's land and should feel what it had "
            "done.",
        ),
    ),
    SampleArticle(
        key="en-grain-deal",
        lang="en",
        fmt="jsonl",
        path="json/archive.jsonl",
        url="https://example-wire.test/2023/07/17/russia-quits-black-sea-grain-deal",
        outlet="Example Wire",
        author="Sofia Reyes",
        published=datetime(2023, 7, 17, 15, 20, tzinfo=KYIV_SUMMER),
        title="Russia quits the Black Sea grain deal",
        paragraphs=(
            "Russia said on Monday that it was suspending its participation in the Black Sea "
            "Grain Initiative, the arrangement that for a year had allowed Ukraine to ship "
            "grain from its ports despite the war.",
            "Kremlin spokesman Dmitry Peskov said Moscow would return to the deal as soon as "
            "its own demands, which concern exports of Russian food and fertiliser, were met.",
            "The initiative was signed in Istanbul on 22 July 2022. Russia and Ukraine did not "
            "sign a document with each other: each signed a separate one with Turkey and the "
            "United Nations, which also set up a Joint Coordination Centre to inspect ships.",
            "The first vessel to sail under the deal, the Sierra Leone-flagged Razoni, left "
            "Odesa on 1 August 2022 with about 26,000 tonnes of maize on board.",
            "In almost a year, nearly 33 million tonnes of grain and other foodstuffs were "
            "exported through the corridor, according to the coordination centre. Wheat and "
            "maize shipped under the deal went to countries in Asia, Europe and Africa.",
            "UN Secretary-General António Guterres said he deeply regretted Russia's decision. "
            "The deal had been extended several times, most recently in May for two months, "
            "and it was due to expire at the end of Monday.",
        ),
    ),
    SampleArticle(
        key="en-exchange-2022",
        lang="en",
        fmt="jsonl",
        path="json/archive.jsonl",
        url="https://example-wire.test/2022/09/22/azovstal-defenders-freed-in-exchange",
        outlet="Example Wire",
        author="Tom Gardner",
        published=datetime(2022, 9, 22, 9, 0, tzinfo=KYIV_SUMMER),
        title="Azovstal defenders among 215 freed in Ukraine's largest prisoner swap",
        paragraphs=(
            "Ukraine has brought home 215 people in its largest prisoner exchange since the "
            "full-scale invasion began, among them 108 fighters of the Azov regiment who "
            "defended the Azovstal steel works in Mariupol.",
            "The exchange took place yesterday evening, 21 September. President Volodymyr "
            "Zelenskyy announced it in his nightly video address and thanked Turkey for its "
            "help.",
            "Five commanders of the Mariupol garrison, including Azov commander Denys "
            "Prokopenko, will stay in Turkey until the end of the war under the personal "
            "protection of President Recep Tayyip Erdoğan.",
            "In return, Ukraine handed over 55 Russian prisoners and Viktor Medvedchuk, a "
            "pro-Russian politician and long-time associate of Vladimir Putin who had been "
            "charged with treason in Ukraine and detained in April.",
            "Separately, ten foreign nationals captured while fighting for Ukraine, among them "
            "five British citizens and two Americans, were released after mediation by Saudi "
            "Arabia and flown to Riyadh.",
            "Relatives of the freed soldiers had campaigned for months for their release after "
            "the defenders of the steel works left the plant in May on orders from Kyiv.",
        ),
    ),
    SampleArticle(
        key="en-earthquake",
        lang="en",
        fmt="jsonl",
        path="json/archive.jsonl",
        url="https://example-wire.test/2023/02/06/turkey-syria-earthquake",
        outlet="Example Wire",
        author="Sofia Reyes",
        published=datetime(2023, 2, 6, 21, 15, tzinfo=TURKEY),
        title="Thousands killed as powerful earthquakes strike Turkey and Syria",
        paragraphs=(
            "A magnitude 7.8 earthquake struck southern Turkey and northern Syria before dawn "
            "on Monday, bringing down thousands of buildings while people slept.",
            "The first shock hit at 04:17 local time near the town of Pazarcık in Kahramanmaraş "
            "province. About nine hours later a second earthquake, of magnitude 7.5, struck "
            "further north in the same region.",
            "By Monday evening more than 4,000 deaths had been confirmed in the two countries, "
            "and rescuers warned that the toll would rise as they searched the rubble in "
            "freezing weather.",
            "Turkey declared seven days of national mourning and asked for international help. "
            "Dozens of countries offered to send search and rescue teams, and Ukraine's "
            "President Zelensky said his country was ready to send rescuers as well.",
            "In north-west Syria, already devastated by years of war, aid groups said "
            "hospitals were overwhelmed and that roads to the only border crossing used for UN "
            "aid had been damaged.",
            "The region lies on the East Anatolian Fault, one of the most active fault lines in "
            "the country, and has been hit by strong earthquakes before.",
        ),
    ),
    SampleArticle(
        key="en-kerch-2023",
        lang="en",
        fmt="json",
        path="json/archive.json",
        url="https://example-wire.test/2023/07/17/kerch-bridge-attack",
        outlet="Example Wire",
        author="Tom Gardner",
        published=datetime(2023, 7, 17, 12, 45, tzinfo=KYIV_SUMMER),
        title="Two killed as Kerch bridge to Crimea is hit again",
        as_html=True,
        paragraphs=(
            "Traffic on the Kerch bridge linking Russia to occupied Crimea was halted early on "
            "Monday after an attack damaged a road section. Russian officials said a couple "
            "travelling by car were killed and their daughter was injured.",
            "Russia's Anti-Terrorist Committee blamed what it called the Kiev regime and said "
            "the bridge had been struck by two unmanned surface vessels, or sea drones.",
            "Kyiv did not officially claim the attack on the day, although Ukrainian media, "
            "citing sources, reported that the Security Service of Ukraine and the navy were "
            "behind it.",
            "It was the second serious attack on the 19-kilometre bridge, which Russia built "
            "after annexing the peninsula. On 8 October 2022 a truck exploded on the bridge, "
            "setting fuel tanks on a train on fire and bringing down parts of the road.",
            "Holidaymakers heading home from Crimea were told to use the land route through "
            "the occupied south of Ukraine or to wait for ferries.",
            "On the same day Moscow announced that it was leaving the Black Sea grain deal. "
            "The Kremlin said the two events were not connected.",
        ),
    ),
)
