"""English requests closed by thanks, requests for more seats with a deadline, and thanks after a wait.

cs-signals counts gratitude as positive, but a "thanks" closing "please add…" thanks for nothing yet: the
message is a neutral request to answer, urgent only by its deadline (within about two days high, within a
week medium). More seats or users asked for by a date is growth, good news with a deadline, never a
complaint. Thanks after a wait the message says has ended is gratitude; thanks after a wait nothing has
ended is irony. Every message here is written for these tests.
"""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label, RecommendedAction, Urgency
from tests.support.readings import IDLE_ACTIONS

# --- a thanks closing an admin request is politeness ----------------------------------------------------

CLOSING_A_REQUEST = [
    "Please reset the password for d.okafor@northwind.io, thanks!",
    "pls unlock ravi's account, ty",
    "plz grant Lena edit rights on the Q3 board thx",
    "Kindly issue a credit note for invoice 4471. Thank you.",
    "Hi, please switch our billing contact to Jonas Berg. Many thanks!",
    "Please deactivate the two interns' logins at the end of the week, thank you so much",
    "Dear team, kindly provision a sandbox for our QA lead. Much appreciated.",
    "please turn on audit logging for the EU workspace, thanks a lot",
    "Please rename the 'Ops' group to 'Field Operations'. Thank you very much!",
    "Kindly confirm the renewal date on our order form. Thanks!",
    "pls archive the old onboarding board ty",
]


@pytest.mark.parametrize("text", CLOSING_A_REQUEST)
def test_a_thanks_closing_an_admin_request_reads_as_a_neutral_request(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.label is Label.neutral, result
    assert result.urgency is not Urgency.high, result  # no deadline within two days
    assert result.recommended_action is RecommendedAction.reply, result


REAL_THANKS = [
    "Thanks for resetting my password so quickly, you're stars!",
    "ty for unlocking ravi's account, super fast as always",
    "Thank you so much for the credit note, really appreciate how smooth that was.",
    "Many thanks for switching the billing contact, all sorted on our side. Great service!",
]


@pytest.mark.parametrize("text", REAL_THANKS)
def test_thanks_for_a_task_done_stays_gratitude(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.label is Label.positive, result
    assert result.urgency is Urgency.low, result


REQUEST_DUE_TOMORROW = [
    "Please reset the MFA for all five warehouse tablets by tomorrow, thanks",
    "kindly grant the auditors read access before tomorrow's audit. Thank you.",
]


@pytest.mark.parametrize("text", REQUEST_DUE_TOMORROW)
def test_a_polite_request_due_tomorrow_is_for_today(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.label is Label.neutral, result
    assert result.urgency is Urgency.high, result
    assert result.recommended_action is RecommendedAction.reply, result


# --- more seats asked for by a date ---------------------------------------------------------------------

GROWTH_BY_A_NEAR_DATE = [
    "please add these 4 users before tomorrow's kickoff",
    "We need 8 extra seats by end of day, new contractors join tomorrow.",
    "can u add 3 more licences today pls, interns start tmrw",
    "Could you add the legal team (5 users) by tomorrow? They begin using it on the contract review.",
]


@pytest.mark.parametrize("text", GROWTH_BY_A_NEAR_DATE)
def test_more_seats_needed_within_two_days_is_good_news_for_today(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.label is not Label.negative, result
    assert result.urgency is Urgency.high, result
    assert not result.churn_risk, result


GROWTH_WITHIN_A_WEEK = [
    "We've reached our seat limit, need 6 more licences for the joiners on Thursday",
    "Our support team doubles next month; please add 20 extra agent seats by Friday.",
    "We're onboarding the Lisbon office on Tuesday, could we get 9 more seats before then?",
    "Hi Sam, we need two additional editor seats before the launch on Monday. Cheers!",
    "Ran out of seats, need another 5 by end of the week please",
    "Could you bump us up to 40 seats before Friday? Thanks",
]


@pytest.mark.parametrize("text", GROWTH_WITHIN_A_WEEK)
def test_more_seats_needed_within_a_week_is_good_news_for_this_week(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.label is not Label.negative, result
    assert result.urgency is Urgency.medium, result
    assert not result.churn_risk, result


NO_DEADLINE_IN_A_DESCRIPTION = [
    # A day named to say how something works or when it broke, not by when something is needed.
    "small thing: the calendar view starts weeks on Sunday, we'd prefer Monday. not urgent",
    "FYI the weekly digest starts going out on Monday mornings now, looks good.",
]


@pytest.mark.parametrize("text", NO_DEADLINE_IN_A_DESCRIPTION)
def test_a_day_named_in_a_description_is_no_deadline(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.urgency is Urgency.low, result


SHRINKING_BY_A_DATE = [
    # Fewer seats is churn risk, whatever the deadline or the politeness around it.
    "Kindly reduce our licences from 40 to 25 by Friday, thanks.",
    "Please drop us to 25 seats before Friday's renewal.",
    "We need to cut down to 10 licences by end of the month, budget got slashed.",
]


@pytest.mark.parametrize("text", SHRINKING_BY_A_DATE)
def test_seats_cut_by_a_date_stay_churn_risk(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative, result
    assert result.churn_risk, result
    assert result.recommended_action not in IDLE_ACTIONS, result


# --- thanks after a wait: gratitude once it ended, irony while it goes on --------------------------------

THANKS_ONCE_THE_WAIT_ENDED = [
    "Waited four days but now the invoices all sync. Thanks a lot!",
    "took ages but it finally works, thx a lot",
    "It was a long weekend of waiting, but the dashboards are back. Thanks so much!",
    "Two days on hold, but now everything's working again. Thank you!",
    "Dear team, the delay was frustrating, however the import is resolved now. Many thanks.",
    "3 days no answer but eventually it got sorted, thanks a lot guys",
    "Slow for a whole week but the timesheets load fine now. Thanks a lot!",
]


@pytest.mark.parametrize("text", THANKS_ONCE_THE_WAIT_ENDED)
def test_thanks_once_the_wait_ended_is_gratitude(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.label is not Label.negative, result
    assert not result.sarcasm, result
    assert result.urgency is not Urgency.high, result
    assert result.recommended_action is not RecommendedAction.escalate, result


THANKS_WHILE_THE_WAIT_GOES_ON = [
    "Four days waiting. Thanks a lot.",
    "Still no answer after a week. Thanks a lot.",
    "Waited three days but now nothing works. Thanks a lot.",
    "Waited two days, now it works but the export still fails. Thanks a lot.",
    "Three days on hold and it still doesn't work. Thanks a lot!",
    "Two weeks without an answer. Thanks a lot.",
]


@pytest.mark.parametrize("text", THANKS_WHILE_THE_WAIT_GOES_ON)
def test_thanks_while_the_wait_goes_on_stays_a_complaint(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative, result
    assert result.recommended_action not in IDLE_ACTIONS, result
