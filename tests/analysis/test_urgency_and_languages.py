"""Urgency read from deadlines and blockers, and risks written natively in Spanish, French, German and
Portuguese (cs-signals: a near deadline, a team unable to work, a third try, lost data or another
tenant's access are for today; a conditional threat to leave is churn risk).

Written for these tests (not taken from the corpus), each with look-alikes that must not change.
"""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label, RecommendedAction, Urgency
from bot.analysis.offline import OfflineAnalyzer
from tests.support.readings import IDLE_ACTIONS as IDLE

# --- urgency: a deadline within about two days ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Invoices won't generate and month-end close is in two days.",
        "The reports are wrong and our board meeting is in two days.",
        "Nothing exports to PDF and the audit is due tomorrow.",
        "The booking page is still broken. We need it working by end of day.",
    ],
)
def test_a_problem_with_a_deadline_within_two_days_is_for_today(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative
    assert result.urgency is Urgency.high


@pytest.mark.parametrize(
    "text",
    [
        "Could you send the signed order form by end of day? Thanks!",
        "Please confirm the billing address for the invoice by tomorrow, thanks.",
    ],
)
def test_a_deadline_on_an_admin_request_raises_no_alarm(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is not Label.negative


def test_a_problem_fixed_before_the_deadline_is_not_for_today(analyzer: OfflineAnalyzer) -> None:
    result = analyzer.analyze_text("The export is fixed now, thanks, in time for the audit due tomorrow.")
    assert result.urgency is not Urgency.high


# --- urgency: a team unable to work, the third try ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Everything's broken since the release and nobody on our team can create orders.",
        "No one on the team can process invoices since this morning's update.",
        "We haven't been able to send any campaigns for two days. What is going on?",
        "Our warehouse hasn't been able to ship since Monday because labels won't print.",
    ],
)
def test_a_team_unable_to_work_is_for_today(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative
    assert result.urgency is Urgency.high


@pytest.mark.parametrize(
    "text",
    [
        "Reached out 3 times on chat, no answer. Very disappointing.",
        "I've emailed four times about the refund and heard nothing back.",
        "We called support several times this week and the ticket is still open.",
    ],
)
def test_three_or_more_tries_is_the_third_follow_up(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative
    assert result.urgency is Urgency.high


@pytest.mark.parametrize(
    "text",
    [
        "We haven't been able to try the new editor yet, will do next week.",
        "We reached out to three vendors last year and picked you.",
    ],
)
def test_not_having_tried_yet_is_no_blocker(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.urgency is not Urgency.high


# --- English commercial risk -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "If this outage happens again during our peak, we'll have to rethink the partnership.",
        "Honestly we're rethinking the renewal after this quarter.",
        "Another month like this and leadership will want to rethink our contract with you.",
    ],
)
def test_rethinking_the_relationship_is_churn_risk(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and result.label is Label.negative
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize(
    "text",
    [
        "We'll be moving our EU entity off the platform next quarter to save costs.",
        "Finance wants us to migrate the support team away from your platform by June.",
        "We're taking our APAC business off the tool at renewal.",
    ],
)
def test_moving_part_of_the_business_off_the_platform_is_churn_risk(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and result.label is Label.negative


def test_moving_work_onto_the_platform_is_not_churn(analyzer: OfflineAnalyzer) -> None:
    result = analyzer.analyze_text(
        "We're moving our EU entity off spreadsheets and onto your platform next quarter!"
    )
    assert not result.churn_risk and result.label is not Label.negative


def test_rethinking_a_layout_is_not_churn(analyzer: OfflineAnalyzer) -> None:
    assert not analyzer.analyze_text("We need to rethink our dashboard layout before the offsite.").churn_risk


@pytest.mark.parametrize(
    "text",
    [
        "Data from last Tuesday is missing entirely from the usage report.",
        "Records for the Leeds branch are missing since the import.",
    ],
)
def test_missing_data_with_a_qualifier_is_for_today(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high


# --- growth held up by a problem ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We're blocked on onboarding the new region until the custom domain is verified. Any update?",
        "Rolling out to the new Madrid team is blocked by the SSO error. Can you help?",
    ],
)
def test_growth_blocked_by_a_problem_is_not_filed_as_expansion(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).recommended_action is not RecommendedAction.expansion_follow_up


def test_plain_growth_stays_an_expansion(analyzer: OfflineAnalyzer) -> None:
    result = analyzer.analyze_text("We'd like to add 15 seats for the new Dublin team starting next month.")
    assert result.recommended_action is RecommendedAction.expansion_follow_up


# --- other languages: another tenant's access, exposed credentials ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kunden eines anderen Mandanten konnten unsere Rechnungen sehen. Das ist ein Datenschutzvorfall.",
        "Nutzer einer fremden Firma können seit gestern unsere Verträge herunterladen.",
        "Quelqu'un d'une autre société a accès à nos dossiers. C'est inadmissible.",
        "Des utilisateurs d'un autre client voient nos factures depuis ce matin.",
        "Alguien de otra empresa tiene acceso a nuestros expedientes.",
        "Usuários de outra empresa conseguem ver os nossos contratos.",
        "Unsere Zugangsdaten wurden in Ihrem Statusportal öffentlich angezeigt.",
        "Les mots de passe de nos agents apparaissent en clair dans vos journaux.",
    ],
)
def test_another_tenants_access_or_exposed_credentials_is_a_security_incident(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize(
    "text",
    [
        "Alguien de otra empresa nos recomendó su herramienta, ¡gracias!",
        "Quelqu'un d'une autre société nous a parlé de vous, merci !",
    ],
)
def test_a_referral_from_another_company_is_no_incident(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).urgency is not Urgency.high


# --- other languages: lost data, the platform down -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "On a perdu toutes les notes clients après la migration d'hier. C'est catastrophique.",
        "La mise à jour a effacé nos contacts, toute la base.",
        "Perdemos todos os registros de vendas de ontem depois da atualização.",
        "A sincronização apagou os pedidos da semana.",
        "Perdimos todos los pedidos de ayer después de la actualización.",
        "Ya es la cuarta vez que la sincronización borra contactos.",
    ],
)
def test_lost_data_in_another_language_is_for_today(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high


@pytest.mark.parametrize(
    "text",
    [
        "Genial, otra vez se cayó el sistema justo en cierre de mes. Qué maravilla.",
        "La plataforma se ha caído y no sabemos nada.",
        "Olá, a plataforma caiu bem no fechamento do mês e estamos sem acesso.",
    ],
)
def test_the_platform_down_in_another_language_is_for_today(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high


@pytest.mark.parametrize(
    "text",
    [
        "nuestro SAP se cayó otra vez, así que los pedidos no entran. no es cosa vuestra, solo aviso.",
        "o nosso ERP caiu de novo. problema nosso, só avisando.",
    ],
)
def test_the_customers_own_system_down_is_not_our_outage(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).urgency is not Urgency.high


# --- other languages: commercial risk ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ya es la cuarta vez que la sincronización borra contactos. Si sigue así, cancelamos.",
        "Como esto siga igual, nos vamos a otro proveedor.",
        "Si ça continue, on va résilier l'abonnement.",
        "Wenn das so weitergeht, kündigen wir den Vertrag.",
        "Se isso continuar assim, vamos cancelar a assinatura.",
    ],
)
def test_a_conditional_threat_to_leave_is_churn_risk(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and result.label is Label.negative


@pytest.mark.parametrize(
    "text",
    [
        "Nos han ofrecido una solución parecida por la mitad de precio.",
        "Tenemos una propuesta de otro proveedor un 30 % más barata.",
    ],
)
def test_a_cheaper_offer_in_spanish_is_churn_risk(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and result.recommended_action not in IDLE


@pytest.mark.parametrize(
    "text",
    [
        "Franchement, on se demande si l'outil vaut encore le prix qu'on paie.",
        "C'est ce que je paie chaque mois, et je me demande si ça vaut le coup.",
    ],
)
def test_the_french_verb_paie_is_not_payroll(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).urgency is not Urgency.high


def test_french_payroll_blocked_stays_for_today(analyzer: OfflineAnalyzer) -> None:
    result = analyzer.analyze_text("La paie est bloquée depuis la mise à jour, impossible de payer.")
    assert result.label is Label.negative and result.urgency is Urgency.high


# --- praise closing a message about a failure ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "lol the mobile app logged me out 6 times today. amazing work guys",
        "Export broke for the third time this week. Impressive.",
        "The app kicked us out again during the demo, well done",
        "The sync failed again overnight, great job team 🙄",
    ],
)
def test_praise_closing_a_failure_is_irony(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize(
    "text",
    [
        "The sync failed on Monday, you fixed it within the hour. Great job, team.",
        "It logs you out after 30 minutes which is fine. Great work guys",
        "Thanks for jumping on the export error so fast. Amazing work guys!",
        "The new scheduler saves our planners a day every month. Great work guys!",
    ],
)
def test_praise_for_a_fix_or_a_setting_stays_praise(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not result.sarcasm and result.label is Label.positive


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, un autre client voit nos données dans son tableau de bord depuis ce matin.",
        "Des utilisateurs d'une autre entreprise ont accès à nos factures !",
        "Hallo, ein anderer Kunde sieht unsere Daten in seinem Dashboard.",
        "Andere Nutzer können auf unsere Rechnungen zugreifen.",
        "Hola, otro cliente puede ver nuestros datos en su panel.",
        "Otra empresa tiene acceso a nuestras facturas desde ayer.",
        "Olá, outro cliente consegue ver os nossos dados no painel dele.",
        "Outra empresa está vendo as nossas faturas.",
    ],
)
def test_another_customer_seeing_our_data_is_a_security_incident_in_every_language(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize(
    "text",
    [
        "Un autre client nous a recommandé vos services, merci !",
        "Otro cliente nos habló muy bien de ustedes.",
        "Outro cliente indicou vocês para nós, obrigado!",
        "Pouvez-vous importer nos données comme pour un autre client ?",
    ],
)
def test_another_customer_named_without_our_data_is_no_incident(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).urgency is not Urgency.high
