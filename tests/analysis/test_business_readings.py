"""Business readings of the offline analyzer, by phenomenon (`../shared/docs/cs-signals.md`).

Each phenomenon is a way customers put a risk (or its absence) that a pattern must read whatever the
wording: the first example of each group is where it was found, the others are paraphrases in other verbs,
tenses and word orders; the look-alikes share the words and carry no risk (or the opposite one) and must not
change. An alert-worthy message must never read as good news or as nothing to do; a look-alike must not
raise an alert.
"""

from __future__ import annotations

import pytest

from bot.analysis.contract import AnalysisResult, Label, Urgency
from bot.analysis.offline import OfflineAnalyzer
from tests.support.readings import IDLE_ACTIONS


def _alerts(result: AnalysisResult) -> bool:
    """cs-signals' alert-worthy: churn risk, or negative with medium or high urgency."""
    return result.churn_risk or (result.label is Label.negative and result.urgency is not Urgency.low)


def _reads_as_alert(result: AnalysisResult) -> bool:
    idle = result.recommended_action in IDLE_ACTIONS
    return _alerts(result) and result.label is not Label.positive and not idle


def _described(result: AnalysisResult) -> str:
    return (f"{result.label.value}/{result.urgency.value}/churn={result.churn_risk}/"
            f"{result.recommended_action.value} {result.evidence}")


# --- a comma inside a risk phrase (an appositive) does not end the clause -----------------------------------

