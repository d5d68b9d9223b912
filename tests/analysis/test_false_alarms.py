"""False alarms: messages that look like risk but that a CSM reads as calm or good news.

cs-signals labels a message by what it says about the customer's relationship with us. Someone else's
breach asked about, the customer's own internal trouble disclaimed ("nothing to do with you"), routine
compliance paperwork, a part of the account tidied away (a trial workspace, one user's role), and
commercial news in our favour all share words with real risk; none of them is churn, an incident of ours
or an escalation. Each group below pairs such messages (written for these tests) with contrasts that
share the words but put the trouble with us, and must still alert.
"""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label, RecommendedAction, Urgency
from bot.analysis.risk import RiskKind, disowned_spans, guarded, read_risks
from tests.support.readings import IDLE_ACTIONS


def _reads_calm(result) -> None:
    """Not a negative reading, no churn, no escalation: nothing a CSM would be alerted to."""
    assert result.label is not Label.negative, result
    assert not result.churn_risk, result
    assert result.recommended_action is not RecommendedAction.escalate, result


def _still_alerts(result, churn: bool = False) -> None:
    assert result.label is Label.negative, result
    assert result.urgency in (Urgency.medium, Urgency.high), result
    assert result.recommended_action not in IDLE_ACTIONS, result
    if churn:
        assert result.churn_risk, result


# --- someone else's security incident ----------------------------------------------------------------

ANOTHER_PARTYS_INCIDENT = [
    "Morning! Our CFO spotted a headline about Pellucid Pay getting hacked. Is that one of your "
    "subprocessors? Just need a yes or no for the minutes.",
    "Dear team, following the ransomware attack at a major payroll provider reported this week, could you "
    "confirm whether your service was affected? This is purely precautionary.",
    "we read about the credential leak at some SSO vendor - are you guys impacted at all? nothing urgent",
    "Hi, we had a phishing compromise on our own email server yesterday; our IT contained it and there's no "
    "sign that your tool was touched. Mentioning it so you're not surprised by the password resets.",
    "Good afternoon. I am writing because in the news there is a big data breach of a hosting company. "
    "Please can you tell if you are affected, we are a small clinic and want to be sure.",
    "Leímos en las noticias sobre una brecha de seguridad en otra empresa de software. ¿Les afectó de "
    "alguna forma? Es solo por precaución.",
    "Nous avons vu dans la presse le piratage d'un hébergeur. Êtes-vous concernés ? Simple précaution de "
    "notre part.",
    "Wir haben in den Nachrichten von einem Hackerangriff bei einem anderen Softwareanbieter gelesen. Sind "
    "Sie davon betroffen? Nur vorsichtshalber.",
    "Vimos nas notícias um vazamento de dados em outra empresa de CRM. Vocês foram afetados? É só por "
    "precaução.",
]

OUR_INCIDENT = [
    "I read in the news this morning that your platform was breached. Which of our records were exposed?",
    "A headline says your company got hacked last night and our customers are asking. Are we affected?",
    "Our agents can see another customer's tickets in the inbox right now.",
    "Your export emailed our contact list to someone at another company. This is a data leak.",
    "Leímos en las noticias que su plataforma fue hackeada. ¿Qué datos nuestros se filtraron?",
    "Wir haben gelesen, dass Ihre Plattform gehackt wurde. Welche unserer Daten sind betroffen?",
    # Another customer's data in our product is ours to answer, however precautionary the wording.
    "Flagging this as a precaution: our users can see another customer's invoices in the dashboard.",
    "Por precaución les aviso: en nuestro panel aparecen datos de otra empresa.",
    # Their data where stolen data is traded, the news only the context.
    "We read about the breach in the news. Our records are on a leak site; we only stored them in your tool.",
    "Our customer list is being sold on the dark web, and the only place it was kept is your CRM.",
    # One record of another company's, and a tester who got in, are incidents too.
    "One of our agents opened a ticket and saw a conversation from a different company.",
    "Our pen test vendor was able to enumerate user emails through your login page.",
]


@pytest.mark.parametrize("text", ANOTHER_PARTYS_INCIDENT)
def test_another_partys_incident_asked_about_is_no_incident_of_ours(analyzer, text) -> None:
    result = analyzer.analyze_text(text)
    strong = {signal.kind for signal in read_risks(text, result.language) if signal.strong}
    assert RiskKind.security not in strong
    _reads_calm(result)


