"""Scores opening a survey verbatim, ironic thanks and failure words in es/fr/de/pt, short messages'
language, and requests with a near deadline (cs-signals: within two days high, within a week medium)."""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label, Urgency
from bot.analysis.language import detect_language
from bot.analysis.offline import OfflineAnalyzer

AT_LEAST_MEDIUM = (Urgency.medium, Urgency.high)


# --- a score opening a verbatim --------------------------------------------------------------------

LOW_SCORES = [
    "3 - meh",
    "2/10 it's fine I guess",
    "Score: 1. Support was okay.",
    "CSAT 1 - it was alright",
    "nps 2 – eh, does its thing",
    "4 – nada especial, la verdad",
    "Bewertung: 1 - naja, geht so",
    "2/10 - é ok, nada demais",
    "Puntuación: 0. Normal.",
    "Nota: 3 - tanto faz",
    "1/5 - okay I suppose",
]


@pytest.mark.parametrize("text", LOW_SCORES)
def test_a_low_score_reads_negative_whatever_the_mild_words(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.negative


HIGH_SCORES = [
    "10 - solid product, does the job",
    "9/10 works as expected",
    "Puntuación: 10. Cumple su función.",
    "9 - ça fait le travail",
    "NPS 10 – does what it says",
    "Rating: 5/5 - no surprises",
]


@pytest.mark.parametrize("text", HIGH_SCORES)
def test_a_high_score_with_mild_words_reads_positive(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.positive
    assert result.urgency is Urgency.low


@pytest.mark.parametrize("text", ["7 - fine", "Score: 8. Does what we need.", "6/10 - ok"])
def test_a_middling_score_with_mild_words_is_no_complaint(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is not Label.negative


@pytest.mark.parametrize("text", [
    "9/10 - the export still crashes every morning and nobody answers",
    "10 - but billing charged us twice and support ignored us",
])
def test_a_high_score_does_not_hide_a_complaint(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is not Label.positive


@pytest.mark.parametrize("text", [
    "2 issues came up during the export, can you take a look?",
    "3 users need to be added to the workspace please",
    "10:30 works for the call tomorrow",
    "9/10 at 2pm works for our quarterly review",
    "1 - Export the report. 2 - Send it to finance. How do I do step 2?",
    "2 new dashboards are live for the team",
])
def test_counts_times_dates_and_numbered_steps_are_no_scores(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is not Label.negative


# --- ironic thanks and praise in es/fr/de/pt -------------------------------------------------------

IRONIC = [
    "Se volvió a caer el sistema. Gracias por nada.",
    "Mil gracias por la demora de una semana.",
    "Encore une panne ce matin. Merci pour rien.",
    "Merci beaucoup pour cette magnifique panne d'hier.",
    "Die Synchronisierung ist wieder ausgefallen. Danke für nichts.",
    "Vielen Dank für gar nichts, das Ticket ist seit einer Woche offen.",
    "O sistema caiu de novo. Obrigado por nada.",
    "Obrigada pela demora de cinco dias, excelente atendimento.",
    "Genial, otra vez sin servicio. Qué gran trabajo.",
    "Toll, schon wieder abgestürzt. Vielen Dank auch.",
]


@pytest.mark.parametrize("text", IRONIC)
def test_ironic_thanks_after_a_failure_is_a_complaint_to_answer(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative
    assert result.urgency in AT_LEAST_MEDIUM


@pytest.mark.parametrize("text", [
    "Gracias por la ayuda, ya funciona todo.",
    "Merci pour votre réponse rapide, tout est réglé.",
    "Vielen Dank für die schnelle Hilfe!",
    "Obrigado pela ajuda, deu tudo certo.",
    "Muchas gracias por la formación de ayer, muy útil.",
])
def test_sincere_thanks_stays_positive(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.positive
    assert result.urgency is Urgency.low


# --- failure words in es/fr/de/pt ------------------------------------------------------------------

FAILURES = [
    ("O app travou de novo durante a importação", "pt"),
    ("A integração parou de funcionar ontem", "pt"),
    ("La aplicación se colgó en medio de la carga", "es"),
    ("Se nos cayó el panel de reportes", "es"),
    ("Le tableau de bord ne charge plus", "fr"),
    ("L'application plante à chaque export", "fr"),
    ("Das Dashboard hängt seit heute früh", "de"),
    ("Der Bericht lädt nicht mehr", "de"),
    ("La herramienta es genial, pero desde el martes se cae cada hora", "es"),
    ("O produto é ótimo, mas desde terça trava toda hora", "pt"),
    ("L'outil est super, mais depuis mardi il plante sans arrêt", "fr"),
    ("Das Tool ist super, aber seit Dienstag stürzt es ständig ab", "de"),
]


@pytest.mark.parametrize(("text", "language"), FAILURES)
def test_a_failure_reported_reads_negative_and_needs_attention(
    analyzer: OfflineAnalyzer, text: str, language: str
) -> None:
    result = analyzer.analyze_text(text)
    assert result.language == language
    assert result.label is Label.negative
    assert result.urgency in AT_LEAST_MEDIUM


@pytest.mark.parametrize("text", [
    "O sistema voltou, obrigado pela ajuda rápida",
    "Ya no se cuelga, gracias por el arreglo",
    "Die Seite hängt jetzt nicht mehr, danke!",
    "O tempo de carregamento caiu para 2 segundos, ficou ótimo, obrigado",
    "O número de chamados caiu pela metade, estamos muito satisfeitos",
])
def test_a_failure_over_or_a_number_falling_is_no_complaint(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.positive


@pytest.mark.parametrize("text", [
    "Nuestro servidor se cayó anoche, no es culpa vuestra, solo aviso.",
    "o nosso ERP caiu hoje cedo, problema nosso, só avisando",
    "Unser VPN ist abgestürzt, liegt an uns, nur zur Info.",
])
def test_trouble_the_customer_calls_their_own_is_news(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.neutral


@pytest.mark.parametrize("text", ["Das hängt von Ihrem Tarif ab, oder?", "¿Cae el pago el día 5 o el 10?"])
def test_words_that_only_look_like_failures(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is not Label.negative


# --- the language of short messages ----------------------------------------------------------------

SHORT = {
    "es": ["Factura pendiente", "¿Alguna novedad?", "Vale, lo reviso", "Me urge la factura",
           "¿Pueden revisarlo?", "Excelente servicio, gracias", "Listo, ya quedó"],
    "pt": ["Fatura pendente", "Alguma novidade?", "Beleza, vou ver", "Tudo certo, valeu", "Podem verificar?",
           "Excelente atendimento", "Pronto, resolvido", "Caiu de novo"],
    "fr": ["Nickel", "Facture en attente", "Des nouvelles ?", "Impossible d'exporter", "Ça marche, merci"],
    "de": ["Sehr gut", "Rechnung offen", "Neuigkeiten?", "Toller Service", "Läuft wieder, danke"],
}


@pytest.mark.parametrize(("text", "language"), [(t, code) for code, texts in SHORT.items() for t in texts])
def test_a_short_business_message_gets_its_language(text: str, language: str) -> None:
    assert detect_language(text).code == language


@pytest.mark.parametrize("text", [
    "Thanks José!",
    "Jürgen says hi",
    "Our São Paulo team cannot log in",
    "Can you add João to the account?",
    "Invoice for Señor Ruiz is wrong",
    "Send the factura to Ana please",
    "Hélène from ops says the sync is down",
    "The Curaçao office needs two more seats",
    "Merci, that worked",
])
def test_english_naming_a_foreign_person_place_or_word_stays_english(text: str) -> None:
    assert detect_language(text).code == "en"


# --- requests with a deadline ----------------------------------------------------------------------

NEAR = [
    "Can you send the signed DPA by tomorrow? Legal needs it.",
    "hey, need the PO number updated by EOD pls",
    "Por favor, den de alta a estos 3 usuarios antes de mañana",
    "Pouvez-vous corriger la facture d'ici demain ? C'est pour l'audit.",
    "Bitte schicken Sie uns die Rechnung bis morgen.",
    "Por favor, adicionem esses 3 usuários até amanhã",
]


@pytest.mark.parametrize("text", NEAR)
def test_a_request_due_within_two_days_is_high(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.urgency is Urgency.high
    assert result.label is not Label.positive


WEEK = [
    "We need the invoice corrected by Friday for our audit",
    "Necesitamos la factura corregida antes del viernes para la auditoría",
    "Merci d'ajouter ces 3 utilisateurs avant lundi, le lancement est prévu ce jour-là",
    "Bitte korrigieren Sie die Rechnung bis Freitag, wir haben eine Prüfung",
    "Precisamos da fatura corrigida até sexta para a auditoria",
]


@pytest.mark.parametrize("text", WEEK)
def test_a_request_due_within_a_week_is_at_least_medium(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).urgency in AT_LEAST_MEDIUM


@pytest.mark.parametrize("text", [
    "No rush at all, whenever you get a chance next month",
    "The invoice we got last Friday looks right, thanks",
    "Gracias por la llamada del lunes, todo claro",
    "Merci pour la réunion de vendredi dernier",
    "Danke für das Gespräch am Montag",
    "Podemos passar a reunião de terça para quinta?",
    "Sin prisa, antes del viernes está bien",
    "If anything else comes up, send it by Thursday. Otherwise enjoy the break!",
    "O reembolso até hoje não apareceu na fatura, alguma novidade?",
])
def test_dates_that_set_no_near_deadline_keep_it_calm(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).urgency is not Urgency.high