@pytest.mark.parametrize("text", [
    "Copying my director, Mr. Hale, as this has now affected two reporting cycles and requires a formal "
    "response.",
    "I've cc'd our CFO, Dr. Amal Reyes, because the invoices are still wrong after a month.",
    "Hi Ana! Small thing: one of our ex-employees, offboarded in May, could still sign in yesterday.",
    "A former admin, who left in January, still logged in on Tuesday.",
])
def test_an_appositive_inside_an_urgent_risk_keeps_it_urgent(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high, _described(result)


@pytest.mark.parametrize("text", [
    "Following the merger with Brightline Health, group IT has mandated a single customer-success platform "
    "across both companies.",
    "After the acquisition by Corvane, leadership wants one vendor for support tooling.",
    "Since the merger, the new owners already use Planhat everywhere.",
])
def test_consolidation_after_a_merger_with_an_appositive_is_churn_risk(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and _reads_as_alert(result), _described(result)


def test_a_manager_added_by_name_to_approve_something_is_no_escalation(analyzer: OfflineAnalyzer) -> None:
    result = analyzer.analyze_text("Adding my manager, Lisa, to the thread so she can approve the PO.")
    assert not _alerts(result), _described(result)


# --- competing offers: other verb forms, and an offer priced under ours -------------------------------------

@pytest.mark.parametrize("text", [
    "Frankly, Gainsight came in 30% under your number. Give me a reason not to sign with them.",
    "As part of our procurement policy we have requested proposals from two other vendors for the renewal.",
    "We've been gathering quotes from other providers ahead of the renewal.",
    "Planhat's proposal is well below yours for the same scope.",
    "A rival is undercutting your price by a third.",
])
def test_a_competing_offer_is_churn_risk(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and _reads_as_alert(result), _described(result)


@pytest.mark.parametrize("text", [
    "Your quote came in 10% under our budget, thanks!",
    "Is the annual plan 15% cheaper than your monthly pricing?",
])
def test_our_own_price_compared_is_no_competing_offer(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not result.churn_risk and not _alerts(result), _described(result)


# --- the third or later follow-up, said without "I" ---------------------------------------------------------

@pytest.mark.parametrize("text", [
    "third time asking about the refund, not trying to be a pain but this is getting silly",
    "4th time chasing this credit note.",
    "Fifth time requesting the SOC report, still nothing.",
])
def test_a_third_or_later_follow_up_is_high_urgency(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high, _described(result)


def test_a_first_question_is_no_follow_up(analyzer: OfflineAnalyzer) -> None:
    result = analyzer.analyze_text("First time asking here: how do I export tags?")
    assert not _alerts(result), _described(result)


# --- another customer's data, under other verbs and nouns ---------------------------------------------------

@pytest.mark.parametrize("text", [
    "search is returning tickets from some other tenant. pls look now",
    "Customer reported that a CSV export emailed to them included a second sheet with another client's "
    "renewal dates and ARR.",
    "The weekly digest listed another customer's deals.",
    "Our dashboard loads contacts belonging to some other organisation.",
])
def test_another_customers_data_is_a_security_incident(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high, _described(result)


@pytest.mark.parametrize("text", [
    "Can we import contacts from other CRMs into one workspace?",
    "We'd love to hear how another customer's team set up their playbooks.",
])
def test_other_customers_named_without_their_data_shown_are_no_incident(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    result = analyzer.analyze_text(text)
    assert not _alerts(result), _described(result)


# --- a security test's finding said as what the testers could do; a review with nothing found ---------------

@pytest.mark.parametrize("text", [
    "Pen test report attached. The testers were able to enumerate user emails via the password reset "
    "endpoint.",
    "During the assessment our pen testers managed to hijack a session token.",
    "The auditors could view other teams' files through the API without logging in.",
])
def test_what_security_testers_could_do_is_a_finding(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high, _described(result)


@pytest.mark.parametrize("text", [
    "Our SOC 2 audit wrapped up with zero findings related to your platform, thanks for the quick evidence!",
    "The pen test came back with no high or critical findings this year.",
    "The auditors were able to verify our access controls quickly, thanks for the help.",
])
def test_a_security_review_with_nothing_found_is_no_incident(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not _alerts(result), _described(result)


# --- values put back to nothing, or data destroyed by a change of ours --------------------------------------

@pytest.mark.parametrize("text", [
    "Health scores for every account reset to 0 overnight. Our renewal forecast for the board is built on "
    "these numbers.",
    "All the custom field values got reset to blank after the sync.",
    "Your latest patch deleted all of our email templates.",
    "oh nice, the 'stable' release wiped our custom fields. good times",
])
def test_data_reset_or_wiped_by_our_change_is_urgent(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high, _described(result)


@pytest.mark.parametrize("text", [
    "How do I reset the health scores to zero for the new fiscal year?",
    "We reset the scores to 0 for the new quarter, worked fine.",
])
def test_a_reset_the_customer_makes_is_no_data_loss(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not _alerts(result), _described(result)


# --- commercial risk in other words: modules dropped, reviews that include us, value unproven, closing ------

@pytest.mark.parametrize("text", [
    "For the upcoming term we'd like to keep the analytics module only and drop the messaging and survey "
    "modules. Can you send a revised order form?",
    "Next term we won't need the survey add-on.",
    "All vendor contracts above 50k are subject to re-approval this year under our new cost programme, "
    "including yours.",
    "Every software subscription is up for review in Q1.",
    "5 - It's fine but for what we pay I expected way more automation. Hard to see the ROI.",
    "It's difficult to demonstrate any return from the tool to finance.",
    "Please close our workspace at the end of the billing period and delete all data after export.",
    "We'll be deleting our workspace once the export is done.",
])
def test_commercial_risk_in_other_words_is_churn_risk(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and _reads_as_alert(result), _described(result)


@pytest.mark.parametrize("text", [
    "Could you add the survey module to our plan?",
    "Can you send the audit logs for all users including yours?",
    "It's easy to see the value, thanks team.",
    "Please delete the test workspace we made for the pilot.",
])
def test_the_same_words_without_the_risk_are_no_churn(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not result.churn_risk and not _alerts(result), _described(result)


# --- counts inside a reduction, and reviews and missing data in the other languages -------------------------

@pytest.mark.parametrize("text", [
    "Hola Laura, para el próximo año necesitamos bajar de 60 a 25 usuarios, la dirección pidió recortar "
    "costes.",
    "Queremos reducir de 100 a 40 licencias en la renovación.",
    "Nous devons diminuer de 50 à 20 utilisateurs l'an prochain.",
    "Wir reduzieren zum Jahreswechsel von 30 auf 12 Lizenzen.",
    "Precisamos reduzir de 45 para 20 usuários no próximo ano.",
    "Bonjour Marc, la direction financière passe en revue tous les abonnements logiciels et le vôtre en fait "
    "partie.",
    "La direction achats passe en revue l'ensemble des contrats fournisseurs ce trimestre.",
])
def test_seat_cuts_and_reviews_in_other_languages_are_churn_risk(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and _reads_as_alert(result), _described(result)


@pytest.mark.parametrize("text", [
    "Guten Tag, seit dem Update fehlen sämtliche Ticketdaten aus dem ersten Quartal. Die Prüfer kommen am "
    "Montag.",
    "Seit Montag fehlen alle Kundendaten im Bericht.",
])
def test_missing_data_said_verb_first_in_german_is_urgent(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high, _described(result)


def test_a_count_going_up_is_no_seat_cut(analyzer: OfflineAnalyzer) -> None:
    result = analyzer.analyze_text("Queremos pasar de 20 a 40 usuarios el mes que viene.")
    assert not result.churn_risk, _described(result)


# --- a problem named to say it is over ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Confirming the export bug is fixed after your patch. You can close this ticket.",
    "the timeout thing is no longer a problem since you bumped the limit. cheers",
    "Quick note: the SSO error has been resolved, the team can log in again.",
    "Duplicate invoices aren't an issue anymore since the update.",
    "The webhook outage was fixed within the hour, appreciated.",
])
def test_a_problem_reported_as_fixed_is_no_alert(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is not Label.negative and result.urgency is Urgency.low, _described(result)


@pytest.mark.parametrize("text", [
    "If the bug is fixed by Friday we can go live, otherwise the launch slips.",
    "They said it was fixed but the sync still fails.",
    "i'll just assume silence means it's fixed? :thinking_face:",
    "The sync failure from Monday is resolved but exports still time out.",
])
def test_a_fix_awaited_claimed_or_doubted_is_still_a_complaint(analyzer: OfflineAnalyzer, text: str) -> None:
    assert analyzer.analyze_text(text).label is Label.negative


# --- staying with us, said outright -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "We looked at Gainsight and ChurnZero during the spring review and decided to stay with you. Renewal "
    "paperwork coming this week.",
    "we're cancelling our old survey tool and moving that budget to you, so expect a call about the NPS "
    "add-on",
    "We trialled Vitally last quarter and chose to remain with you.",
    "We're shifting the whole support budget over to your platform next year.",
])
def test_staying_with_us_is_no_churn(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not result.churn_risk and not _alerts(result), _described(result)


@pytest.mark.parametrize("text", [
    "We've decided not to stay with you after the trial of Vitally.",
    "We looked at Gainsight and decided to stay with you, but we need 30% fewer seats at renewal.",
    "Having reviewed the proposal, we intend to renew the core Scheduling module only; the Analytics add-on "
    "will not be carried forward.",
])
def test_staying_words_around_a_real_risk_do_not_hide_it(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and _reads_as_alert(result), _described(result)


# --- people paid to work who cannot -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "My whole support floor has been staring at a spinner for two hours. Forty agents doing nothing. "
    "Call me.",
    "Twenty of our cashiers are sitting around since the POS sync died.",
    "All our analysts are staring at a blank screen.",
])
def test_a_team_left_idle_is_high_urgency(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative and result.urgency is Urgency.high, _described(result)


def test_a_team_trained_is_no_idle_team(analyzer: OfflineAnalyzer) -> None:
    result = analyzer.analyze_text("Thanks, all 40 agents are now trained and loving it.")
    assert result.label is Label.positive, _described(result)


# --- "sick" as praise of what we built ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "webhooks v2 is sick. zero dropped events since the switch",
    "the new builder looks so sick",
    "that release is pretty sick ngl",
])
def test_sick_said_of_our_product_is_praise(analyzer: OfflineAnalyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.label is Label.positive, _described(result)


@pytest.mark.parametrize("text", [
    "this update is sick 🤢 like actually, the ios app crashes on launch",
    "Sorry for the slow reply, Maria is sick today.",
    "I'm sick of the export failing every night",
])
def test_sick_said_of_a_person_a_situation_or_with_nausea_is_no_praise(
    analyzer: OfflineAnalyzer, text: str
) -> None:
    assert analyzer.analyze_text(text).label is not Label.positive


RENEWAL_HELD_TO_A_PRICE_CUT = [
    "Procurement won't sign the renewal unless we get a 20% discount.",
    "Our finance team will only approve a one-year renewal with a 30% discount.",
    "We can only renew if you can offer a better price.",
    "Honestly we cannot extend the contract without a significant discount this time.",
]

PRICE_TALK_THAT_IS_FINE = [
    "Happy to renew, and thanks for the 5% discount!",
    "We renewed with a 10% discount, thanks for making it work.",
    "Can you send the renewal quote so we can raise the PO?",
]


@pytest.mark.parametrize("text", RENEWAL_HELD_TO_A_PRICE_CUT)
def test_a_renewal_held_to_a_price_cut_is_churn_risk(analyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert result.churn_risk and result.label.value == "negative", (result.label, result.churn_risk)
    assert result.recommended_action not in IDLE_ACTIONS


@pytest.mark.parametrize("text", PRICE_TALK_THAT_IS_FINE)
def test_a_discount_given_or_a_quote_asked_for_is_no_risk(analyzer, text: str) -> None:
    result = analyzer.analyze_text(text)
    assert not result.churn_risk and result.label.value != "negative"