@pytest.mark.parametrize("text", OUR_INCIDENT)
def test_an_incident_laid_at_our_door_still_alerts(analyzer, text) -> None:
    result = analyzer.analyze_text(text)
    assert RiskKind.security in {signal.kind for signal in read_risks(text, result.language) if signal.strong}
    _still_alerts(result)
    assert result.urgency is Urgency.high


# --- trouble the customer puts with themselves --------------------------------------------------------

DISCLAIMED = [
    "We're pausing the rollout until February because of our year-end code freeze, nothing to do with you.",
    "Heads up: we have to put the deployment on hold for a couple of weeks. Purely internal, our security "
    "team is re-reviewing all vendors' firewall rules, nothing to do with your product.",
    "one of our clients escalated to me about their own card processor, that's why I went quiet. not about "
    "you at all",
    "Apologies, the sync errors last night were caused by our own ERP upgrade, ours not yours.",
    "Pausamos el despliegue hasta enero por nuestro cierre contable, no tiene nada que ver con ustedes.",
    "Nous suspendons le déploiement pendant notre gel de fin d'année, rien à voir avec vous.",
    "Wir müssen das Rollout wegen unserer internen Umstrukturierung pausieren, das hat nichts mit Ihnen zu "
    "tun.",
    "Vamos pausar a implantação por causa da auditoria interna, nada a ver com vocês.",
]

NOT_DISCLAIMED = [
    ("We're pausing the rollout because your connector keeps failing.", False),
    ("Nothing to do with you personally, but we're cancelling our subscription at the end of the month.",
     True),
    ("We're pausing the rollout over our code freeze, nothing to do with you. Separately, your API has been "
     "down since this morning and our team can't work.", False),
    ("We're moving to a competitor next quarter; it's nothing to do with you, the new CIO prefers them.",
     True),
    ("Pausamos el despliegue porque su plataforma se ha caído tres veces esta semana.", False),
    # A disclaimer before a contrast does not reach past it.
    ("Nothing to do with you, but payroll is blocked because the export came back empty.", False),
    ("Das hat nichts mit Ihnen zu tun, aber unsere Gehaltsabrechnung ist blockiert.", False),
]


@pytest.mark.parametrize("text", DISCLAIMED)
def test_trouble_the_customer_disclaims_is_calm(analyzer, text) -> None:
    result = analyzer.analyze_text(text)
    _reads_calm(result)


@pytest.mark.parametrize(("text", "churn"), NOT_DISCLAIMED)
def test_a_disclaimer_does_not_cover_our_trouble_or_a_goodbye(analyzer, text, churn) -> None:
    _still_alerts(analyzer.analyze_text(text), churn=churn)


def test_a_disclaimer_covers_its_own_sentence_and_the_one_before() -> None:
    text = "We're pausing the rollout for now. Our change freeze, nothing to do with you. Your API is down."
    spans = disowned_spans(text)
    covered = [text[start:end].strip() for start, end in spans]
    assert covered == ["We're pausing the rollout for now.", "Our change freeze, nothing to do with you."]


def test_a_quote_disowning_the_trouble_explains_a_calmer_reading() -> None:
    assert guarded("Saw the news about the breach at another vendor, are you affected?")
    assert not guarded("Saw the news that your platform was breached.")


# --- routine compliance and reviews we passed ----------------------------------------------------------

ROUTINE_COMPLIANCE = [
    "Hello, our procurement team runs a supplier security assessment each spring under section 14 of the "
    "MSA. The form is attached; could you return it within a month?",
    "could u send over ur latest SOC 2 type 2 + pen test summary? auditors want it in the vendor file",
    "Our grant funder asks every software supplier for a one-page data protection statement. Would you "
    "mind drafting one?",
    "FYI the cost review wrapped up and you're on the keep list for next year. Nice one!",
    "Spend review is finished: your contract was looked at with all the others and yours stays.",
    "The procurement audit went fine, your tool sailed through without questions.",
    "Para la evaluación anual de proveedores necesitamos su informe SOC 2. ¿Nos lo pueden enviar?",
    "Pour notre revue annuelle des fournisseurs, pourriez-vous remplir le questionnaire de sécurité joint ?",
]

REVIEW_THAT_NAMES_US = [
    ("Our CFO started a spend review and your contract is one of the ones on the chopping block.", True),
    ("The security review of your platform found two critical findings in the API.", False),
    ("Vendor consolidation review: every tool is up for cuts, including yours.", True),
]


