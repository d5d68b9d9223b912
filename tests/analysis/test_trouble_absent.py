"""Trouble named to say there is none: no outage, the bug is gone, a fear that came to nothing.

cs-signals reads polarity from what the customer reports. "Zero downtime this quarter" names downtime to say
there was none; "the duplicate-alert bug is gone" names a bug to say it is over. Such a message is good news
(or plain news), never a complaint to escalate. The same words with the absence turned back ("not a single
day without an outage"), claimed by someone else ("you said it was gone") or followed by the trouble itself
stay a complaint.
"""

from __future__ import annotations

import pytest

ABSENT = [
    # none of it
    "Zero unplanned downtime since the cutover. Really impressed.",
    "Not a single failed sync in three weeks, great work team",
    "we haven't had one timeout since you moved us to the new cluster 🙌",
    "Quarter in review: no outages, no data loss, and the agents love the new inbox.",
    "Haven't seen a single error in the nightly export since the patch. Thank you!",
    "Our finance team has had no late invoices this month, which is a first.",
    "No more random logouts for the warehouse tablets. Much appreciated!",
    # gone
    "The lag on the reports page is gone, everything loads instantly now. Thanks Sam!",
    "Good news: the duplicate notifications are completely gone after yesterday's release.",
    "The crashes we reported in March are now a thing of the past. Nice job.",
    # stopped, fewer
    "My team stopped complaining about the slow search — it's instant now. Thanks!",
    "Since the routing change we get far fewer escalations about late replies. Love it.",
    # a fix that worked
    "The fix for the broken CSV encoding worked, all accents show up correctly now.",
    "Just confirming the patch for the failed payments worked. Great turnaround.",
    # a fear that did not come true
    "I was nervous the migration would break our integrations, but everything came across cleanly.",
    "We were sure the import would time out on 3M rows, yet it finished in forty minutes. Impressive!",
    # a habit of the past
    "Reports used to fail every Monday morning. Not anymore — thank you for sorting it.",
]

STILL_TROUBLE = [
    "Not a single day without an outage this month.",
    "No idea why the export crashes every morning, please help.",
    "No response from support and the export fails again.",
    "Still no fix for the broken export, we're blocked.",
    "The errors are not gone, they came back overnight.",
    "You told us the sync bug was gone. It is back this morning.",
    "I was worried the import would fail, and it did.",
    "The fix for the login bug did not work, users are still locked out.",
    "It used to crash once a month. Now it crashes every day.",
    "We haven't had any updates on the outage since Monday.",
    "We had zero downtime last year; this month alone three outages.",
    "No way to export without errors, this is unusable.",
]


@pytest.mark.parametrize("text", ABSENT)
def test_trouble_said_to_be_absent_or_over_is_not_a_complaint(analyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label.value != "negative", (result.label, result.score)
    assert result.recommended_action.value != "escalate"
    assert result.churn_risk is False


def test_most_of_them_read_as_the_good_news_they_are(analyzer) -> None:
    """Three in four or more read positive; a fix reported without a word of thanks or praise reads as plain
    news (neutral), as a problem reported fixed does."""
    positive = [text for text in ABSENT if analyzer.analyze_text(text).label.value == "positive"]
    assert len(positive) >= 0.75 * len(ABSENT), sorted(set(ABSENT) - set(positive))


@pytest.mark.parametrize("text", STILL_TROUBLE)
def test_the_same_words_with_the_trouble_present_stay_a_complaint(analyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label.value == "negative"


ABSENT_IN_OTHER_LANGUAGES = [
    "Ninguna caída en todo el trimestre, el equipo está encantado.",
    "Sin errores en la facturación desde el parche, ¡gracias!",
    "Aucun plantage depuis la nouvelle version, merci à toute l'équipe !",
    "Zéro erreur dans les exports ce mois-ci, bravo.",
    "Keine Abstürze mehr seit dem Patch, vielen Dank!",
    "Null Fehler in der Abrechnung diesen Monat, klasse.",
    "Nenhum travamento desde a atualização, muito obrigado!",
    "Zero erros na exportação este mês, parabéns!",
]

STILL_TROUBLE_IN_OTHER_LANGUAGES = [
    "No hay día sin caídas, esto es inaceptable.",
    "Pas un jour sans panne, c'est inacceptable.",
    "Kein Tag ohne Absturz, das ist inakzeptabel.",
    "Não há um dia sem queda, isso é inaceitável.",
    "Otra caída esta mañana y nadie responde.",
    "Encore une panne ce matin, personne ne répond.",
]


@pytest.mark.parametrize("text", ABSENT_IN_OTHER_LANGUAGES)
def test_trouble_said_to_be_absent_in_other_languages_is_good_news(analyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label.value == "positive", (result.label, result.score)
    assert result.recommended_action.value != "escalate"


@pytest.mark.parametrize("text", STILL_TROUBLE_IN_OTHER_LANGUAGES)
def test_a_negated_absence_in_other_languages_stays_a_complaint(analyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label.value == "negative"
