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


# --- praise built from trouble words ----------------------------------------------------------------------

PRAISE_IN_TROUBLE_WORDS = [
    ("es", "Sinceramente, no podríamos trabajar sin esta herramienta."),
    ("es", "Después de un año con ustedes, ya no volveríamos a las hojas de cálculo."),
    ("es", "El flujo automático nos ahorra varias horas cada lunes, gracias."),
    ("fr", "Toute l'équipe le dit : on ne pourrait plus s'en passer."),
    ("fr", "L'intégration nous fait gagner des heures chaque mois."),
    ("fr", "Nous ne reviendrions jamais aux tableurs d'avant."),
    ("de", "Ehrlich gesagt wollen wir nie wieder zurück zu den alten Tabellen."),
    ("de", "Der neue Workflow spart uns jede Woche Stunden."),
    ("de", "Wir könnten nicht mehr ohne das Dashboard arbeiten."),
    ("pt", "Sinceramente, não vivemos mais sem vocês."),
    ("pt", "O fluxo automático economiza horas da equipe toda semana."),
    ("pt", "Nunca mais voltaríamos para as planilhas, obrigado!"),
]


@pytest.mark.parametrize(("language", "text"), PRAISE_IN_TROUBLE_WORDS)
def test_praise_built_from_trouble_words_reads_as_praise(analyzer, language, text):
    result = analyzer.analyze_text(text)
    assert result.language == language, result
    assert result.label is Label.positive, result
    assert result.urgency is Urgency.low, result
    assert not result.churn_risk, result


# Look-alikes: the same words about a way of working that is blocked, or time not saved.
TROUBLE_IN_THE_SAME_WORDS = [
    ("es", "No podemos trabajar sin acceso al panel, lleva caído toda la mañana."),
    ("fr", "Nous ne pouvons plus travailler, la plateforme est en panne depuis ce matin."),
    ("de", "Wir können nicht mehr zurück zur alten Version, weil der Export ständig abstürzt."),
    ("de", "Das neue Modul spart uns keine Zeit, es stürzt dauernd ab."),
    ("pt", "Não conseguimos mais trabalhar, o sistema caiu de novo."),
]


@pytest.mark.parametrize(("language", "text"), TROUBLE_IN_THE_SAME_WORDS)
def test_trouble_in_the_same_words_stays_a_complaint(analyzer, language, text):
    result = analyzer.analyze_text(text)
    assert result.language == language, result
    assert result.label is Label.negative, result
    assert result.recommended_action not in IDLE_ACTIONS, result


# --- a threat that never came to pass -------------------------------------------------------------------

AVERTED_THREATS = [
    ("es", "Estuvimos a punto de dar de baja la cuenta, pero Andrés nos llamó y lo arregló todo. Gracias."),
    ("es", "Casi nos cambiamos a otro proveedor, hasta que vuestro soporte resolvió la integración."),
    ("fr", "Nous étions sur le point de résilier, mais Léa nous a rappelés et a tout corrigé. Merci."),
    ("fr", "J'avais failli annuler l'abonnement, heureusement le support a réglé le souci en une heure."),
    ("de", "Ich wollte eigentlich schon kündigen, aber Ihr Support hat das Problem über Nacht behoben."),
    ("de", "Wir standen kurz davor, den Anbieter zu wechseln, doch Ihr Team hat alles geklärt. Danke!"),
    ("pt", "Estávamos a ponto de cancelar a assinatura, mas o Rafael ligou e resolveu tudo. Obrigado."),
    ("pt", "Quase cancelamos o contrato, até que o suporte corrigiu a integração."),
]


@pytest.mark.parametrize(("language", "text"), AVERTED_THREATS)
def test_an_averted_threat_is_no_churn_and_no_escalation(analyzer, language, text):
    result = analyzer.analyze_text(text)
    assert result.language == language, result
    assert not result.churn_risk, result
    assert result.label is not Label.negative, result
    assert result.recommended_action.value != "escalate", result


# Look-alikes: the threat still standing, held open by a condition, or a threat made plainly.
THREATS_STILL_STANDING = [
    ("es", "Estábamos a punto de cancelar el contrato, pero si no lo arreglan hoy, lo cancelamos."),
    ("es", "Vamos a cancelar la suscripción, el export lleva una semana roto."),
    ("fr", "On était prêts à résilier, mais personne n'a rien réglé, donc nous résilions le contrat."),
    ("fr", "Nous allons résilier notre abonnement à la fin du mois."),
    ("de", "Wir wollten schon kündigen, aber es ist immer noch nicht gelöst. Wir kündigen den Vertrag."),
    ("de", "Wir kündigen den Vertrag zum Monatsende."),
    ("pt", "Estávamos prestes a cancelar a assinatura, mas ninguém resolveu nada até agora."),
    ("pt", "Vamos cancelar a assinatura no fim do mês, ninguém resolve os erros da exportação."),
]


@pytest.mark.parametrize(("language", "text"), THREATS_STILL_STANDING)
def test_a_threat_still_standing_stays_churn(analyzer, language, text):
    result = analyzer.analyze_text(text)
    assert result.language == language, result
    assert result.churn_risk, result
    assert result.label is Label.negative, result
