"""Short customer messages in es/pt/fr/de read as their language; English with a foreign name stays English;
a bare cancellation of the service is churn, cancelling a meeting, a call or an order is not."""

from __future__ import annotations

import pytest

from bot.analysis.language import detect_language
from bot.analysis.offline import OfflineAnalyzer

SHORT_MESSAGES = [
    ("es", "No puedo entrar"),
    ("es", "La automatización nos ahorra muchas horas cada semana"),
    ("es", "Vamos a cancelar a fin de mes."),
    ("es", "Nos cobraron la renovación sin avisar"),
    ("es", "Si no lo arreglan, cancelamos."),
    ("pt", "Vamos cancelar a assinatura no fim do mês"),
    ("pt", "Vamos cancelar no fim do mês"),
    ("pt", "A renovação foi cobrada duas vezes no cartão"),
    ("pt", "Se não resolverem, cancelamos"),
    ("fr", "On résilie."),
    ("fr", "Si ça continue, on résilie"),
    ("fr", "L'export CSV sort vide encore une fois"),
    ("de", "Kündigen wir."),
    ("de", "Wir wollen das Abo zum Monatsende kündigen"),
    ("de", "Die Verlängerung wurde doppelt abgebucht"),
]

ENGLISH_WITH_FOREIGN_WORDS = [
    "Thanks José, that fixed the export",
    "Our São Paulo office cannot log in since this morning",
    "The report for São João do Rei is missing",
    "merci for the help!",
    "No worries, gracias!",
    "Danke for the quick fix, the export works now",
    "Hola team, the login page is down again",
    "We are moving on, merci",
    "Vamos team, ship it on Friday",
    "The mes file in the export is broken",
    "Thanks for the abonnement info on the invoice",
]


@pytest.mark.parametrize(("language", "text"), SHORT_MESSAGES)
def test_short_business_message_reads_as_its_language(language: str, text: str) -> None:
    assert detect_language(text).code == language


@pytest.mark.parametrize("text", ENGLISH_WITH_FOREIGN_WORDS)
def test_english_with_a_foreign_name_or_word_stays_english(text: str) -> None:
    assert detect_language(text).code == "en"


BARE_CANCELLATIONS = [
    "Si no lo arreglan, cancelamos.",
    "Cancelamos a fin de mes si no responden.",
    "Vamos a cancelar a fin de mes.",
    "Estimados: si esto no se resuelve hoy, cancelamos.",
    "Vamos cancelar no fim do mês.",
    "Se isso continuar, cancelamos.",
    "Vou cancelar, não aguento mais.",
    "Wenn das nicht besser wird, kündigen wir.",
    "Si rien ne change, on résilie.",
]

CANCELLED_NOT_THE_SERVICE = [
    "Vamos a cancelar la reunión del jueves.",
    "Cancelamos la llamada de mañana, gracias.",
    "Vamos a cancelar el pedido duplicado.",
    "Vamos cancelar a chamada de amanhã.",
    "Cancelamos a reunião de sexta.",
    "Vamos cancelar o pedido duplicado.",
    "Wir kündigen den Termin morgen.",
    "On annule la réunion de demain.",
    # A cancellation said not to happen.
    "Keine Sorge, wir kündigen nicht.",
    "Den Workshop müssen wir absagen, kündigen wir aber nicht.",
    "Wir haben nicht vor zu kündigen, alles gut.",
]


@pytest.mark.parametrize("text", BARE_CANCELLATIONS)
def test_bare_cancellation_of_the_service_is_churn(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).churn_risk


@pytest.mark.parametrize("text", CANCELLED_NOT_THE_SERVICE)
def test_cancelling_a_meeting_call_or_order_is_not_churn(analyzer: OfflineAnalyzer, text: str) -> None:
    assert not analyzer.analyze_text(text).churn_risk
