"""Praise and trouble in one Spanish, French, German or Portuguese message.

cs-signals: a problem that hurts them is negative, however kindly it is put, so praise of the people who
help ("el equipo de soporte es genial") does not hide a thing still broken; the same trouble reported fixed
is the story of a fix, and the thanks for it is gratitude. Every message here is written for these tests.
"""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label, Urgency
from tests.support.readings import IDLE_ACTIONS

# --- a thing broken, the people praised -----------------------------------------------------------------

BROKEN_WITH_THE_PEOPLE_PRAISED = [
    ("es", "El informe mensual no carga desde el martes, aunque vuestro equipo es majísimo y excelente."),
    ("es", "Buenas, las facturas no exportan nada desde ayer. El soporte es fantástico, gracias."),
    ("es", "los paneles no cargan hoy. la gente de atención al cliente, estupenda como siempre"),
    ("fr", "La synchro ne fonctionne plus depuis ce matin, mais votre équipe est formidable. Merci."),
    ("fr", "Les tableaux ne se chargent pas depuis lundi. Le support est excellent, bravo à Karim."),
    ("fr", "Bonjour, l'appli ne marche plus chez nous. Vos conseillers sont fantastiques, merci d'avance."),
    ("de", "Die Rechnungen laden seit Dienstag nicht. Ihr Kundenservice ist hervorragend, danke trotzdem."),
    ("de", "Der Import funktioniert seit heute früh nicht, aber Ihre Kollegen sind großartig."),
    ("de", "Hallo, die Berichte laden gar nicht. Das Support-Team ist wunderbar. Viele Grüße"),
    ("pt", "Os painéis não carregam desde terça, mas o pessoal do atendimento é excelente. Obrigada."),
    ("pt", "A integração não funciona desde ontem. A equipe de vocês é incrível, obrigado pela paciência."),
    ("pt", "oi, os relatórios pararam de funcionar. o suporte é maravilhoso, valeu"),
]


@pytest.mark.parametrize(("language", "text"), BROKEN_WITH_THE_PEOPLE_PRAISED)
def test_a_thing_broken_stays_a_complaint_when_the_people_are_praised(analyzer, language, text):
    result = analyzer.analyze_text(text)
    assert result.language == language, result
    assert result.label is Label.negative, result
    assert result.urgency is not Urgency.low, result  # a problem that hurts them: within days
    assert result.recommended_action not in IDLE_ACTIONS, result


# Look-alikes: the same words with the thing working again, or praise of the product itself.
FIXED_AND_THANKED = [
    ("es", "El informe no cargaba, pero ya está resuelto. Gracias, el equipo es excelente."),
    ("es", "La app se colgaba, pero por fin funciona perfectamente. ¡Mil gracias al soporte!"),
    ("fr", "La synchro ne marchait plus, mais c'est réglé maintenant. Merci, équipe formidable."),
    ("fr", "Le tableau plantait, mais maintenant tout fonctionne parfaitement. Merci au support!"),
    ("de", "Der Import ist abgestürzt, aber jetzt läuft alles wieder einwandfrei. Danke ans Support-Team!"),
    ("de", "Die Berichte luden nicht, aber jetzt ist es behoben. Vielen Dank, tolle Kollegen."),
    ("pt", "A integração não funcionava, mas já está resolvido. Obrigado, equipe excelente."),
    ("pt", "O app travava, mas agora está funcionando perfeitamente. Obrigada ao suporte!"),
]


@pytest.mark.parametrize(("language", "text"), FIXED_AND_THANKED)
def test_a_problem_reported_fixed_with_thanks_stays_gratitude(analyzer, language, text):
    result = analyzer.analyze_text(text)
    assert result.language == language, result
    assert result.label is Label.positive, result
    assert result.urgency is Urgency.low, result


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "Vuestro equipo es excelente, gracias por la formación de ayer."),
        ("fr", "Votre équipe est formidable, merci pour l'accompagnement."),
        ("de", "Ihr Support-Team ist hervorragend, danke für die Einrichtung."),
        ("pt", "A equipe de vocês é incrível, obrigado pelo treinamento."),
    ],
)
def test_praise_of_the_people_with_nothing_broken_stays_praise(analyzer, language, text):
    result = analyzer.analyze_text(text)
    assert result.language == language, result
    assert result.label is Label.positive, result