@pytest.mark.parametrize("text", ROUTINE_COMPLIANCE)
def test_routine_compliance_and_reviews_we_passed_are_calm(analyzer, text) -> None:
    _reads_calm(analyzer.analyze_text(text))


@pytest.mark.parametrize(("text", "churn"), REVIEW_THAT_NAMES_US)
def test_a_review_that_finds_against_us_still_alerts(analyzer, text, churn) -> None:
    _still_alerts(analyzer.analyze_text(text), churn=churn)


# --- a part of the account, not the relationship -------------------------------------------------------

PART_OF_THE_ACCOUNT = [
    "Please downgrade Jonas from Admin to Viewer, he's moved into finance.",
    "Can you downgrade the user role for ana@ourco.com? She doesn't need admin anymore.",
    "Could you cancel my daily digest subscription? I get the same info in the app.",
    "Please delete the trial workspace we set up for the pilot, the main account carries on as normal.",
    "We ended up with a duplicate workspace after the SSO migration; please close the duplicate account.",
    "Kindly unsubscribe finance@ourco.com from the subscription to the weekly usage reports.",
    "Por favor, cancelen la suscripción al resumen semanal por correo de mi usuario.",
    "Bitte das Newsletter-Abo für unser Team kündigen, danke.",
]

SHRINKING = [
    "Please downgrade us to the Starter plan at renewal.",
    "We'll be cutting from 60 seats to 25 when the contract renews.",
    "Please cancel our subscription effective end of month.",
    "We won't need the reporting add-on next year, please drop it from the renewal.",
    "Por favor, cancelen nuestra suscripción a partir del mes que viene.",
]


@pytest.mark.parametrize("text", PART_OF_THE_ACCOUNT)
def test_tidying_a_part_of_the_account_is_no_churn(analyzer, text) -> None:
    _reads_calm(analyzer.analyze_text(text))


@pytest.mark.parametrize("text", SHRINKING)
def test_shrinking_the_account_is_still_churn(analyzer, text) -> None:
    _still_alerts(analyzer.analyze_text(text), churn=True)


# --- commercial news in our favour ---------------------------------------------------------------------

GOOD_COMMERCIAL_NEWS = [
    "Exciting update: after the acquisition the group is standardizing on your platform, and the other "
    "business unit will migrate off Intercom onto you in Q3.",
    "We're not renewing the legacy ticketing tool, so we'll move those agents onto your platform instead.",
    "We won't renew our contract with the previous survey vendor; we'll use your survey module instead.",
    "I'm escalating the quote to our VP for sign-off on the 20 extra seats, should be back to you Friday.",
    "Just so you know, the SLA credits were applied to our invoice, thanks for handling that quickly.",
    "Procurement rules mean we'll tender this in 2031, which is years away, so nothing to plan for now.",
    "Nach der Übernahme wechseln wir auch die Tochterfirma zu Ihnen.",
    "Depois da fusão, vamos migrar a outra empresa para a plataforma de vocês.",
]

BAD_COMMERCIAL_NEWS = [
    "After the acquisition the group is standardizing on Zendesk, so we'll move off your platform next year.",
    "We're not renewing our contract with you; the board chose another vendor.",
    "I'm escalating this to our VP because the outage is still not fixed after three days.",
    "We're going out to tender next month and gathering quotes from other providers.",
    "We're claiming SLA credits for last week's outage; it breached the 99.9% commitment.",
]


@pytest.mark.parametrize("text", GOOD_COMMERCIAL_NEWS)
def test_commercial_news_in_our_favour_is_no_risk(analyzer, text) -> None:
    _reads_calm(analyzer.analyze_text(text))


@pytest.mark.parametrize("text", BAD_COMMERCIAL_NEWS)
def test_commercial_news_against_us_still_alerts(analyzer, text) -> None:
    _still_alerts(analyzer.analyze_text(text))


# --- renewing as it is, seats added in other languages ---------------------------------------------------


