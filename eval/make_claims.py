"""Writes eval/claims.jsonl: claims a language model might write, each against the excerpt it cites.

Written by hand (2026-12-06) for issue 28: each group is one excerpt (a sentence of the seed
article `seeds/poutine-coree-du-nord.txt`, in French, or a sentence written for this set in
the claim's language) and the claims written about it: supported ones (paraphrases, the
same number in words or digits, the same date in another form, the same name in another
language) and unsupported ones (a number or a date changed, in digits or in words, a name
replaced by another spelled alike, a negation, two roles swapped). A claim is supported
when the excerpt states it, not when it is true in the world.

Each line: ``id``, ``group`` (the excerpt: cross-validation keeps a group in one fold),
``lang`` (the claim's language), ``excerpt_lang``, ``kind``, ``supported``, ``claim``,
``excerpt``, ``question`` (what was asked, or empty: a claim may use the names it holds).

    python eval/make_claims.py   # rewrites eval/claims.jsonl
"""

from __future__ import annotations

import json
from pathlib import Path

S, U = True, False

# The seed article's sentences used as excerpts.
VISIT = (
    "Avant sa visite de deux jours en Corée du Nord qui débute mardi, le président russe Vladimir Poutine a déclaré "
    "que les deux pays construiraient ensemble l’architecture de sécurité en Eurasie, contrecarraient les sanctions "
    "occidentales et établiraient des systèmes de transactions indépendants."
)
INVITATION = (
    "Poutine effectuera une visite d’État, sa première visite en Corée du Nord en 24 ans, à l’invitation du dirigeant "
    "nord-coréen Kim Jong Un, a indiqué l’agence de presse nationale KNCA."
)
KIM_TRIP = "Cette visite fait suite au voyage de Kim en Extrême-Orient russe en septembre 2023 pour un sommet avec Poutine."
DATES = "Les 18 et 19 juin, notre Président effectuera une visite d’État en République populaire démocratique de Corée."
SECOND = "Ce sera la deuxième visite du chef de l’État russe à Pyongyang dans toute l’histoire de nos relations."
TALKS = "Le 19 juin, des négociations bilatérales et une rencontre avec le dirigeant Kim Jong Un sont prévues, a-t-il indiqué."
FLIGHTS = (
    "Pendant ce temps, la Russie et la Corée du Nord envisagent d’organiser un service aérien direct entre elles, a "
    "déclaré le ministre russe des Ressources naturelles Alexandre Kozlov selon l’agence TASS."
)
TREATY = (
    "La Corée du Nord et l’ex-Union soviétique ont signé un traité d’amitié et d’assistance mutuelle en 1961, lors de "
    "la visite du fondateur national du Nord, Kim Il-sung, à Moscou."
)
ABANDONED = (
    "L’accord a été abandonné en 1996 après que l’Union soviétique a établi des relations diplomatiques avec la Corée "
    "du Sud en 1990 et s’est effondré l’année suivante."
)
SATELLITE = (
    "En novembre 2023, la Corée du Nord a réussi à placer un satellite espion en orbite et prévoit de lancer trois "
    "autres satellites de ce type en 2024."
)
SANCTIONS = (
    "Le mois dernier, les États-Unis ont imposé des sanctions aux entités russes pour leur implication dans le "
    "transfert d’équipements et de composants militaires entre la Corée du Nord et la Russie, dans le contexte de la "
    "guerre en cours contre l’Ukraine."
)
WEAPONS = (
    "Les États-Unis et la Corée du Sud ont fait part de leurs inquiétudes quant au fait que la Corée du Nord fournit à "
    "la Russie des armes à utiliser dans sa guerre en Ukraine en échange de son expertise technologique."
)
WORKERS = (
    "Selon un rapport de Yonhap, la question de l’envoi de travailleurs nord-coréens à l’étranger pourrait également "
    "être abordée lors de la rencontre entre Poutine et Kim."
)
SUPPORT = (
    "Poutine, selon un article de TASS, a déclaré que la Russie appréciait le soutien de la Corée du Nord concernant "
    "l’opération militaire spéciale en Ukraine."
)

