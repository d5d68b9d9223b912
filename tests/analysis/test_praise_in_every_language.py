"""Thanks and praise written in Spanish, French, German or Portuguese are positive (cs-signals), read by the
analyzer users get (the rules and the shipped reading model): a fix confirmed with thanks, a friendly email
around a small question, praise beside a small ask. Thanks that is sarcastic, a polite closing on a complaint,
and praise followed by a problem or a risk stay what they are.
"""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label
from bot.analysis.offline import OfflineAnalyzer
from tests.support.readings import IDLE_ACTIONS


@pytest.mark.parametrize(
    "text",
    [
        "Merci pour votre aide, tout fonctionne parfaitement maintenant.",
        "Je vous remercie, la synchronisation marche parfaitement maintenant.",
        "Merci à vous, tout marche nickel de notre côté.",
        "Merci infiniment, ça marche nickel maintenant.",
        "Muito obrigada pela paciência, agora está funcionando perfeitamente.",
        "Muito obrigado pela ajuda, agora está tudo funcionando perfeitamente.",
        "Vielen Dank, die Anmeldung funktioniert jetzt wieder einwandfrei.",
        "Muchas gracias por el apoyo, ya funciona todo perfectamente en nuestra cuenta.",
    ],
)
def test_a_fix_confirmed_with_thanks_is_positive(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.positive, (result.score, result.recommended_action)


@pytest.mark.parametrize(
    "text",
    [
        "Wir sind sehr zufrieden mit der neuen Version, großes Lob!",
        "Wir sind rundum zufrieden mit dem Support, großes Lob an Jonas!",
        "Te agradezco muchísimo, el equipo está encantado con los nuevos informes.",
        "Agradeço imensamente o atendimento, foi impecável.",
    ],
)
def test_praise_for_the_team_or_the_product_is_positive(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.positive


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour Marc,\n\nJe voulais vous dire que l'équipe est vraiment contente de l'outil depuis le "
        "déploiement, merci pour votre accompagnement. Petite question : est-il possible d'exporter les "
        "rapports en PDF ?\n\nBien cordialement,\nSophie",
        "Bonjour Claire,\n\nUn grand merci pour la formation, l'équipe est ravie. Petite question : peut-on "
        "ajouter un deuxième administrateur ?\n\nBien à vous,\nLéa",
        "Hola Ana,\n\nQuería agradeceros el trabajo de estas semanas, el equipo está encantado con la "
        "plataforma. Una pregunta: ¿cuándo sale la próxima versión?\n\nUn saludo,\nJavier",
    ],
)
def test_a_friendly_email_around_a_small_question_is_positive(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.positive


@pytest.mark.parametrize(
    "text",
    [
        "Merci, ça marche parfaitement ! Pourriez-vous aussi m'envoyer la facture de mars ?",
        "Gracias, ya funciona. ¿Me podrías enviar también la factura de marzo?",
        "Danke, läuft wieder perfekt! Könnten Sie mir noch die Rechnung für März schicken?",
        "Obrigado, agora funciona! Vocês podem me mandar a nota fiscal de março?",
        "Obrigado, já funciona! Podem me enviar o boleto de abril?",
    ],
)
def test_praise_beside_a_small_ask_is_positive(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.positive


@pytest.mark.parametrize(
    "text",
    [
        "Merci de m'envoyer la facture de mars.",
        "¿Podrían enviarme la factura de marzo? Gracias.",
        "Könnten Sie mir die Rechnung schicken? Danke.",
        "Vocês podem mandar a nota fiscal? Obrigado.",
        "Bien reçu, merci.",
        "Passt, danke!",
    ],
)
def test_thanks_on_an_admin_request_or_a_receipt_stays_neutral(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.neutral


@pytest.mark.parametrize(
    "text",
    [
        "Merci pour rien, le problème est toujours là.",
        "Danke für nichts, es geht immer noch nicht.",
        "Super, encore une panne. Merci beaucoup.",
        "Genial, otra vez caído. Muchas gracias.",
        "Toll, schon wieder ausgefallen. Danke auch.",
    ],
)
def test_sarcastic_thanks_is_never_positive(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is not Label.positive and result.recommended_action not in IDLE_ACTIONS


@pytest.mark.parametrize(
    "text",
    [
        "L'export est cassé depuis hier. Merci d'avance pour votre retour.",
        "La exportación no funciona desde ayer. Gracias de antemano.",
        "Der Export funktioniert seit gestern nicht. Danke im Voraus.",
        "A exportação não funciona desde ontem. Obrigado desde já.",
    ],
)
def test_a_polite_closing_on_a_complaint_is_negative(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.negative


@pytest.mark.parametrize(
    "text",
    [
        "Danke für den Fix, aber jetzt fehlen Daten im Bericht.",
        "Merci pour tout ce travail, mais nous allons résilier notre contrat à la fin de l'année.",
        "Gracias por todo, pero no vamos a renovar el contrato.",
        "Vielen Dank für die Zusammenarbeit, wir werden den Vertrag aber kündigen.",
        "Muito obrigado por tudo, mas vamos cancelar nossa assinatura.",
    ],
)
def test_praise_followed_by_a_problem_or_a_risk_is_negative(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.negative