@pytest.mark.parametrize("text", [
    "We don't intend to change anything at renewal, same plan please.",
    "Happy to renew as is for another year.",
    "Same seat count as last year, please send the paperwork.",
    "Nous ajoutons 30 licences pour la filiale de Lyon.",
    "Wir erweitern auf 80 Lizenzen, bitte Angebot schicken.",
    # the renewal's paperwork asked for
    "Our CFO asked for the renewal quote by end of month.",
    "El contrato vence en junio, ¿nos enviáis la propuesta de renovación?",
    "Le contrat arrive à échéance en juin, pouvez-vous envoyer le devis de renouvellement ?",
    "Der Vertrag läuft im Juni aus, schickt ihr uns das Verlängerungsangebot?",
    "O contrato vence em junho, podem mandar a proposta de renovação?",
    # a document asked for, a new person introduced
    "Our parent company wants a copy of the contract for their records.",
    "We have a new VP of Support starting, could you set up an intro?",
    # one user's account changed, a contact who stays, a merger onto us
    "Please deactivate the account for Tomas Berg, he left the company last week.",
    "Ich wurde zur Teamleiterin befördert, bleibe aber eure Ansprechpartnerin.",
    "Me han ascendido, pero seguiré siendo vuestra interlocutora para la plataforma.",
    "J'ai été promue, mais je reste votre contact pour l'outil.",
    "Depois da fusão, o grupo decidiu padronizar na plataforma de vocês em todas as unidades.",
])
def test_a_renewal_as_it_is_or_seats_added_is_no_risk(analyzer, text) -> None:
    _reads_calm(analyzer.analyze_text(text))


@pytest.mark.parametrize("text", [
    "Thanks for the renewal proposal. We'll only renew 20 of the 40 seats.",
    "Please send the renewal quote, we'll set it against the Zendesk offer we have.",
    "Thanks for the renewal quote. Frankly the uplift is unacceptable and we are reviewing alternatives.",
])
def test_paperwork_beside_a_risk_still_alerts(analyzer, text) -> None:
    _still_alerts(analyzer.analyze_text(text))


# --- news in our favour told at length ---------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "After the acquisition we're consolidating onto Loomly across all brands, so we won't have to migrate "
    "anything.",
    "The group will standardise on Harborline after the merger; could you quote 150 additional seats?",
    "Patrick: the uplift isn't welcome, budgets are tight, but we'll go ahead on the same terms.",
    "Bitte ändern Sie unsere Rechnungsanschrift ab sofort auf die neue Adresse in Stuttgart.",
    "Segue em anexo o contrato de renovação assinado. Estamos muito satisfeitos.",
])
def test_news_in_our_favour_told_at_length_raises_no_churn(analyzer, text) -> None:
    result = analyzer.analyze_text(text)
    assert not result.churn_risk, result
    assert result.recommended_action is not RecommendedAction.escalate, result


def test_a_speakers_name_on_the_next_line_is_no_vendor_under_review() -> None:
    text = "budget review results are in for the tooling line\n\nPriya 10:02\nyour renewal was approved"
    assert not [signal for signal in read_risks(text) if signal.strong]


def test_a_failure_the_customer_sorted_needs_nothing_soon(analyzer) -> None:
    result = analyzer.analyze_text(
        "The bulk import failed twice but worked on the third attempt. Nothing needed from your side, feel "
        "free to close this."
    )
    assert result.urgency is Urgency.low and not result.churn_risk, result


@pytest.mark.parametrize("text", [
    "How do I set up a rule that auto-closes tickets when the customer hasn't replied in 7 days?",
    "Is there a way to remind agents when a ticket has had no answer for two days?",
])
def test_a_how_to_question_about_waiting_is_a_question(analyzer, text) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.neutral and result.urgency is Urgency.low, result


def test_a_how_to_question_about_something_failing_is_still_a_problem(analyzer) -> None:
    result = analyzer.analyze_text("How can we export tickets if the API keeps failing?")
    assert result.label is Label.negative, result


@pytest.mark.parametrize("text", [
    "Finance finished the annual tool review and you came out as one of the platforms we're keeping.",
    "We did look at other options during last quarter's market review, and the team voted to stay with you.",
    "A few of us drifted back to the old spreadsheets at first, but now everyone is on board.",
    "Notre service juridique a relu les clauses de résiliation et n'a rien à signaler.",
])
def test_a_risk_word_in_news_that_went_our_way_raises_no_strong_risk(analyzer, text) -> None:
    language = analyzer.analyze_text(text).language
    assert not [signal for signal in read_risks(text, language) if signal.strong]


def test_last_quarters_data_vanishing_is_still_an_incident() -> None:
    assert [s for s in read_risks("all of last quarter's data vanished from the dashboard") if s.strong]