# (group, claim language, excerpt, excerpt language, [(kind, supported, claim), ...])
GROUPS = [
    ("seed-visit-fr", "fr", VISIT, "fr", [
        ("paraphrase", S, "La visite de Poutine en Corée du Nord durera deux jours."),
        ("number_words", S, "La visite de Poutine en Corée du Nord durera 2 jours."),
        ("number_words", U, "La visite de Poutine en Corée du Nord durera trois jours."),
        ("number", U, "La visite de Poutine en Corée du Nord durera 3 jours."),
        ("date", S, "La visite de Poutine en Corée du Nord commence mardi."),
        ("date", U, "La visite de Poutine en Corée du Nord commence jeudi."),
        ("negation", U, "Poutine n’ira pas en Corée du Nord."),
        ("name", U, "Poutine a déclaré que les deux pays construiraient ensemble la sécurité en Australasie."),
    ]),
    ("seed-visit-en", "en", VISIT, "fr", [
        ("paraphrase", S, "Putin will spend two days in North Korea."),
        ("paraphrase", S, "Putin said the two countries would work together against Western sanctions."),
        ("number_words", U, "Putin will spend four days in North Korea."),
        ("number", U, "Putin will spend 5 days in North Korea."),
        ("date", U, "Putin's visit to North Korea begins on Friday."),
        ("negation", U, "Putin said the two countries would not work together against Western sanctions."),
        ("swapped_roles", U, "North Korea's leader will spend two days in Russia."),
    ]),
    ("seed-invitation-fr", "fr", INVITATION, "fr", [
        ("paraphrase", S, "Kim Jong Un a invité Poutine en Corée du Nord."),
        ("paraphrase", S, "C’est la première visite de Poutine en Corée du Nord depuis 24 ans."),
        ("number_words", S, "C’est la première visite de Poutine en Corée du Nord depuis vingt-quatre ans."),
        ("number_words", U, "C’est la première visite de Poutine en Corée du Nord depuis trente ans."),
        ("number", U, "C’est la première visite de Poutine en Corée du Nord depuis 42 ans."),
        ("negation", U, "Kim Jong Un n’a pas invité Poutine."),
        ("swapped_roles", U, "Poutine a invité Kim Jong Un en Corée du Nord."),
        ("name", U, "Poutine effectuera une visite d’État à l’invitation de Kim Jong Il."),
    ]),
    ("seed-invitation-en", "en", INVITATION, "fr", [
        ("paraphrase", S, "Putin was invited by Kim Jong Un."),
        ("paraphrase", S, "It is Putin's first visit to North Korea in 24 years."),
        ("number_words", S, "It is Putin's first visit to North Korea in twenty-four years."),
        ("number_words", U, "It is Putin's first visit to North Korea in twenty years."),
        ("number", U, "It is Putin's first visit to North Korea in 14 years."),
        ("negation", U, "Kim Jong Un did not invite Putin."),
        ("negation", U, "Putin will never visit North Korea."),
        ("swapped_roles", U, "Putin invited Kim Jong Un to North Korea."),
    ]),
    ("seed-invitation-de", "de", INVITATION, "fr", [
        ("paraphrase", S, "Putin wurde von Kim Jong Un nach Nordkorea eingeladen."),
        ("paraphrase", S, "Es ist Putins erster Besuch in Nordkorea seit 24 Jahren."),
        ("number_words", S, "Es ist Putins erster Besuch in Nordkorea seit vierundzwanzig Jahren."),
        ("number_words", U, "Es ist Putins erster Besuch in Nordkorea seit zweiundvierzig Jahren."),
        ("number", U, "Es ist Putins erster Besuch in Nordkorea seit 14 Jahren."),
        ("negation", U, "Kim Jong Un hat Putin nicht eingeladen."),
        ("swapped_roles", U, "Kim Jong Un wurde von Putin nach Russland eingeladen."),
        ("name", U, "Putin wurde von Kim Jong Un nach Südkorea eingeladen."),
    ]),
    ("seed-kim-trip-de", "de", KIM_TRIP, "fr", [
        ("paraphrase", S, "Kim reiste im September 2023 zu einem Gipfeltreffen mit Putin in den Fernen Osten Russlands."),
        ("date", U, "Kim reiste im Oktober 2023 zu einem Gipfeltreffen mit Putin in den Fernen Osten Russlands."),
        ("number", U, "Kim reiste im September 2021 zu einem Gipfeltreffen mit Putin."),
        ("swapped_roles", U, "Putin reiste im September 2023 zu einem Gipfeltreffen mit Kim nach Nordkorea."),
        ("negation", U, "Kim hat sich im September 2023 nicht mit Putin getroffen."),
    ]),
    ("seed-kim-trip-pt", "pt", KIM_TRIP, "fr", [
        ("paraphrase", S, "A visita segue a viagem de Kim ao Extremo Oriente russo em setembro de 2023."),
        ("number", U, "A visita segue a viagem de Kim ao Extremo Oriente russo em setembro de 2022."),
        ("date", U, "A visita segue a viagem de Kim ao Extremo Oriente russo em outubro de 2023."),
        ("swapped_roles", U, "A visita segue a viagem de Putin à Coreia do Norte em setembro de 2023."),
        ("negation", U, "Kim não viajou ao Extremo Oriente russo em 2023."),
        ("paraphrase", S, "Em setembro de 2023, Kim e Putin tiveram uma cúpula no Extremo Oriente russo."),
    ]),
    ("seed-dates-es", "es", DATES, "fr", [
        ("paraphrase", S, "Putin hará una visita de Estado a Corea del Norte los días 18 y 19 de junio."),
        ("date", S, "La visita de Estado será el 18 y el 19 de junio."),
        ("date", U, "La visita de Estado será el 18 y el 19 de julio."),
        ("number", U, "La visita de Estado será el 19 y el 20 de junio."),
        ("number_words", S, "La visita de Estado será el dieciocho y el diecinueve de junio."),
        ("number_words", U, "La visita de Estado será el veinte y el veintiuno de junio."),
        ("negation", U, "Putin no hará ninguna visita de Estado a Corea del Norte."),
    ]),
    ("seed-dates-ru", "ru", DATES, "fr", [
        ("paraphrase", S, "Путин посетит КНДР с государственным визитом 18 и 19 июня."),
        ("date", U, "Путин посетит КНДР 18 и 19 июля."),
        ("number", U, "Путин посетит КНДР 20 и 21 июня."),
        ("number_words", U, "Путин посетит КНДР в течение трёх дней в июне."),
        ("negation", U, "Путин не посетит КНДР в июне."),
        ("date", S, "Государственный визит в КНДР состоится в июне."),
    ]),
    ("seed-second-it", "it", SECOND, "fr", [
        ("paraphrase", S, "Sarà la seconda visita di un capo di Stato russo a Pyongyang."),
        ("number_words", U, "Sarà la terza visita di un capo di Stato russo a Pyongyang."),
        ("number", U, "Sarà la 3ª visita di un capo di Stato russo a Pyongyang."),
        ("negation", U, "Un capo di Stato russo non è mai stato a Pyongyang."),
        ("name", U, "Sarà la seconda visita di un capo di Stato russo a Pyeongchang."),
        ("number_words", S, "Sarà la 2ª visita di un capo di Stato russo a Pyongyang."),
    ]),
    ("seed-talks-pt", "pt", TALKS, "fr", [
        ("paraphrase", S, "Em 19 de junho estão previstas negociações bilaterais e um encontro com Kim Jong Un."),
        ("date", U, "Em 19 de julho estão previstas negociações bilaterais com Kim Jong Un."),
        ("number", U, "Em 17 de junho estão previstas negociações bilaterais com Kim Jong Un."),
        ("number_words", S, "No dia dezenove de junho haverá negociações com Kim Jong Un."),
        ("number_words", U, "No dia vinte de junho haverá negociações com Kim Jong Un."),
        ("negation", U, "Não está previsto nenhum encontro com Kim Jong Un."),
    ]),
    ("seed-flights-ru", "ru", FLIGHTS, "fr", [
        ("paraphrase", S, "Россия и Северная Корея рассматривают возможность прямого авиасообщения."),
        ("paraphrase", S, "Об этом заявил министр природных ресурсов России Александр Козлов."),
        ("negation", U, "Россия и Северная Корея не планируют прямого авиасообщения."),
        ("name", U, "Об этом заявил министр природных ресурсов России Андрей Козырев."),
        ("swapped_roles", U, "Министр природных ресурсов Северной Кореи заявил об авиасообщении с Россией."),
    ]),
    ("seed-flights-pl", "pl", FLIGHTS, "fr", [
        ("paraphrase", S, "Rosja i Korea Północna rozważają uruchomienie bezpośredniego połączenia lotniczego."),
        ("paraphrase", S, "Powiedział to rosyjski minister zasobów naturalnych Aleksandr Kozłow."),
        ("negation", U, "Rosja i Korea Północna nie planują bezpośredniego połączenia lotniczego."),
        ("name", U, "Powiedział to rosyjski minister zasobów naturalnych Aleksandr Kozyriew."),
        ("name", U, "Rosja i Korea Południowa rozważają uruchomienie bezpośredniego połączenia lotniczego."),
    ]),
    ("seed-treaty-nl", "nl", TREATY, "fr", [
        ("paraphrase", S, "Noord-Korea en de Sovjet-Unie sloten in 1961 een vriendschapsverdrag."),
        ("number", U, "Noord-Korea en de Sovjet-Unie sloten in 1951 een vriendschapsverdrag."),
        ("name", U, "Het verdrag werd getekend tijdens het bezoek van Kim Jong-il aan Moskou."),
        ("name", U, "Het verdrag werd getekend tijdens het bezoek van Kim Il-sung aan Minsk."),
        ("name", S, "Het verdrag werd getekend tijdens het bezoek van Kim Il-sung aan Moskou."),
        ("negation", U, "Noord-Korea en de Sovjet-Unie hebben nooit een verdrag getekend."),
    ]),
    ("seed-treaty-en", "en", TREATY, "fr", [
        ("paraphrase", S, "North Korea and the Soviet Union signed a treaty of friendship in 1961."),
        ("name", S, "The treaty was signed when Kim Il-sung visited Moscow."),
        ("swapped_roles", U, "The treaty was signed when a Soviet leader visited Pyongyang."),
        ("number", U, "North Korea and the Soviet Union signed a treaty of friendship in 1967."),
        ("number_words", U, "North Korea and the Soviet Union signed two treaties in 1961."),
        ("negation", U, "North Korea and the Soviet Union did not sign a treaty in 1961."),
    ]),
    ("seed-abandoned-pl", "pl", ABANDONED, "fr", [
        ("paraphrase", S, "Porozumienie porzucono w 1996 roku."),
        ("number", U, "Porozumienie porzucono w 1999 roku."),
        ("paraphrase", S, "W 1990 roku Związek Radziecki nawiązał stosunki dyplomatyczne z Koreą Południową."),
        ("number", U, "W 1992 roku Związek Radziecki nawiązał stosunki dyplomatyczne z Koreą Południową."),
        ("negation", U, "Porozumienia nie porzucono."),
        ("swapped_roles", U, "Porozumienie porzucono w 1990 roku, po nawiązaniu stosunków z Koreą Południową w 1996 roku."),
    ]),
    ("seed-abandoned-en", "en", ABANDONED, "fr", [
        ("paraphrase", S, "The agreement was abandoned in 1996."),
        ("paraphrase", S, "The Soviet Union established diplomatic relations with South Korea in 1990."),
        ("number", U, "The agreement was abandoned in 1969."),
        ("negation", U, "The agreement was never abandoned."),
        ("swapped_roles", U, "The agreement was abandoned in 1990 after relations with South Korea were established in 1996."),
    ]),
    ("seed-satellite-en", "en", SATELLITE, "fr", [
        ("paraphrase", S, "In November 2023 North Korea put a spy satellite into orbit."),
        ("number_words", S, "North Korea plans to launch three more spy satellites in 2024."),
        ("number_words", S, "North Korea plans to launch 3 more spy satellites in 2024."),
        ("number_words", U, "North Korea plans to launch five more spy satellites in 2024."),
        ("date", U, "In December 2023 North Korea put a spy satellite into orbit."),
        ("number", U, "North Korea plans to launch three more spy satellites in 2025."),
        ("negation", U, "In November 2023 North Korea failed to put a satellite into orbit."),
    ]),
    ("seed-satellite-it", "it", SATELLITE, "fr", [
        ("paraphrase", S, "Nel novembre 2023 la Corea del Nord ha messo in orbita un satellite spia."),
        ("number_words", S, "La Corea del Nord prevede di lanciare altri tre satelliti nel 2024."),
        ("number_words", U, "La Corea del Nord prevede di lanciare altri cinque satelliti nel 2024."),
        ("number_words", U, "La Corea del Nord prevede di lanciare altri 4 satelliti nel 2024."),
        ("date", U, "Nel dicembre 2023 la Corea del Nord ha messo in orbita un satellite spia."),
        ("negation", U, "Nel novembre 2023 la Corea del Nord non è riuscita a mettere in orbita un satellite."),
    ]),
    ("seed-satellite-fr", "fr", SATELLITE, "fr", [
        ("paraphrase", S, "La Corée du Nord a placé un satellite espion en orbite en novembre 2023."),
        ("number_words", S, "La Corée du Nord veut lancer 3 autres satellites espions en 2024."),
        ("number_words", U, "La Corée du Nord veut lancer quatre autres satellites espions en 2024."),
        ("date", U, "La Corée du Nord a placé un satellite espion en orbite en octobre 2023."),
        ("negation", U, "La Corée du Nord n’a jamais placé de satellite espion en orbite."),
    ]),
    ("seed-sanctions-de", "de", SANCTIONS, "fr", [
        ("paraphrase", S, "Die Vereinigten Staaten haben Sanktionen gegen russische Unternehmen verhängt."),
        ("swapped_roles", U, "Russland hat Sanktionen gegen amerikanische Unternehmen verhängt."),
        ("negation", U, "Die Vereinigten Staaten haben keine Sanktionen gegen russische Unternehmen verhängt."),
        ("name", U, "Die Vereinigten Staaten haben Sanktionen gegen russische Unternehmen wegen des Krieges in Uganda verhängt."),
    ]),
    ("seed-sanctions-nl", "nl", SANCTIONS, "fr", [
        ("paraphrase", S, "Vorige maand legden de Verenigde Staten sancties op aan Russische entiteiten."),
        ("swapped_roles", U, "Vorige maand legde Rusland sancties op aan Amerikaanse entiteiten."),
        ("negation", U, "Vorige maand legden de Verenigde Staten geen sancties op aan Russische entiteiten."),
        ("name", U, "Vorige maand legde het Verenigd Koninkrijk sancties op aan Russische entiteiten."),
    ]),
    ("seed-weapons-es", "es", WEAPONS, "fr", [
        ("paraphrase", S, "Estados Unidos y Corea del Sur temen que Corea del Norte suministre armas a Rusia."),
        ("swapped_roles", U, "Estados Unidos y Corea del Sur temen que Rusia suministre armas a Corea del Norte."),
        ("negation", U, "Estados Unidos y Corea del Sur no temen que Corea del Norte suministre armas a Rusia."),
        ("name", U, "Estados Unidos y Japón temen que Corea del Norte suministre armas a Rusia."),
    ]),
    ("seed-workers-es", "es", WORKERS, "fr", [
        ("paraphrase", S, "Según Yonhap, Putin y Kim podrían hablar del envío de trabajadores norcoreanos al extranjero."),
        ("negation", U, "Según Yonhap, Putin y Kim no hablarán del envío de trabajadores norcoreanos."),
        ("name", U, "Según la agencia Xinhua, Putin y Kim podrían hablar del envío de trabajadores norcoreanos."),
    ]),
    ("seed-support-it", "it", SUPPORT, "fr", [
        ("paraphrase", S, "Putin ha detto che la Russia apprezza il sostegno della Corea del Nord all’operazione militare in Ucraina."),
        ("swapped_roles", U, "Putin ha detto che la Corea del Nord apprezza il sostegno della Russia."),
        ("negation", U, "Putin ha detto che la Russia non apprezza il sostegno della Corea del Nord."),
        ("name", U, "Putin ha detto che la Russia apprezza il sostegno della Corea del Nord all’operazione militare in Uganda."),
    ]),
    # Sentences written for this set, each in the claim's language.
    ("en-kim-invites", "en", "Putin was invited to Pyongyang by Kim Jong Un.", "en", [
        ("paraphrase", S, "Kim Jong Un invited Putin to Pyongyang."),
        ("negation", U, "Kim Jong Un did not invite Putin to Pyongyang."),
        ("swapped_roles", U, "Putin invited Kim Jong Un to Pyongyang."),
        ("name", U, "Putin was invited to Pyongyang by Kim Jong Il."),
        ("name", U, "Putin was invited to Moscow by Kim Jong Un."),
    ]),
    ("en-austria-eu", "en", "Austria joined the European Union on 1 January 1995, together with Finland and Sweden.", "en", [
        ("paraphrase", S, "Austria became a member of the European Union in 1995."),
        ("paraphrase", S, "Finland, Sweden and Austria joined the EU at the same time, in January 1995."),
        ("name", U, "Australia joined the European Union in 1995."),
        ("name", U, "Austria joined the European Union together with Finland and Switzerland."),
        ("number", U, "Austria joined the European Union in 1998."),
        ("date", U, "Austria joined the European Union on 1 March 1995."),
        ("negation", U, "Austria did not join the European Union in 1995."),
        ("number_words", U, "Austria joined the European Union together with three other countries."),
    ]),
    ("en-tehran", "en", "Tehran, the capital of Iran, is home to about nine million people.", "en", [
        ("paraphrase", S, "Tehran is the capital of Iran."),
        ("number_words", S, "About 9 million people live in Tehran."),
        ("number_words", U, "About eight million people live in Tehran."),
        ("number", U, "About 12 million people live in Tehran."),
        ("name", U, "Tehran is the capital of Iraq."),
        ("negation", U, "Tehran is not the capital of Iran."),
    ]),
    ("en-malawi", "en", "Lilongwe replaced Zomba as the capital of Malawi in 1975.", "en", [
        ("paraphrase", S, "Lilongwe has been the capital of Malawi since 1975."),
        ("name", U, "Lilongwe has been the capital of Mali since 1975."),
        ("swapped_roles", U, "Zomba replaced Lilongwe as the capital of Malawi in 1975."),
        ("number", U, "Lilongwe has been the capital of Malawi since 1957."),
        ("negation", U, "Lilongwe did not replace Zomba as the capital of Malawi."),
    ]),
    ("en-versailles", "en", "The Treaty of Versailles was signed on 28 June 1919, five years to the day after the assassination of Archduke Franz Ferdinand in Sarajevo.", "en", [
        ("paraphrase", S, "The Treaty of Versailles was signed in June 1919."),
        ("number_words", S, "The treaty was signed five years after Franz Ferdinand was killed."),
        ("number_words", U, "The treaty was signed four years after Franz Ferdinand was killed."),
        ("date", U, "The Treaty of Versailles was signed on 28 July 1919."),
        ("number", U, "The Treaty of Versailles was signed on 28 June 1918."),
        ("negation", U, "The Treaty of Versailles was not signed in 1919."),
        ("name", S, "Archduke Franz Ferdinand was assassinated in Sarajevo."),
    ]),
    ("fr-iran-accord", "fr", "L’Iran a signé l’accord sur le nucléaire avec six puissances mondiales à Vienne le 14 juillet 2015.", "fr", [
        ("paraphrase", S, "L’accord sur le nucléaire iranien a été signé à Vienne en juillet 2015."),
        ("name", U, "L’Irak a signé l’accord sur le nucléaire à Vienne en 2015."),
        ("number_words", S, "L’Iran a signé l’accord avec 6 puissances mondiales."),
        ("number_words", U, "L’Iran a signé l’accord avec cinq puissances mondiales."),
        ("number", U, "L’Iran a signé l’accord sur le nucléaire le 14 juillet 2016."),
        ("date", U, "L’Iran a signé l’accord sur le nucléaire le 14 juin 2015."),
        ("negation", U, "L’Iran n’a pas signé l’accord sur le nucléaire."),
    ]),
    ("fr-eiffel", "fr", "La tour Eiffel, haute de 330 mètres, a été construite pour l’Exposition universelle de 1889.", "fr", [
        ("paraphrase", S, "La tour Eiffel mesure 330 mètres."),
        ("number_words", S, "La tour Eiffel mesure trois cent trente mètres."),
        ("number_words", U, "La tour Eiffel mesure trois cents mètres."),
        ("number", U, "La tour Eiffel a été construite pour l’Exposition universelle de 1899."),
        ("negation", U, "La tour Eiffel n’a pas été construite pour l’Exposition universelle."),
        ("paraphrase", S, "La tour Eiffel a été bâtie pour l’Exposition universelle de 1889."),
    ]),
    ("fr-slovaquie-euro", "fr", "La Slovaquie a adopté l’euro le 1er janvier 2009, deux ans après la Slovénie.", "fr", [
        ("paraphrase", S, "La Slovaquie utilise l’euro depuis 2009."),
        ("swapped_roles", U, "La Slovénie a adopté l’euro deux ans après la Slovaquie."),
        ("number_words", S, "La Slovaquie a adopté l’euro 2 ans après la Slovénie."),
        ("number_words", U, "La Slovaquie a adopté l’euro trois ans après la Slovénie."),
        ("date", U, "La Slovaquie a adopté l’euro le 1er juillet 2009."),
        ("negation", U, "La Slovaquie n’a pas adopté l’euro."),
    ]),
    ("fr-guinee", "fr", "La Guinée a obtenu son indépendance de la France le 2 octobre 1958.", "fr", [
        ("paraphrase", S, "La Guinée est indépendante depuis octobre 1958."),
        ("name", U, "La Guyane a obtenu son indépendance de la France en 1958."),
        ("date", U, "La Guinée a obtenu son indépendance le 2 novembre 1958."),
        ("number", U, "La Guinée a obtenu son indépendance le 2 octobre 1960."),
        ("number_words", S, "La Guinée est indépendante depuis le deux octobre 1958."),
        ("negation", U, "La Guinée n’a pas obtenu son indépendance en 1958."),
        ("swapped_roles", U, "La France a obtenu son indépendance de la Guinée en 1958."),
    ]),
    ("de-eu-2004", "de", "Am 1. Mai 2004 traten zehn Staaten der Europäischen Union bei, darunter Slowenien.", "de", [
        ("paraphrase", S, "Slowenien ist seit Mai 2004 Mitglied der Europäischen Union."),
        ("number_words", S, "Slowenien gehört zu den 10 Staaten, die 2004 der EU beitraten."),
        ("number_words", U, "Am 1. Mai 2004 traten zwölf Staaten der Europäischen Union bei."),
        ("number", U, "Slowenien trat 2007 der Europäischen Union bei."),
        ("date", U, "Slowenien trat am 1. Juni 2004 der Europäischen Union bei."),
        ("name", U, "Die Slowakei trat am 1. Mai 2004 der Europäischen Union bei."),
        ("negation", U, "Slowenien trat 2004 nicht der Europäischen Union bei."),
    ]),
    ("de-austria", "de", "Österreich ist seit 1955 neutral und grenzt an acht Staaten.", "de", [
        ("paraphrase", S, "Seit 1955 ist Österreich ein neutraler Staat."),
        ("number_words", S, "Österreich grenzt an 8 Staaten."),
        ("number_words", U, "Österreich grenzt an sieben Staaten."),
        ("number", U, "Österreich ist seit 1945 neutral."),
        ("name", U, "Australien ist seit 1955 neutral."),
        ("negation", U, "Österreich ist nicht neutral."),
    ]),
    ("de-mauer", "de", "Die Berliner Mauer fiel am 9. November 1989, elf Monate vor der deutschen Wiedervereinigung.", "de", [
        ("paraphrase", S, "Die Mauer in Berlin fiel im November 1989."),
        ("number_words", S, "Die Mauer fiel 11 Monate vor der Wiedervereinigung."),
        ("number_words", U, "Die Mauer fiel zwölf Monate vor der Wiedervereinigung."),
        ("date", U, "Die Berliner Mauer fiel am 9. Oktober 1989."),
        ("number", U, "Die Berliner Mauer fiel im Jahr 1991."),
        ("negation", U, "Die Berliner Mauer fiel nicht im Jahr 1989."),
    ]),
    ("es-amazonas", "es", "El río Amazonas, de unos 7000 kilómetros, desemboca en el océano Atlántico en el norte de Brasil.", "es", [
        ("paraphrase", S, "El Amazonas desemboca en el Atlántico."),
        ("number_words", S, "El Amazonas mide unos siete mil kilómetros."),
        ("number_words", U, "El Amazonas mide unos seis mil kilómetros."),
        ("number", U, "El Amazonas mide unos 8000 kilómetros."),
        ("name", U, "El Amazonas desemboca en el océano Pacífico."),
        ("negation", U, "El Amazonas no desemboca en el océano Atlántico."),
    ]),
    ("es-australia", "es", "Australia tiene unos 26 millones de habitantes y su capital es Canberra.", "es", [
        ("paraphrase", S, "La capital de Australia es Canberra."),
        ("name", U, "La capital de Austria es Canberra."),
        ("number", U, "Australia tiene unos 62 millones de habitantes."),
        ("number_words", S, "Australia tiene unos veintiséis millones de habitantes."),
        ("number_words", U, "Australia tiene unos treinta millones de habitantes."),
        ("negation", U, "Canberra no es la capital de Australia."),
    ]),
    ("es-colon", "es", "Cristóbal Colón llegó a América el 12 de octubre de 1492 con tres barcos.", "es", [
        ("paraphrase", S, "Colón llegó a América en 1492."),
        ("number_words", S, "Colón llegó a América con 3 barcos."),
        ("number_words", U, "Colón llegó a América con cuatro barcos."),
        ("date", U, "Colón llegó a América el 12 de agosto de 1492."),
        ("number", U, "Colón llegó a América en 1498."),
        ("negation", U, "Colón no llegó a América en 1492."),
    ]),
    ("es-colombia", "es", "Colombia limita al norte con el mar Caribe y al oeste con el océano Pacífico.", "es", [
        ("paraphrase", S, "Colombia tiene costas en el Caribe y en el Pacífico."),
        ("swapped_roles", U, "Colombia limita al norte con el océano Pacífico y al oeste con el mar Caribe."),
        ("negation", U, "Colombia no tiene costa en el océano Pacífico."),
        ("name", U, "Bolivia limita al norte con el mar Caribe."),
    ]),
    ("it-slovenia", "it", "La Slovenia confina a ovest con l’Italia, a nord con l’Austria, a est con l’Ungheria e a sud con la Croazia.", "it", [
        ("paraphrase", S, "La Slovenia confina con l’Italia e con l’Austria."),
        ("name", U, "La Slovacchia confina con l’Italia e con l’Austria."),
        ("name", U, "La Slovenia confina a nord con l’Australia."),
        ("swapped_roles", U, "La Slovenia confina a nord con l’Ungheria e a est con l’Austria."),
        ("negation", U, "La Slovenia non confina con la Croazia."),
        ("paraphrase", S, "A sud la Slovenia confina con la Croazia."),
    ]),
    ("it-nigeria", "it", "La Nigeria è il paese più popoloso dell’Africa, con oltre 200 milioni di abitanti.", "it", [
        ("paraphrase", S, "La Nigeria ha più di 200 milioni di abitanti."),
        ("name", U, "Il Niger è il paese più popoloso dell’Africa."),
        ("number", U, "La Nigeria ha più di 300 milioni di abitanti."),
        ("number_words", S, "La Nigeria ha oltre duecento milioni di abitanti."),
        ("number_words", U, "La Nigeria ha oltre trecento milioni di abitanti."),
        ("negation", U, "La Nigeria non è il paese più popoloso dell’Africa."),
    ]),
    ("it-leonardo", "it", "Leonardo da Vinci nacque a Vinci nel 1452 e morì ad Amboise, in Francia, nel 1519.", "it", [
        ("paraphrase", S, "Leonardo morì in Francia nel 1519."),
        ("swapped_roles", U, "Leonardo nacque ad Amboise e morì a Vinci."),
        ("swapped_roles", U, "Leonardo nacque nel 1519 e morì nel 1452."),
        ("number", U, "Leonardo da Vinci nacque nel 1425."),
        ("negation", U, "Leonardo da Vinci non morì in Francia."),
        ("name", U, "Leonardo da Vinci morì ad Amboise, in Finlandia."),
    ]),
    ("pt-portugal-euro", "pt", "Portugal venceu o Campeonato Europeu de Futebol de 2016 ao derrotar a França por 1 a 0 na final.", "pt", [
        ("paraphrase", S, "Portugal ganhou o Euro 2016 ao vencer a França na final."),
        ("swapped_roles", U, "A França derrotou Portugal na final do Euro 2016."),
        ("number", U, "Portugal venceu o Campeonato Europeu de Futebol de 2012."),
        ("number_words", U, "Portugal derrotou a França por dois a zero na final."),
        ("negation", U, "Portugal não venceu o Campeonato Europeu de 2016."),
        ("name", U, "Portugal derrotou a Finlândia na final do Euro 2016."),
    ]),
    ("pt-brasil", "pt", "O Brasil tornou-se independente de Portugal em 7 de setembro de 1822.", "pt", [
        ("paraphrase", S, "A independência do Brasil foi proclamada em 1822."),
        ("swapped_roles", U, "Portugal tornou-se independente do Brasil em 1822."),
        ("date", U, "O Brasil tornou-se independente em 7 de outubro de 1822."),
        ("number", U, "O Brasil tornou-se independente em 1828."),
        ("number_words", S, "O Brasil tornou-se independente no dia sete de setembro de 1822."),
        ("negation", U, "O Brasil não se tornou independente em 1822."),
    ]),
    ("pt-gambia", "pt", "A Gâmbia é o menor país da África continental e é atravessada pelo rio Gâmbia.", "pt", [
        ("paraphrase", S, "O menor país da África continental é a Gâmbia."),
        ("name", U, "A Zâmbia é o menor país da África continental."),
        ("negation", U, "A Gâmbia não é o menor país da África continental."),
        ("name", U, "A Gâmbia é atravessada pelo rio Níger."),
    ]),
    ("nl-provincies", "nl", "Nederland telt twaalf provincies; Flevoland is sinds 1986 de jongste.", "nl", [
        ("paraphrase", S, "Flevoland is de jongste provincie van Nederland."),
        ("number_words", S, "Nederland heeft 12 provincies."),
        ("number_words", U, "Nederland telt elf provincies."),
        ("number", U, "Flevoland is sinds 1968 een provincie."),
        ("name", U, "Friesland is de jongste provincie van Nederland."),
        ("negation", U, "Flevoland is niet de jongste provincie van Nederland."),
    ]),
    ("nl-hoofdstad", "nl", "Amsterdam is de hoofdstad van Nederland, maar de regering zetelt in Den Haag.", "nl", [
        ("paraphrase", S, "De Nederlandse regering zetelt in Den Haag."),
        ("swapped_roles", U, "Den Haag is de hoofdstad van Nederland, maar de regering zetelt in Amsterdam."),
        ("negation", U, "Amsterdam is niet de hoofdstad van Nederland."),
        ("name", U, "Rotterdam is de hoofdstad van Nederland."),
    ]),
    ("nl-slovenie", "nl", "Slovenië verklaarde zich op 25 juni 1991 onafhankelijk van Joegoslavië.", "nl", [
        ("paraphrase", S, "Slovenië werd in 1991 onafhankelijk van Joegoslavië."),
        ("name", U, "Slowakije verklaarde zich in 1991 onafhankelijk van Joegoslavië."),
        ("date", U, "Slovenië verklaarde zich op 25 juli 1991 onafhankelijk."),
        ("number", U, "Slovenië verklaarde zich in 1992 onafhankelijk."),
        ("number_words", S, "Slovenië verklaarde zich op vijfentwintig juni 1991 onafhankelijk."),
        ("negation", U, "Slovenië verklaarde zich niet onafhankelijk van Joegoslavië."),
        ("swapped_roles", U, "Joegoslavië verklaarde zich onafhankelijk van Slovenië."),
    ]),
    ("ru-baikal", "ru", "Байкал — самое глубокое озеро в мире: его глубина достигает 1642 метров.", "ru", [
        ("paraphrase", S, "Байкал — самое глубокое озеро планеты."),
        ("number", U, "Глубина Байкала достигает 1462 метров."),
        ("negation", U, "Байкал не самое глубокое озеро в мире."),
        ("name", U, "Балхаш — самое глубокое озеро в мире."),
        ("paraphrase", S, "Глубина Байкала достигает 1642 метров."),
    ]),
    ("ru-gagarin", "ru", "Юрий Гагарин совершил первый полёт человека в космос 12 апреля 1961 года.", "ru", [
        ("paraphrase", S, "Гагарин полетел в космос в 1961 году."),
        ("date", U, "Гагарин полетел в космос 12 марта 1961 года."),
        ("number", U, "Гагарин полетел в космос в 1963 году."),
        ("negation", U, "Гагарин не летал в космос."),
        ("date", S, "Полёт Гагарина состоялся в апреле 1961 года."),
    ]),
    ("ru-iran", "ru", "Иран граничит с Ираком на западе и с Туркменистаном на северо-востоке.", "ru", [
        ("paraphrase", S, "На западе Иран граничит с Ираком."),
        ("swapped_roles", U, "Иран граничит с Ираком на северо-востоке и с Туркменистаном на западе."),
        ("name", U, "Иран граничит с Таджикистаном на северо-востоке."),
        ("negation", U, "Иран не граничит с Ираком."),
    ]),
    ("pl-curie", "pl", "Maria Skłodowska-Curie otrzymała Nagrodę Nobla z fizyki w 1903 roku, a z chemii w 1911 roku.", "pl", [
        ("paraphrase", S, "Skłodowska-Curie dostała Nagrodę Nobla z chemii w 1911 roku."),
        ("number", U, "Skłodowska-Curie dostała Nagrodę Nobla z chemii w 1913 roku."),
        ("swapped_roles", U, "Skłodowska-Curie dostała Nagrodę Nobla z fizyki w 1911 roku, a z chemii w 1903 roku."),
        ("negation", U, "Maria Skłodowska-Curie nigdy nie otrzymała Nagrody Nobla."),
        ("number_words", U, "Maria Skłodowska-Curie otrzymała trzy Nagrody Nobla."),
    ]),
    ("pl-wisla", "pl", "Wisła ma długość 1047 kilometrów i uchodzi do Morza Bałtyckiego w pobliżu Gdańska.", "pl", [
        ("paraphrase", S, "Wisła uchodzi do Morza Bałtyckiego."),
        ("number", U, "Wisła ma długość 1074 kilometrów."),
        ("negation", U, "Wisła nie uchodzi do Morza Bałtyckiego."),
        ("name", U, "Wisła uchodzi do Morza Bałtyckiego w pobliżu Gdyni."),
        ("paraphrase", S, "Wisła ma 1047 kilometrów długości."),
    ]),
]


# What was asked, where the excerpt alone does not name what the claim names ("notre
# Président" is Putin): the verifier lets a claim use the question's names.
QUESTIONS = {
    "seed-dates-es": "¿Cuándo visitará Putin Corea del Norte?",
    "seed-dates-ru": "Когда Путин посетит КНДР?",
    "seed-second-it": "Quante volte un capo di Stato russo è stato a Pyongyang?",
}


def pairs() -> list[dict]:
    rows = []
    for group, lang, excerpt, excerpt_lang, claims in GROUPS:
        for n, (kind, supported, claim) in enumerate(claims, start=1):
            rows.append(
                {
                    "id": f"{group}-{n}",
                    "group": group,
                    "lang": lang,
                    "excerpt_lang": excerpt_lang,
                    "kind": kind,
                    "supported": supported,
                    "claim": claim,
                    "excerpt": excerpt,
                    "question": QUESTIONS.get(group, ""),
                }
            )
    return rows


def main() -> None:
    rows = pairs()
    out = Path(__file__).with_name("claims.jsonl")
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} pairs, {len(GROUPS)} groups, {len({r['lang'] for r in rows})} languages -> {out}")


if __name__ == "__main__":
    main()
