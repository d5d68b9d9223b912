"""The risk layer: business risk read from what a message says, not from its tone.

A termination notice can be thankful, a cross-tenant data exposure can be reported
calmly, and a lexicon reads both as warm. These patterns recognise the four kinds
of risk that `docs/labeling.md` (after `cs-signals.md`) makes alert-worthy whatever
the tone:

- **commercial**: non-renewal, termination, cancellation, seat cuts, downgrades,
  pausing use, budget or vendor reviews, competing quotes, competitor evaluations,
  consolidation after a merger, the champion (often the writer) leaving, doubts about
  value, low adoption, the end of the contract planned for, verdicts on the
  relationship;
- **security**: another tenant's data seen, leaked credentials, breaches, audit or
  pen-test findings, personal data exposed, privacy deadlines missed;
- **operational**: payroll, a launch or go-live blocked, a team unable to work,
  production down, data missing or wrong;
- **escalation**: follow-up after follow-up, managers looped in, breach claims,
  formal complaints, lawyers, ultimatums.

Each pattern is *strong* (a risk on its own: the offline reading is floored to
negative with at least the kind's urgency, and never gets `celebrate`,
`no_action` or `expansion_follow_up`) or *weak* (a hint: it is a feature of the
learned model and sends the message to Claude in `hybrid`, but moves nothing by
itself). Guards cancel a match where the customer is clearly not at risk
("no plans to cancel", "we evaluated X last year and chose you", "the key we
leaked ourselves", a planned maintenance window), and a threat told as one that never came to pass ("we
were about to escalate, but your team sorted it", `cues.AVERTED`) cancels itself; a sentence that puts the trouble
with someone else ("the breach at another vendor, are you affected?", "our change
freeze, nothing to do with you") cancels a security, operational, escalation or
pause match in it, unless it lays the trouble at our door ("your platform was
breached"). A pattern that reads counts
(`_counts_fall`) holds only when they fall: "from 120 to 60 seats" is a cut, "from 60 to 120" growth.
Patterns run on the lower-cased
text; the vendor names they need are matched on the original (`(?-i:…)` groups).
English, Spanish, French, German and Portuguese are covered.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from bot.analysis.contract import Concern, Urgency
from bot.analysis.cues import AVERTED
from bot.analysis.multilingual import AVERTED_IN, IDIOMS_IN, NOT_THE_SERVICE
from bot.analysis.patterns import UNLIKE_THEIR_LOWER_RE, start_states, trie_regex


class RiskKind(StrEnum):
    commercial = "commercial"
    security = "security"
    operational = "operational"
    escalation = "escalation"


@dataclass(frozen=True)
class RiskSignal:
    """One risk found in a message, with the phrase that shows it."""

    kind: RiskKind
    phrase: str
    strong: bool
    urgency: Urgency
    churn: bool


@dataclass(frozen=True)
class _Rule:
    kind: RiskKind
    pattern: re.Pattern[str]
    strong: bool
    urgency: Urgency
    churn: bool
    #: Whether the pattern reads capital letters (a vendor's name): then it runs on the text as written,
    #: case-insensitively; the others run on the lower-cased text, which `re` scans several times faster.
    needs_case: bool = False


_H, _M = Urgency.high, Urgency.medium
_C, _S, _O, _E = RiskKind.commercial, RiskKind.security, RiskKind.operational, RiskKind.escalation

#: Concerns each kind raises when the message itself named none of them.
KIND_CONCERNS: dict[RiskKind, Concern] = {
    _C: Concern.contract_renewal,
    _S: Concern.security_privacy,
    _O: Concern.reliability,
    _E: Concern.support_responsiveness,
}

_W = r"(?:[\w'’-]+\s+)"  # one word and its space
_PEOPLE = (
    r"(?:champion|sponsor|executive sponsor|main contact|primary contact|point of contact|admin(?:istrator)?|"
    r"project lead|vp|svp|cto|cio|cfo|ceo|coo|head of \w+|director|(?:the |our )?manager|boss)"
)
_VENDOR = r"(?-i:[A-Z][\w.&-]+)"
#: A rival's name: a capitalised word that is not a day, a month or a quarter ("looking at Monday").
_RIVAL = (r"(?-i:(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|"
          r"June|July|August|September|October|November|December|Q[1-4]|EOD|EOW|ASAP|It|This|That|The|You|Your|"
          r"Our|We|I)\b)[A-Z][\w.&-]+)")
_ORDINAL = r"(?:third|fourth|fifth|sixth|seventh|3rd|4th|5th|6th|7th|\d+th|nth|umpteenth)"
#: One more word of a clause, an appositive's comma or a title's period allowed before it ("my director,
#: Mr. Hale, as"; "the merger with Brightline, group IT has"): a comma does not end the thought.
_NEXT = r"(?:,?\s+(?:mr|mrs|ms|dr|prof)\.|,?\s+[\w'’-]+)"

# (kind, strong, urgency, churn, pattern)
_EN: list[tuple[RiskKind, bool, Urgency, bool, str]] = [
    # --- commercial ------------------------------------------------------------------------------
    (_C, True, _H, True, r"notice of (?:non-?renewal|termination|cancell?ation)|(?:non-?renewal|termination|"
                         r"cancell?ation) notice|hereby (?:give|provide|serve|submit)s? (?:\w+ ){0,3}notice|"
                         r"formal(?:ly)? (?:notice|notify|notifying|notification)|"
                         r"(?:exercis\w+|invok\w+) (?:\w+ ){0,3}(?:right|option) (?:to|of) terminat\w*|"
                         r"(?:pursuant to|per|under|in accordance with) (?:section|clause|article|§) ?[\d.()a-z]+"
                         r"(?:\s+\w+){0,12}?\s+(?:terminat\w*|non-?renewal|cancel\w*|notice)"),
    (_C, True, _M, True, r"(?:not|n't|no longer|never) (?:\w+ ){0,2}(?:be )?(?:going to )?(?:renew|renewing|"
                         r"extend(?:ing)? (?:the|our) (?:contract|agreement|subscription))|non-?renewal|"
                         r"(?:decided|decision|plan|planning|intend|intends|intention) (?:\w+ ){0,2}not to "
                         r"renew|let (?:the|our|this) (?:\w+ )?(?:contract|subscription|agreement|licen[cs]e)s? "
                         r"(?:lapse|expire|run out)|won'?t be (?:continuing|moving forward|proceeding) with"),
    (_C, True, _M, True, r"terminat(?:e|es|ing|ion of) (?:\w+ ){0,2}(?:contract|agreement|subscription|"
                         r"services?|msa|account|relationship|partnership)|(?:end|ending|wind(?:ing)? down|"
                         r"close|closing|sunset(?:ting)?) (?:our|the|this) (?:contract|agreement|subscription|"
                         r"partnership|relationship|account)|(?:close|closing|shut(?:ting)? down|delete|deleting) "
                         r"(?:our|my) (?:workspace|instance|tenant|organi[sz]ation|org)\b|"
                         r"(?<!no plans to )(?<!not )(?<!n't )cancel(?:l?ing|l?ed|lation of)? (?:our|the|my|"
                         r"this|all) (?:\w+ ){0,2}(?:subscription|contract|account|plan|licen[cs]es?|seats|"
                         r"renewal|agreement|service)"),
    (_C, True, _M, True, r"only (?:be )?renew(?:ing)? (?:\w+ ){0,4}(?:module|product|part|half|portion|team|"
                         r"seats|licen[cs]es)|renew(?:ing|al)? (?:only|just) (?:for )?(?:one|the|half|\d+|a |"
                         r"our )|"
                         # Part of what they buy let go: "drop the messaging and survey modules".
                         r"(?:drop\w*|cut\w*|cancel\w*|discontinu\w+|stop paying for|not renew\w*|"
                         r"(?:won'?t|will not|no longer|don'?t|do not) (?:need|want|renew|keep|continue(?: with)?)) (?:the |our |both "
                         r"|two |all |those |these )?(?:\w+ ){0,3}(?:modules?|add-?ons?)\b|"
                         r"keep (?:only )?(?:the |our )?\w+ (?:module|add-?on|product)s? only|"
                         r"(?:reduc\w+|cut\w*|lower\w*|trim\w*|drop\w*|scal\w+ (?:back|down)|decreas\w+|"
                         r"shrink\w*) (?:\w+ ){0,3}(?:seats|licen[cs]es|users|footprint|spend|seat count|"
                         r"user count|licen[cs]e count|contract value|commitment)|downgrad\w+|fewer (?:seats|licen[cs]es|users)|"
                         r"from \d+ (?:seats|licen[cs]es|users) down to \d+|"
                         # A seat count lowered to a number, or seats handed back: "take us down to 12 seats",
                         # "remove 8 seats", "we only need 25 licences going forward". One named user removed
                         # or a seat moved to another person leaves the count as it is.
                         r"(?:reduc\w+|lower\w*|decreas\w+|cut\w*|trim\w*|drop\w*|scal\w+ (?:back|down)|"
                         r"downsiz\w+|(?:take|bring|move|put|set)s? (?:us|it|them|our \w+(?: count)?) down) "
                         r"(?:\w+ ){0,3}to (?:just |only )?\d+ (?:seats|licen[cs]es|users)|"
                         r"(?:remov\w*|releas\w*|giv\w+ back|return\w*|knock\w*|tak\w+ off) (?:\w+ ){0,1}\d+ "
                         r"(?:of (?:our |the |your )?)?(?:seats|licen[cs]es)\b|"
                         r"(?:only|just) (?:going to |gonna |)need (?:\w+ )?\d+ (?:seats|licen[cs]es|users)\b"
                         r"(?! for (?:the |our )?new)|(?:smaller|cheaper|lower|basic|"
                         r"starter) (?:plan|tier|package|edition|bundle) at (?:the )?renewal|"
                         r"(?:won'?t|will not|no longer|don'?t|do not|wouldn'?t) (?:be )?need(?:ing)? (?:the |those |"
                         r"these |our |as many |all (?:the |those |our )?)(?:\w+ )?(?:seats|licen[cs]es|users|"
                         r"logins|subscriptions?)\b|(?:won'?t|will not|no longer|don'?t|do not) need (?:the )?same "
                         r"(?:setup|set-up|configuration|plan|deployment) (?:there|for)"),
    (_C, True, _M, True, r"(?:pause|pausing|freeze|freezing|suspend\w*|halt\w*) (?:\w+ ){0,2}(?:usage|use of|"
                         r"subscription|rollout|roll-out|deployment|contract|account|licen[cs]es|seats|"
                         r"automations|workflows|integration work|migration|onboarding|expansion)|"
                         r"(?:put|putting) (?:the |our )?(?:rollout|roll-out|deployment|account|contract|"
                         r"project|expansion) on (?:hold|ice|pause)|(?:stop|stopped|stopping|quit) using (?:the |your "
                         r")?(?:tool|product|platform|app|it|you)|(?:stopped|stop|quit) using (?:the |your |our )?(?:\w+ ){0,2}"
                         r"(?:module|add-?on)s?\b|no longer (?:using|use) (?:the |your )?"
                         r"(?:tool|product|platform|app|it)|abandon\w* (?:the |our )?(?:rollout|platform|tool)"),
    (_C, True, _M, True, r"(?:budget|spend|cost|vendor|tool|software|saas|licen[cs]e|procurement|contract) "
                         r"(?:review|cuts?|reduction|freeze|rationali[sz]ation|consolidation|audit|scrutiny)"
                         r"(?:[ \t]+\w+){0,10}?[ \t]+(?:you|your|us|this (?:tool|platform|product|contract)|"
                         r"(?-i:[A-Z][\w.&-]+))|(?:on the chopping block|on the table for (?:cuts|review)|"
                         r"hard to justify|(?:can'?t|cannot|struggl\w+ to|difficult to) justify (?:the )?"
                         r"(?:cost|spend|price|renewal|investment|expense|budget))|"
                         r"(?:cost[- ]cutting|cost reduction|belt[- ]tightening|austerity)(?:\s+\w+){0,8}?\s+"
                         r"(?:renewal|contract|subscription|tools?|vendors?|licen[cs]es|seats)|"
                         # Every vendor under review, this one named: "all vendor contracts are subject to
                         # re-approval, including yours".
                         r"(?:review|re-?approv\w+|re-?justif\w+|justification|scrutiny|audit|cuts?|"
                         r"rationali[sz]ation|re-?evaluat\w+)(?! logs?| trails?| history| events?| reports?)" + _NEXT +
                         r"{0,10}?,?\s+(?:including|incl\.?) "
                         r"(?:you|yours|your (?:contract|platform|tool|product|subscription|licen[cs]es))\b|"
                         r"(?:all|every|each) (?:\w+ ){0,2}(?:vendors?|software|saas|tools?|suppliers?) (?:\w+ ){0,4}"
                         r"(?:(?:is|are) (?:now |all )?(?:subject to|up for|under|going through)|(?:must|need to|"
                         r"have to) be) (?:a |an )?(?:\w+ )?(?:review|re-?approv\w+|re-?justif\w+|scrutiny|"
                         r"audit|cuts?|re-?evaluat\w+|justified)"),
    (_C, True, _M, True, r"competing (?:quotes|bids|proposals|offers|vendors)|(?:request for proposal|\brfp\b|"
                         r"\brfq\b|tender)(?:\s+\w+){0,8}?\s+(?:renewal|contract|vendors?|providers?|"
                         r"alternatives|market|replace\w*|this|process)|(?:go|going|put|putting|take|taking|send|sending) "
                         r"(?:this |it |the contract )?to (?:tender|bid|rfp)|(?:go|going|put|putting|take|taking|"
                         r"send|sending|puts|goes) (?:\w+ ){0,3}out to (?:tender|market|bid|rfp)|(?:get|got|gotten|getting|gather\w*|"
                         r"obtain\w*|collect\w*|request\w*|receiv\w+|solicit\w*|invit\w+|ask\w* for|seek\w*|"
                         r"sought) (?:\w+ ){0,2}(?:quotes|bids|proposals|offers|pricing) from (?:other|"
                         r"alternative|several|multiple|three|3|two|2|a few|competing)|"
                         # Another offer priced against ours: "X came in 30% under your number", "their quote
                         # is well below yours", "they offered us 40% less than you".
                         r"(?:came|come|coming|quot\w*|offer\w*|bid|bids|pric\w+|proposal)" + _NEXT + r"{0,4}?\s+"
                         r"(?:\d+ ?(?:%|percent)|significantly|substantially|much|way|well|far|a lot|half) "
                         r"(?:under|below|cheaper than|less than|lower than) (?:you|your|yours)\b|"
                         r"undercut\w* (?:you|your)\b"),
    (_C, True, _M, True, r"side[- ]by[- ]side (?:comparison |review |evaluation |demo )?(?:with|against|versus|vs\.?|"
                         r"between)|(?:run|do|want|wants|asked for|request\w*|need) (?:\w+ ){0,2}side[- ]by[- ]"
                         r"side|bake[- ]?off|head[- ]to[- ]head|"
                         r"(?:evaluat\w+|assess\w*|compar\w+|benchmark\w*|pilot\w*|trial\w*|tri(?:al)?ing|"
                         r"test\w*|demo\w*|look\w* at|explor\w+) (?:\w+ ){0,4}(?:alternatives?|other (?:vendors|"
                         r"tools|platforms|options|solutions|providers)|competitors?|the competition|a "
                         r"(?:competitor|rival|replacement|different (?:vendor|tool|platform)))|"
                         r"(?:switch(?:ing|ed)?|moving|migrating|jump\w* ship) (?:over )?(?:to|towards) (?:a |an )?"
                         r"(?:competitor|rival|another (?:vendor|provider|tool|platform|solution))|"
                         r"(?:exit|leave|get out of) (?:the|our|this) (?:agreement|contract)|"
                         r"(?:decided|chose|choosing|decision) to (?:go|move|switch) (?:with|to) " + _VENDOR + r"|"
                         r"(?:go|going|gone|went|move|moving|switch\w*) (?:over )?(?:with|to) (?:a |an )?(?:competitor|"
                         r"rival|(?:another|a different|a cheaper) (?:vendor|provider|supplier|tool|platform|"
                         r"solution))|"
                         r"(?:replac\w+|rip(?:ping)? out) (?:you|your (?:tool|platform|"
                         r"product)|this (?:tool|platform))|"
                         r"(?:leav(?:e|ing)|mov(?:e|ing)|migrat(?:e|ing)) (?:away )?(?:from|off) (?:you|your (?:platform|product|"
                         r"tool|service))|"
                         # Part of the business taken away: "moving our EU entity off the platform".
                         r"(?:mov\w+|migrat\w+|tak\w+|pull\w*|transition\w*) (?:our |the |all |some )(?:\w+ ){0,3}"
                         r"(?:off|away from) (?:the|your) (?:platform|tool|product|system|service)\b"),
    (_C, True, _M, True, r"consolidat\w+ (?:\w+ ){0,5}(?:tools|vendors|platforms|stack|systems|providers|"
                         r"solutions)|consolidat\w+ onto|standardi[sz]\w* on|(?:parent company|new owners?|acquir\w+|merger|merged|merging|"
                         r"acquisition)" + _NEXT + r"{0,12}?,?\s+(?:already (?:use|uses|has|have|pays?|runs?|on|own|owns|"
                         r"licen[cs]es?)|(?:everyone|everybody|all (?:teams|of us)|the whole (?:company|group)) "
                         r"(?:onto?|to|over to) |"
                         r"standard|standardi[sz]\w*|consolidat\w+|replace|mandat\w+|(?:one|a single|the same) "
                         r"(?:\w+ ){0,2}(?:tool|platform|vendor|system|crm|provider|solution))"),
    (_C, True, _M, True, _PEOPLE + r"(?:\s+[\w'’-]+){0,4}?\s+(?:is leaving|has left|left (?:the company|us|"
                         r"last)|will be leaving|moved on|resigned|departed|has departed|stepp\w+ down|is "
                         r"stepping down|was let go|took a (?:job|role|position) (?:elsewhere|at)|"
                         r"(?:is|are) no longer (?:with|at|here))|"
                         r"(?:i'?m|i am|i will be|i'?ll be) (?:leaving|moving on from) (?:the company|"
                         r"\w+ (?:at|by|next|this|on|end))|(?:today|friday|tomorrow|this|next \w+) (?:is|will "
                         r"be) my last day|my last day (?:is|will be|here)|(?:successor|replacement|new owner) "
                         r"(?:\w+ ){0,2}(?:hasn'?t|has not|is not|isn'?t|not yet|has yet to) (?:been )?"
                         r"(?:named|hired|decided|appointed|found|identified)"),
    (_C, True, _M, True, r"(?:not sure|unsure|questioning|doubt\w*|wonder\w* (?:if|whether)|can'?t see) "
                         r"(?:\w+ ){0,5}(?:worth|value|roi|pay(?:ing)? off|justified|justifiable)|(?:is|it'?s|isn'?t|not) (?:\w+ "
                         r"){0,2}worth (?:the )?(?:spend|money|cost|price|investment|renewal)|outgrown|"
                         r"(?:hard|difficult|tough|struggl\w+|unable|impossible|can'?t|cannot) (?:to )?(?:see|find|"
                         r"show|prove|measure|demonstrate|justify|quantify|point to) (?:\w+ ){0,3}(?:value|roi|"
                         r"return|benefit|worth)\b|"
                         r"(?:not|aren'?t|isn'?t|haven'?t|never) (?:been )?(?:getting|seeing|realis\w+|"
                         r"realiz\w+) (?:the |enough |much |any |real )?(?:value|roi|return)|low adoption|"
                         r"adoption (?:is|has been|remains) (?:low|poor|disappointing)|"
                         r"(?:barely|hardly|rarely) (?:anyone |anybody )?(?:uses?|using|logs? (?:in|on)|"
                         r"touch\w*)|only \d+ (?:of|out of) (?:our |the )?\d+ (?:users|seats|licen[cs]es|people|"
                         r"employees|reps|agents)|(?:nobody|no one|none of (?:us|my team|the team))(?: [\w'’-]+){0,4}? "
                         r"(?:actually |really |even |ever )?(?:uses?|using|logs? (?:in|on)|opens?|touch\w*) "
                         r"(?:it|the (?:tool|platform|product|app)|this)\b|"
                         # Low adoption by share: "half the team never opens it".
                         r"(?:half|most|the majority) (?:of )?(?:the |my |our )?(?:team|users|people|staff|agents|"
                         r"reps|org|company)(?: [\w'’-]+){0,2}? (?:never|don'?t|doesn'?t|rarely|barely|hardly) "
                         r"(?:\w+ )?(?:use|uses|open|opens|log in|logs in|touch|touches) (?:it|the (?:tool|"
                         r"platform|product|app))\b|"
                         # Worth no more than a spreadsheet: "what it gives us that a shared spreadsheet doesn't".
                         r"(?:than|that) (?:a |an |our |the )?(?:\w+ )?(?:spreadsheets?|excel|google sheets?) "
                         r"(?:doesn'?t|does not|can'?t|wouldn'?t|couldn'?t)\b|(?:no better than|barely better than|"
                         r"not much (?:more|better) than) (?:a |an |our )?(?:\w+ ){0,2}(?:spreadsheets?|excel)\b"),
    (_C, True, _M, True, r"worst (?:vendor|experience|partner|provider|onboarding|support experience)|"
                         r"regret (?:\w+ ){0,2}(?:choosing|signing|buying|picking|going with|selecting)|"
                         r"wish (?:we|i)(?:'d| had) never (?:\w+ )?(?:signed|switched|bought|chose|picked|gone "
                         r"with|went with|moved|renewed)|"
                         r"(?:lost|losing) (?:all )?(?:faith|trust|confidence) in|first time in (?:\w+ ){1,3}"
                         r"(?:years|months) (?:i'?ve|we'?ve|i have|we have) (?:felt|been)|"
                         r"(?:relationship|partnership) (?:is )?(?:not working|at risk|broken|on thin ice)|"
                         r"reconsider\w* (?:\w+ ){0,3}(?:renewal|contract|partnership|relationship|"
                         r"subscription|options|investment|decision|whether)|(?:will|would|may|might) (?:have "
                         r"to )?(?:reconsider|rethink)|rethink\w* (?:\w+ ){0,3}(?:renewal|contract|partnership|"
                         r"relationship|subscription)|(?:look\w*|shop\w*) elsewhere|take (?:our|my) business elsewhere|"
                         r"walk away|(?:thinking|considering|think|consider) (?:about |of )?(?:leaving|switching|"
                         r"moving|cancel\w*|churning|dropping)"),
    # A capitalised name after "evaluating" may be a rival or a quarter, a city, a language: a hint only.
    (_C, False, _M, False, r"(?:evaluating|piloting|trial+ing|demoing|(?:running|run|start\w*) (?:a |an )?"
                           r"(?:\d+[- ]day )?(?:trial|pilot|poc|proof of concept) (?:of|with)) " + _VENDOR + r"|"
                           r"(?:asked|wants?|told) (?:me|us|the team) to (?:evaluate|look at|compare|assess|"
                           r"trial|pilot|test|demo) " + _VENDOR + r"|(?:switch\w*|moving|migrating|go\w*) "
                           r"(?:over )?(?:to|with) " + _VENDOR + r"|"
                           r"competitor|alternatives?|other vendors|cheaper (?:option|offer|quote|tool)|"
                           r"price increase|price hike|too expensive|overpriced|budget|renewal|procurement|"
                           r"finance (?:team|is|wants|asked)|leadership (?:asked|wants)|new (?:cio|cto|cfo|vp|"
                           r"ceo|head)|reorg|restructur\w+|layoffs?|headcount"),
    # A renewal held hostage to a price cut: "procurement will only approve a renewal with a 30% discount".
    (_C, True, _M, True, r"(?:only|won'?t|will not|can'?t|cannot|not) (?:\w+ ){0,2}(?:approve|sign|renew|agree "
                         r"to|extend)(?:(?: [\w'-]+){0,4}? (?:renewal|contract|agreement|subscription|it|us)\b)?"
                         r"(?: [\w'-]+){0,4}? "
                         r"(?:with|unless|if|without) (?:\w+ ){0,3}?(?:a |an |at least |the )?(?:\d+ ?% |(?:big|significant|"
                         r"steep|deep|serious|real) )?(?:discount|price (?:cut|reduction|drop)|lower price|better "
                         r"price|cheaper)"),
    # The writer leaving, who is often the champion: "I've handed in my notice", "I'm moving to a new job in
    # three weeks", and the account left without an owner: "not sure who picks it up after me".
    (_C, True, _M, True, r"(?:i'?ve|i have|i just|just) (?:handed|given|put|turned) in my (?:notice|resignation)|"
                         r"(?:i'?m|i am) (?:handing|giving|putting) in my (?:notice|resignation)|"
                         r"(?:i'?m|i am|i'?ll be|i will be) (?:moving|off|leaving|going|heading|switching) "
                         r"(?:on )?(?:to|for) (?:a |an )?(?:new|another|different) (?:job|role|company|position|"
                         r"employer|opportunity|challenge)|(?:i'?ve|i have|i) accepted (?:a |an )?(?:new )?"
                         r"(?:offer|job|role|position) (?:elsewhere|at|with)|(?:i'?m|i am) (?:leaving|quitting) "
                         r"(?:my (?:job|role|position)|the (?:company|business|firm|org\w*))|my last (?:day|week) "
                         r"(?:here|at|with|in the office|is|will be)\b|(?:not sure|no idea|unclear|don'?t know|"
                         r"(?:not|hasn'?t|haven'?t) (?:been |yet )?(?:decided|confirmed)|tbd) (?:yet )?who "
                         r"(?:\w+ ){0,2}(?:takes? over|picks? up|owns?|inherits?|looks? after|manages?|replaces? "
                         r"me)(?: [\w'’-]+){0,3}? (?:after me|when i (?:leave|go)|once i'?m gone|here|from you)\b|"
                         r"(?:will|would|is going to|'ll) (?:\w+ )?(?:inherit|take over) (?:the |our |this )"
                         r"(?:contract|account|relationship|renewal)\b"),
    # One more price asked for to set against ours, a rival shown to the team, every tool made to earn its
    # place and ours named: "a competing quote before renewal", "we've got a ChurnZero demo booked", "the
    # list of contracts each owner has to defend", "finance is cutting all software 15%".
    (_C, True, _M, True, r"competing (?:quote|bid|proposal|offer)\b|(?:quotes?|bids?|proposals?|pricing|offers?) "
                         r"from (?:another|other|a different|alternative|competing|rival) (?:vendors?|providers?|"
                         r"suppliers?|tools?|platforms?)|(?:three|3|two|2|several|multiple) (?:competing "
                         r"|competitive )?(?:quotes|bids|proposals) (?:for|before|on)\b|"
                         r"(?:saw|seen|watched|sat through|got|had|took) a demo (?:of|from|with) " + _RIVAL + r"|demo (?:with|from) "
                         + _RIVAL + r" (?:\w+ ){0,2}(?:booked|scheduled|lined up|planned)|(?:a|an|the|our) " + _RIVAL + r" demo (?:is |was )?(?:booked|scheduled|set up|lined up|"
                         r"planned|next|on|this|tomorrow|today)|(?:booked|scheduled|set up|having|had|got) "
                         r"(?:a |an )?demo (?:with|from) " + _RIVAL + r"|(?:we'?re|we are|"
                         r"i'?m|i am|been|also|now|seriously|genuinely|honestly) (?:also |now |seriously |genuinely "
                         r")?(?:looking at|talking to|speaking with|in talks with|trialling|trialing|testing) "
                         + _RIVAL + r"(?! (?:data|logs?|reports?|tickets?|integration|connector|api|export|"
                         r"sync|fields?|records?)\b)|"
                         r"(?:defend|justify|make the case for|re-?justify) (?:\w+ ){0,3}(?:every|each|all|our) "
                         r"(?:\w+ ){0,2}(?:subscriptions?|tools?|contracts?|vendors?|licen[cs]es?|line items?|"
                         r"spend)\b|(?:roi|usage|value|adoption) (?:numbers|data|figures|stats|case|story) to "
                         r"(?:defend|justify|keep|save)|(?:contracts?|tools?|subscriptions?|vendors?) (?:\w+ ){0,4}"
                         r"(?:has|have|needs?|must) to (?:defend|justify)|"
                         r"(?:cut\w*|reduc\w+|slash\w*|trim\w*) (?:all |every |our )?(?:software|saas|tool|vendor|"
                         r"subscription|it|licen[cs]e)s? (?:spend|costs?|budgets?|lines? )?(?:by )?\d+ ?(?:%|"
                         r"percent)|(?:evaluat\w+|review\w*|assess\w*|question\w*) (?:the )?(?:roi|value|cost) of "
                         r"(?:a few|several|some|all|our|every|each)? ?(?:\w+ )?(?:tools|vendors|subscriptions|"
                         r"contracts|software|platforms)\b|(?:you'?re|you are|your (?:tool|product|platform|"
                         r"contract|name)|we'?re|we are) (?:is |are )?(?:on|in) (?:the|that|this) "
                         r"(?:chopping block|cut list|(?:list|spreadsheet) (?:of|for) (?:cuts|tools to (?:cut|drop|review)|"
                         r"cancell?ations|savings))\b"),
    # The renewal held back while someone new looks around: "asked us to hold off on the renewal".
    (_C, True, _M, True, r"hold\w* off (?:on )?(?:the |our |any )?(?:renewal|signing|signature|contract|"
                         r"paperwork|purchase order|po)\b|(?:renewal|contract|signing)(?:\s+[\w'’-]+){0,12}?\s+"
                         r"hold\w* off\b|(?:renewal|contract) (?:is |now )?on hold|put (?:the |our )?(?:renewal|"
                         r"contract) on hold|(?:take|remove|drop) (?:it|that|this|them|the \w+(?: \w+)?) (?:off|"
                         r"from) (?:the|our) (?:contract|invoice|order form|renewal)\b"),
    # Seat counts that fall (`_counts_fall`: "before" above "after"): "go from 120 to 60 seats", "bill us for 30
    # seats rather than 48", "remove the 40 users on the list"; "from 50 seats to 80" is growth.
    (_C, True, _M, True, r"from (?P<before>\d+) (?:seats |licen[cs]es |users |agents |logins )?(?:down )?to "
                         r"(?P<after>\d+) (?:seats|licen[cs]es|users|agents|logins|named users)\b|from (?P<b2>\d+) "
                         r"(?:seats|licen[cs]es|users|agents|logins) (?:down )?to (?P<a2>\d+)\b"),
    (_C, True, _M, True, r"(?:seat|licen[cs]e|user|plan)\w*(?:\s+[\w'’?-]+){0,8}?\s+from (?P<before>\d+) (?:down )?to "
                         r"(?P<after>\d+)\b|(?P<a2>\d+) (?:seats|licen[cs]es|users|agents) (?:rather than|instead of|"
                         r"not|down from|vs\.?|versus) (?:the )?(?:current )?(?P<b2>\d+)\b"),
    (_C, True, _M, True, r"(?:remove|deactivate|delete|offboard|cancel|drop|release|disable) (?:the |these |those "
                         r"|all |around |about |roughly )?(?P<many>\d+) (?:\w+ )?(?:seats|licen[cs]es)\b|"
                         # A whole team's or site's seats handed back: "remove the licences for the Boston office".
                         r"(?:remove|deactivate|delete|offboard|cancel|drop|release|disable|close)\w* (?:all )?(?:of )?"
                         r"(?:the )?(?:licen[cs]es|seats|accounts|users|logins) (?:for|of|in|at) (?:the |our )?"
                         r"(?:whole |entire )?(?:\w+ ){0,2}(?:team|office|department|division|site|branch|location|"
                         r"clinic|store|plant|entity|subsidiary|region|business unit)s?\b|none of them "
                         r"(?:have |has )?(?:ever )?(?:logged in|log in|logs in|use it|used it|opened it)"),
    (_C, True, _M, True, r"(?:move|switch|put|take|downgrade) us (?:down )?(?:on)?to (?:the |a )?(?:basic|starter|"
                         r"lite|free|lower|cheaper|smaller|essentials?|entry[- ]level) (?:plan|tier|package|edition|"
                         r"bundle|level)|(?:drop|remove|take off|cancel|lose) (?:the |our )?(?:premium|dedicated|"
                         r"enterprise|advanced|priority|platinum|gold) (?:\w+ ){0,2}(?:sla|support|csm|tier|plan|"
                         r"package|add-?on)\b|(?:seats|licen[cs]es|users|logins) (?:will |would )?go away|"
                         r"(?:looking|need|want\w*|plan\w*|going|have|had) to (?:scale|cut|pull) (?:way |right |"
                         r"significantly |things |it )?back\b"),
    # Another system wanted, the group's standard, a tender about to open, a rival's offer in hand.
    (_C, True, _M, True, r"(?:thinking|think|considering|consider|plan\w*|want\w*|going|looking|decided|decide) "
                         r"(?:about |of )?(?:to )?(?:chang\w+|switch\w*|replac\w+|mov\w+ away from) (?:the |our |this "
                         r"|your )?(?:system|tool|platform|provider|vendor|supplier|solution|software)\b|"
                         r"(?:switch|move|go|migrate|change) (?:over )?to (?:something|someone|somebody) else|"
                         r"(?:use|uses|using|run|runs|running|prefer|prefers|want|wants) (?:something|someone) "
                         r"else\b|(?:runs?|run|running|has|have) everything on\b|all (?:the )?(?:subsidiaries|"
                         r"entities|business units|companies|divisions|sites) (?:will |must |should |have to )?"
                         r"(?:work|be|run|move|go) (?:in|on|onto|to) (?:the |a |one )?(?:same|single|one|common|"
                         r"group) (?:\w+ ){0,2}(?:system|tool|platform|crm|helpdesk|solution)|(?:migrat\w+|mov\w+|"
                         r"switch\w*) (?:\w+ ){0,3}to the (?:platform|system|tool|solution) (?:that )?(?:they|the "
                         r"group|the parent|our parent|head office|hq|the acquirer) (?:use|uses|run|runs)|review\w* "
                         r"(?:the )?overlaps?\b|"
                         r"\brfp\b (?:goes|will go|is going|went|comes) out|market (?:engagement|sounding) "
                         r"(?:exercise|process)?|sourcing (?:exercise|event)|(?:replace or renew|renew or replace)\b|"
                         r"(?:got|received|have|had|getting) (?:a |an )?(?:quote|offer|proposal|bid) from "
                         + _RIVAL + r"|(?:sat in on|joined|attended|had|took|saw) (?:a |an )?" + _RIVAL + r"(?: \w+)?"
                         r" demo\b|for a side[- ]by[- ]side\b|side[- ]by[- ]side (?:pilot|trial|poc|test)|"
                         r"(?:asked|wants?|told) (?:me|us|the team) to (?:evaluate|look at|compare|assess|trial|"
                         r"pilot|demo) " + _RIVAL + r"(?! (?:data|logs?|reports?|tickets?|integration|connector|api|"
                         r"export|sync|fields?|records?|results|numbers|figures)\b)"),
    # Use falling away: "most of the team has never logged in", "only 2 people logged in", "9% active users",
    # "went back to spreadsheets", "the team has started avoiding it".
    (_C, True, _M, True, r"(?:most|half|the majority|many) of (?:the |our |my )?(?:\w+ )?(?:team|users|people|staff|"
                         r"reps|agents|org|company|employees)\w* (?:has|have) never (?:logged in|used it|opened it|"
                         r"touched it)|(?:only|just) (?:\w+ )?(?P<part>\d+) (?:people|ppl|users|persons?|of us|agents|"
                         r"reps|staff|employees|folks) (?:have |has |actually |even )?(?:logged|log|used|use|opened|"
                         r"open|touched|active)\w*|(?:only |just )?(?P<share>\d+) ?% (?:active|weekly active|monthly "
                         r"active|of (?:our |the )?(?:users|seats|licen[cs]es) (?:are )?active)|(?:attendance|"
                         r"turnout) (?:was |of |is )?(?:only |just )?(?P<p2>\d+) (?:out of|of|/) (?P<whole>\d+)|"
                         r"(?:went|gone|drift\w*|revert\w*|slid|slipp\w+|(?:are|is|keep|kept|started|been)(?: \w+ly)? going) back "
                         r"to (?:the |"
                         r"their |our )?"
                         r"(?:old )?(?:spreadsheets?|excel|the old (?:tool|system|way))\b|"
                         r"(?:started|start|keep|keeps) avoiding (?:it|the (?:tool|platform|app|system))|"
                         r"still (?:works?|working|doing (?:\w+ ){0,2}) in (?:the |an |their |our )?(?:old )?"
                         r"(?:spreadsheets?|excel)"),
    # The sponsor gone or changed, no one named in their place.
    (_C, True, _M, True, _PEOPLE + r"\)?(?:\s+[\w'’()-]+){0,6}? (?:moves|is moving|will move|then moves) "
                         r"(?:to )?(?:teams|roles|departments|on)\b|(?:no|not (?:yet )?a) (?:replacement|successor|"
                         r"new owner) (?:has been |been |yet )?(?:named|appointed|found|hired|identified)|no "
                         r"(?:replacement|successor) (?:named|yet)|(?:exec(?:utive)? sponsor|champion|sponsor|main "
                         r"contact) (?:has )?changed|(?:has|have) never heard of (?:you|us|your (?:company|product|"
                         r"platform))|who (?:chose|picked|bought|championed|brought in|signed (?:with )?|selected|sponsored|"
                         r"backed) (?:you|us|the tool|it|your \w+)\b(?:\s+[\w'’,-]+){0,4}? (?:has |had |just |also )?"
                         r"(?:left|gone|moved on|retired|resigned|leaves|is leaving|will leave|departs|is departing|"
                         r"is moving on)|(?:been |was |were |got )?(?:made redundant|laid off)|(?:not sure|no idea|"
                         r"unclear|don'?t (?:yet )?know|do not (?:yet )?know|not (?:yet )?(?:clear|known|decided)) "
                         r"who (?:will |'ll )?(?:own|take over|inherit|manage|run|look after) (?:the |our |this )"
                         r"(?:relationship|account|contract|renewal|tool|platform)"),
    # The end of the contract planned for: an export before it ends, the contract left to run out, the date
    # by which to say "we won't renew".
    (_C, True, _M, True, r"(?:contract|agreement|subscription) (?:ends|expires|terminates|runs out)(?:\s+[\w'’./,:-]+)"
                         r"{0,8}?\s+(?:export|offboard\w*|data deletion|delete (?:all )?our data|hand ?over of (?:our|"
                         r"the) data)|(?:export|download|copy|extract) (?:of )?(?:all|every|the whole|our entire|the "
                         r"full|all of) (?:\w+ ){0,2}(?:data|records|history|tickets)\b(?:\s+[\w'’.,-]+){0,12}? "
                         r"(?:before|once|when|after) (?:the |our )?(?:contract|agreement|subscription) (?:ends|expires|"
                         r"ran out|runs out)|let (?:the |our |this )?(?:contract|agreement|subscription) run "
                         r"(?:its|it'?s) course|(?:if|in case|should) we (?:don'?t|do not|decide not to|choose not to) "
                         r"(?:intend to )?renew"),
    # A verdict on the relationship: "worst period we've had with any vendor", "done defending you".
    (_C, True, _M, True, r"worst (?:period|year|months?|quarter|stretch|time|patch|run) (?:we'?ve|we have|i'?ve|i have) "
                         r"(?:ever )?(?:had|seen|experienced)|(?:done|finished|tired of|stop|can'?t keep) (?:defending|"
                         r"championing|vouching for|going to bat for|covering for) (?:you|your|this)|regret "
                         r"(?:pushing for|recommending|championing|bringing in|advocating for|vouching for)|"
                         r"(?:whether|if) we (?:still|really|actually|even) need (?:you|it|this|that|your)|(?:still|"
                         r"even|really) need (?:that|this) (?:\w+ )?(?:thing|tool|platform|software)\b|"
                         r"why (?:we|do we) (?:still |even |really )?need (?:you|it|this|your)\b"),
    # The issue's commercial risks in other words: one module kept and the rest let go, other vendors asked to
    # bid, us run against a rival or trialled beside one, the group's platform after an acquisition, a
    # comparison asked for, "it probably won't be yours", nothing to show for the money.
    (_C, True, _M, True, r"keep (?:only|just) (?:the |our )?(?:\w+ ){0,2}(?:module|product|add-?on|seats?|licen[cs]es|"
                         r"plan)\b|let the rest go|(?:decid\w+|decision on|think\w* about|consider\w*|evaluat\w+|"
                         r"review\w*|assess\w*|work\w* out) (?:whether|if) (?:to |we (?:should |will |want to |can )?"
                         r"|it'?s worth )?(?:renew\w*|continu\w+|stay\w*|keep\w* (?:you|it|the (?:tool|platform|"
                         r"contract|subscription)))(?! (?:early|for (?:\w+ ){1,3}or\b|(?:\w+ ){0,3}or (?:expand|add|"
                         r"upgrade|grow)))|down to (?:a single|one|two) (?:\S+ ){0,2}(?:tools?|platforms?|"
                         r"systems?|vendors?|crms?|providers?)\b|(?:switch|move|go|change|convert)\w* (?:us |it |the "
                         r"contract )?(?:over )?to (?:a )?month[- ]to[- ]month|month[- ]to[- ]month (?:instead|rather)|"
                         r"(?:only|just) (?:signed off|approved|agreed|budgeted) (?:on |for |"
                         r"to )?(?:the |our )?(?:\w+ ){0,2}(?:module|product|add-?on|seats?|licen[cs]es|plan|tier)\b|"
                         r"(?:drop|drops|dropping|fall|falls|falling|come|comes|coming) off (?:at|from|with|in) (?:the |"
                         r"our )?(?:renewal|contract|order)|(?:asked|invited|approached|contacted) (?:two|three|four|\d+|"
                         r"other|several|a few|some) (?:other )?(?:vendors|providers|suppliers|companies|firms) to "
                         r"(?:bid|quote|pitch|submit|tender|propose)|(?:run|test|benchmark|pit|compare|measure)\w* "
                         r"(?:you|your (?:\w+ )?(?:platform|product|tool|solution|system)|it|the two) (?:against|"
                         r"versus|vs\.?|alongside|with) " + _RIVAL + r"|(?:trial|pilot|test|run|evaluat)\w* "
                         + _RIVAL + r" (?:alongside|next to|in parallel with|side by side with) (?:you|your)|"
                         r"(?:going to|will|plan to|planning to|want to|about to|'ll) (?:trial|pilot|evaluate|"
                         r"try out) " + _RIVAL + r"(?! (?:data|logs?|reports?|tickets?|integration|connector|api|"
                         r"export|sync|fields?|records?)\b)|(?:move|moving|migrat\w+|switch\w*|go|going) (?:\w+ )"
                         r"{0,2}onto (?:the |their )?(?:group'?s|parent'?s|parent company'?s|acquirer'?s|new "
                         r"owners?'?s?|head office'?s) (?:\w+ )?(?:platform|tool|system|crm|helpdesk|stack|"
                         r"solution)|(?:asked for|wants?|requested|requires?|needs?) (?:a |an )?(?:formal |full |"
                         r"proper )?(?:comparison|bake-?off|competitive (?:review|evaluation|analysis))(?! of "
                         r"(?:\w+ ){0,2}(?:numbers|data|reports?|figures|results|metrics|months|quarters|years|"
                         r"plans|prices for))|one (?:helpdesk|tool|platform|system|crm|vendor) for the whole "
                         r"(?:group|company|organi[sz]ation|business)|(?:probably|likely|may|might)(?: not)? "
                         r"(?:won'?t|not) be (?:you|yours)\b|won'?t be (?:you|yours)\b|(?:struggle|struggling|"
                         r"hard|difficult|can'?t|cannot) (?:to )?(?:show|explain|justify|prove)(?: [\w'’-]+){0,3}? "
                         r"what we (?:get|are getting|'re getting) for (?:the|our) (?:money|spend|price|cost)|"
                         r"review\w* (?:all |our |the )?(?:existing )?(?:contracts|vendors|subscriptions|tools|"
                         r"software|spend),? (?:including|incl\.?) (?:you|yours|your)\b|"
                         # Our price held against another's: "we'll set it against the Zendesk offer we have".
                         r"(?:set|put|hold|weigh|benchmark|measur)\w* (?:it|this|them|yours?|your (?:quote|offer|"
                         r"price|proposal)) against (?:the |a |an |their |another |other )?(?:\w+ )?(?:offer|quote|"
                         r"proposal|bid|pricing|price)s?\b|(?:match|beat)\w* (?:the |a |an |their )?(?:\w+ )?"
                         r"(?:offer|quote|proposal|bid) (?:from|we (?:have|got|received))"),
    # --- security ---------------------------------------------------------------------------------
    (_S, True, _H, False, r"(?:see|seeing|saw|seen|view\w*|access\w*|show\w*|display\w*|visible|expos\w+|"
                          r"pull\w*|return\w*|receiv\w+|get|getting|got|includ\w*|contain\w*|list\w*|load\w*|surfac\w*|"
                          r"sent|send\w*|e?mail\w*|export\w*|leak\w*) (?:\w+ ){0,6}(?:another|other|"
                          r"different|(?:an|the|some) other|someone else'?s?|a different) (?:\w+ )?(?:customer|"
                          r"client|tenant|company|companies|organi[sz]ation|org|account|workspace|firm|"
                          r"business|school|hospital|user)'?s?'? (?:\w+ )?(?:data|records|files|invoices|"
                          r"users|information|info|details|tickets|contacts|reports|dashboards?|emails?|"
                          r"documents|patients|employees|accounts|dates|numbers|names|addresses|arr|revenue|"
                          r"contracts|deals|pipeline|notes|conversations|responses|rows|entries|results)|someone else'?s (?:\w+ ){0,2}(?:invoice|data|"
                          r"records|files|tickets|details|information|report|account)s?|"
                          r"cross[- ](?:tenant|account|customer) "
                          r"(?:\w+ )?(?:leak|exposure|access|data|bug|issue)|(?:data|records?|information|"
                          r"tickets?|files?|contacts?|accounts|users|emails?|rows|reports?|dashboards?|invoices?|"
                          r"entries|details|conversations?|deals?|results|responses|names) (?:from|of|belonging "
                          r"to|for) "
                          r"(?:another|(?:some |an |the )?other|(?:a |some )?different) (?:customer|"
                          r"client|tenant|company|organi[sz]ation)"),
    (_S, True, _H, False, r"(?<!\bwe )(?<!\bi )(?<!\bwe accidentally )(?<!\bi accidentally )"
                          r"(?:data )?breach(?:ed)?(?! of (?:the |our )?(?:contract|agreement|sla|msa|terms))|"
                          r"hacked|compromised|ransomware|data (?:leak|exposure|incident)|"
                          r"security (?:incident|breach|hole|flaw|vulnerability)|vulnerabilit(?:y|ies) (?:in|on) "
                          r"your|unauthori[sz]ed (?:access|login|logins|user|users|party|parties|download)|"
                          r"(?:your|the vendor'?s?) (?:\w+ ){0,3}(?:leaked|exposed)|"
                          r"(?:credentials|keys?|tokens?|passwords?|secrets?|pii|personal data|ssns?|card "
                          r"numbers|patient data|health data) (?:\w+ ){0,4}(?:leaked|exposed|visible|in (?:the "
                          r")?(?:logs?|plain ?text|clear ?text|url|public)|unencrypted|publicly accessible)|"
                          r"(?:plain ?text|clear ?text|unencrypted) (?:passwords?|credentials|pii|personal data)|"
                          # Their data where stolen data is traded: a leak site, the dark web, a paste site.
                          r"(?:leak|dump) (?:site|forum)s?|dark ?web|darknet|paste ?(?:bin|site)|hacker forums?|"
                          r"(?:api )?(?:keys?|tokens?|passwords?|secrets?|credentials)(?:\s+[\w'’-]+){0,4}?\s+"
                          r"(?:shows?|showing|appears?|appearing|visible|exposed|printed|logged)(?:\s+up)?\s+(?:in|on) "
                          r"(?:your|the) (?:public |status )?(?:status page|logs?|urls?|page|dashboard)"),
    (_S, True, _H, False, r"(?:pen(?:etration)?[- ]?test\w*|audit\w*|security review|assessment|soc ?2 "
                          r"(?:audit|auditors?)|iso (?:audit|auditors?)|auditors?)(?:\s+[\w'’-]+){0,6}?\s+"
                          r"(?:found|finding|findings|flagged|identified|revealed|failed|uncovered|raised|"
                          r"exception|critical|high[- ]severity|non-?conformit\w+)|"
                          # What the testers could do is the finding: "the testers were able to enumerate".
                          r"(?:pen ?testers?|testers|auditors?|assessors?|researchers?|red team\w*|(?:security|"
                          r"pen ?test|penetration test(?:ing)?) (?:team|firm|vendor|company|provider|partner|"
                          r"consultants?|researchers?))" + _NEXT + r"{0,3}?\s+(?:(?:were|was) able to|"
                          r"managed to|could|can) (?:\w+ )?(?:access|read|view|see|enumerate|bypass|escalate|"
                          r"download|extract|exfiltrate|log ?in|sign ?in|impersonate|obtain|retrieve|harvest|"
                          r"dump|guess|brute[- ]?force|take over|hijack)|"
                          r"(?:wrong|unauthori[sz]ed|former|ex)[- ](?:people|users|person|employees?|staff|"
                          r"contractors?|admins?|members?)" + _NEXT + r"{0,5}?,?\s+(?:still )?(?:have |has |had |"
                          r"with |got |(?:was|were) (?:still )?able to |could (?:still )?|can (?:still )?)?(?:access|"
                          r"log ?in|logged in|log on|sign ?in|signed in|sign on|get in|got in|into|see|saw)\b|"
                          r"(?:sso|saml|login|mfa|2fa|okta|azure ad|entra) (?:\w+ ){0,4}(?:let|lets|letting|"
                          r"allowed|allows|bypass\w*)|"
                          r"(?:gdpr|privacy|data protection|hipaa|ccpa|lgpd) (?:violation|breach|complaint|"
                          r"incident|infringement)|"
                          r"(?:dsar|subject access request|erasure request|deletion request|right to be "
                          r"forgotten)(?:\s+[\w'’-]+){0,10}?\s+(?:deadline|overdue|missed|late|ignored|expires|"
                          r"expired|unanswered|past due|still not)"),
    (_S, False, _M, False, r"security|privacy|gdpr|soc ?2|pen ?test|audit|leak\w*|exposed|sso|mfa|"
                           r"permissions?|access control|personal data|pii|encrypt\w*"),
    # Another company's records in ours, secrets in public, outsiders in the workspace, our data handed to
    # someone else.
    (_S, True, _H, False, r"(?:users?|someone|somebody|people|agents?|employees?|staff) (?:from|at|of) (?:a different|"
                          r"another|other|an unrelated) (?:customer|client|company|organi[sz]ation|tenant|account)s? "
                          r"(?:could|can|was able to|were able to|managed to) (?:\w+ )?(?:open|see|view|access|"
                          r"download|read|edit)|shared (?:our|my) (?:\w+ ){0,2}(?:data|list|records|files|contacts|"
                          r"customers|details|documents|invoices) with (?:another|a different|the wrong|an? other|"
                          r"an unrelated) (?:client|customer|company|person|recipient|organi[sz]ation)|"
                          r"(?:your|an?|one of your) (?:employees?|staff(?: members?)?|agents?|engineers?|"
                          r"contractors?)(?: [\w'’-]+){0,3}? (?:accessed|viewed|opened|downloaded|exported|logged "
                          r"into) (?:our|my) (?:\w+ ){0,2}(?:account|data|workspace|records|files|tenant)(?: [\w'’-]+)"
                          r"{0,3}? without (?:any )?(?:permission|authori[sz]ation|consent|our (?:permission|consent|"
                          r"approval))"),
    (_S, True, _H, False, r"(?:records?|data|rows|tickets|files|entries|contacts|invoices)(?: [\w'’-]+){0,3}? "
                          r"(?:from|of|for|belonging to) (?:a |an |one |some )?(?:user|customer|client|person|"
                          r"employee|member|contact)s? (?:at|from|of) (?:another|a different|other|an unrelated) "
                          r"(?:company|organi[sz]ation|customer|tenant|account|firm|business)|(?:api keys?|tokens?|"
                          r"passwords?|credentials?|secrets?)(?: [\w'’-]+){0,3}? (?:appeared|appears|visible|exposed|"
                          r"showing|shown|published|posted|printed|logged) (?:\w+ ){0,3}(?:in|on) (?:your |a |the )?"
                          r"(?:public|plain ?text|logs?|status page|github|repo\w*|url|urls)|(?:someone|somebody|"
                          r"people|a user|users|an account) (?:from )?outside (?:our|the) (?:company|organi[sz]ation|"
                          r"org|team|tenant|domain) (?:\w+ ){0,2}(?:accessed|access|saw|seen|viewed|logged (?:in|"
                          r"into)|got into|downloaded|exported)"),
    # --- operational ----------------------------------------------------------------------------
    (_O, True, _H, False, r"(?:payroll|pay ?run|salaries|wages|invoic\w+ run|billing run|month[- ]end|"
                          r"quarter[- ]end|year[- ]end|(?:the |our )?close|go[- ]?live|launch|cut-?over|release|"
                          r"shipments?|orders|checkout|production|prod|deliveries|audit|board (?:meeting|pack|"
                          r"deck)|filing|submission|enrol?ment|open enrol?ment)(?:\s+[\w'’-]+){0,5}?\s+"
                          r"(?:is |are |was |were |has been |have been |got |is now |are now |now )?(?:blocked|"
                          r"stuck|halted|stalled|on hold|at risk|in jeopardy|jeopardi[sz]ed|delayed|slipping|"
                          r"missed|can'?t (?:run|go|proceed|happen|be (?:run|processed|completed))|cannot "
                          r"(?:run|go|proceed|happen)|failing|failed|down|broken)"),
    (_O, True, _H, False, r"(?:blocked|blocking|held up|stuck) (?:on|by) (?:you|your|this|the (?:bug|issue|"
                          r"outage|problem|sync|integration|export))|(?:can'?t|can ?not|unable to|could ?n'?t|"
                          r"could not|not able to) (?:run|process|close|ship|launch|go live|bill|invoice|pay "
                          r"(?:our|anyone|people|staff|employees)|work|operate|log ?in|sign ?in|access "
                          r"(?:anything|the (?:platform|app|system|tool|data))|serve (?:our )?customers)|"
                          r"(?:whole|entire|all (?:of )?(?:our|the)) (?:\w+ )?(?:team|company|org\w*|department|"
                          r"staff|floor|office|support team|sales team|agents|users|reps)(?:\s+[\w'’-]+){0,3}?\s+"
                          r"(?:can'?t(?! wait)|cannot(?! wait)|unable|(?:is|are) (?:blocked|down|idle|stuck|"
                          r"locked out)|locked out|sitting idle|at a standstill|staring at (?:a |the |blank )?"
                          r"(?:spinners?|blank|loading|error))|(?:nobody|no one|none of us) (?:here |on (?:my|"
                          r"our|the) team )?(?:can|could) (?:log ?in|work|access|get in|do anything|(?:create|process|place|take|"
                          r"send|ship|fulfil+) (?:any |new )?(?:orders|invoices|shipments|payments|campaigns|"
                          r"tickets))|"
                          # Unable to work for some time: "we haven't been able to send any campaigns for two days".
                          r"(?:haven'?t|have not|hasn'?t|has not) been able to (?:send|run|process|ship|bill|invoice|"
                          r"log ?in|sign ?in|access|work|pay|launch|sell|take orders)(?:\s+[\w'’-]+){0,4}?\s+"
                          r"(?:for|since) (?:\w+ )?(?:days?|hours|weeks?|yesterday|monday|tuesday|wednesday|"
                          r"thursday|friday|this morning|last)|"
                          # People paid to work who cannot: "forty agents doing nothing".
                          r"(?:\d+|all|dozens of|hundreds of|twenty|thirty|forty|fifty|sixty|a hundred) (?:of (?:our|my) "
                          r")?(?:\w+ )?(?:agents|reps|staff|employees|engineers|nurses|drivers|people|users|analysts|"
                          r"cashiers|operators) (?:are |were |have been |just |now )*(?:doing nothing|sitting (?:idle|"
                          r"around)|idle|twiddling (?:their|our) thumbs|unable to work|staring at (?:a |the |blank )?"
                          r"(?:spinners?|blank|loading|error))"),
    (_O, True, _H, False, r"(?:data|records|numbers|transactions|entries|rows|invoices|orders|contacts|"
                          r"notes|history|files|figures|reports?|logs) (?:\w+ ){0,4}(?:are |is |were |was |went |have "
                          r"gone |has gone )?(?:missing|gone|lost|wiped|corrupted|incorrect|"
                          r"duplicated|truncated|out of sync)|(?:missing|lost|corrupted|wiped|incorrect|"
                          r"wrong) (?:\w+ ){0,2}(?:data|records|transactions|entries|numbers|rows|invoices|"
                          r"amounts|figures)|silently (?:dropp|truncat|fail|skip|los|delet|overwr)\w*|"
                          # Values put back to nothing: "health scores for every account reset to 0 overnight".
                          r"(?:scores?|values?|fields?|settings|numbers|data|records|figures|counts|balances|"
                          r"totals|forecasts?|mappings?|permissions|configurations?|dashboards?) (?:\w+ ){0,3}"
                          r"(?:(?:were|was|got|have been|has been|are|is) )?(?:all )?(?:reset|reverted|zeroed|"
                          r"blanked|cleared|wiped) (?:\w+ )?(?:to (?:0|zero|blank|null|defaults?|empty)|out|"
                          r"overnight)|"
                          # What a change of ours destroyed: "the release wiped our custom fields".
                          r"(?:release|update|upgrade|migration|sync|import|integration|patch|deploy\w*|hotfix|"
                          r"editor|job|automation|script) (?:\w+ ){0,2}(?:wiped|deleted|erased|lost|dropped|"
                          r"corrupted|overwr\w+|reset|cleared|scrambled) (?:all (?:of )?|half (?:of )?)?(?:our|my|"
                          r"the|every|all) (?:\w+ ){0,2}(?:data|records|fields|notes|history|contacts|settings|"
                          r"playbooks?|dashboards?|reports?|scores|workflows|tickets|accounts|entries|rows|files|"
                          r"configurations?|templates?)|"
                          r"(?:production|prod|platform|site|app|system|service|api|dashboard|everything) "
                          r"(?:is |has been |went |is completely |are )?(?:down|offline|unavailable|"
                          r"unreachable)|(?:full|total|complete|major|global) outage|"
                          r"(?:losing|lost|costing|cost) (?:us |me )?(?:money|revenue|sales|deals|orders|"
                          r"customers|\$|€|£)"),
    # Work stopped or data gone, said plainly or after praise: "nobody on our side can open the ticket view",
    # "approved orders aren't syncing at all, 60 are stuck", "all of last quarter's data vanished", "would be
    # even better if it let me log in".
    (_O, True, _H, False, r"(?:nobody|no one|none of (?:us|our \w+|the \w+|my \w+))(?: [\w'’-]+){0,3}? (?:can|could|"
                          r"is able to|are able to|has been able to|have been able to) (?:\w+ )?(?:open|log ?in|"
                          r"access|use|load|get into|sign ?in|work|see (?:anything|their|our)|reach)\b|"
                          r"(?:aren'?t|are not|isn'?t|is not|stopped|not) (?:\w+ )?(?:flowing|syncing|coming "
                          r"through|going through|posting|arriving|being (?:created|sent|processed|synced))"
                          r"(?:\s+[\w'’-]+){0,4}?\s+at all|(?:\d+|dozens|hundreds|thousands)(?:-odd)? (?:\w+ )?(?:are "
                          r"|is |now |still )?(?:stuck|piling up|backed up|sitting in (?:the )?queue)\b|(?:\d+|dozens|hundreds|"
                          r"thousands)(?:-odd)? (?:\w+ ){0,2}(?:are |is )?(?:sitting|stuck|left) (?:unapproved|"
                          r"unprocessed|unsent|unpaid|unshipped|undelivered)|(?:whole |entire )?(?:\w+ )?(?:team|crew|"
                          r"staff|floor|agents|drivers|pickers|operators)(?: is| are)? (?:standing|sitting|waiting) "
                          r"around\b|"
                          r"(?:data|records|numbers|transactions|entries|rows|invoices|orders|contacts|notes|history|"
                          r"files|figures|logs|tickets|accounts|fields|reports?|dashboards?)(?: [\w'’-]+){0,4}? "
                          r"(?:have |has |had |just |all )?(?:vanished|disappeared)|(?:is|are) (?:\w+ )?(?:inverted|"
                          r"reversed|scrambled|swapped|backwards)\b|(?:showing|shows|show|displaying|calculat\w+) "
                          r"(?:the )?(?:wrong|incorrect) (?:balances|totals|values|prices|dates|results|amounts|"
                          r"numbers|figures|data)|(?:would|if it|wish it|if only it)(?: [\w'’-]+){0,5}? "
                          r"(?:let|lets|allowed|allows) (?:me|us|anyone|people) (?:to )?(?:log|sign) ?in\b"),
    (_O, False, _M, False, r"outage|downtime|incident|deadline|blocked|blocker|urgent|asap|payroll|go-?live|"
                           r"launch|(?:not|n't) (?:work|load|sync)\w*|error|fail\w*|broken|crash\w*"),
    # --- escalation ---------------------------------------------------------------------------------
    # The same thing sent again and again, each date listed: "the screenshot I sent on 2 June, 9 June and 16 June".
    (_E, True, _H, False, r"(?:sent|raised|reported|asked|flagged|shared|attached|mentioned|logged|emailed)"
                          r"(?: [\w'’]+){0,4}? on (?:\w+ )?\d{1,2}(?:st|nd|rd|th)?(?: \w+)?, (?:\w+ )?\d{1,2}"
                          r"(?:st|nd|rd|th)?(?: \w+)?,? and (?:\w+ )?\d{1,2}\b"),
    (_E, False, _M, False, r"(?:loop\w*|copy\w*|cc'?\w*|bring\w*|involv\w+|add\w*|includ\w+) (?:in )?"
                           r"(?:my|our|your) (?:\w+ )?(?:director|manager|boss|vp|svp|ceo|cto|cfo|cio|coo|"
                           r"leadership|legal|executive|exec|head of \w+|general counsel|counsel|management)"),
    (_E, True, _H, False, r"(?:loop\w*|copy\w*|cc'?\w*|bring\w*|involv\w+|add\w*|includ\w+) (?:in )?"
                          r"(?:my|our) (?:\w+ )?(?:director|boss|vp|svp|ceo|cto|cfo|cio|coo|leadership|legal|"
                          r"executive|exec|general counsel|counsel)" + _NEXT + r"{0,6}?,?\s+(?:since|because|as|"
                          r"given|now that|until)\b|"
                          r"escalat\w+ (?:this |it |the matter |the issue )?(?:to|with|internally|further|"
                          r"formally)|(?:i'?m|i am|we are|we'?re|we will|we'?ll|i will|i'?ll) escalat\w+|"
                          r"(?:material|fundamental|clear) breach|breach of (?:the |our )?(?:contract|agreement|"
                          r"sla|msa|terms|dpa)|sla (?:breach|violation|credits?|penalt\w+)|"
                          r"(?:formal|official|written) complaint|(?:our |my )?(?:lawyers?|attorneys?|legal "
                          r"(?:team|department|counsel)|counsel) (?:\w+ ){0,3}(?:(?:is|are|will be|now|already|"
                          r"getting) involved|will be in touch|(?:is|are) looking into (?:our|the) (?:options|"
                          r"contract))|legal action|(?:last|final) (?:warning|chance|notice|reminder)|"
                          r"(?:if|unless) (?:this|it|the \w+) (?:is|isn'?t|is not|gets?|can'?t be) (?:\w+ )?"
                          r"(?:fixed|resolved|sorted|addressed|solved) (?:by|before|within|today|this)"),
    (_E, True, _H, False, _ORDINAL + r" (?:follow[- ]?up|request|email|reminder|chase|message|ping|"
                          r"ticket|ask)s?\b|" + _ORDINAL + r" attempt (?:to (?:reach|contact|get (?:hold of|through|"
                          r"an answer|a reply|a response))|at (?:reaching|contacting|getting))|" + _ORDINAL + r" time (?:(?:i|we)(?:'ve| have|'m| am|'re| are)? )?(?:ask|chas|follow|"
                          r"remind|writ|email|report|rais|call|flag|request|ping)\w*|"
                          r"(?:follow\w*|chas\w+|remind\w*|ping\w*|asking) (?:up )?(?:\w+ ){0,4}(?:again )?"
                          r"for the " + _ORDINAL + r" time|(?:follow\w*|chas\w+|writ\w+|ask\w*|email\w*|remind\w*|ping\w*|nudg\w*|"
                          r"rais\w+|report\w*) (?:up )?(?:\w+ ){0,3}again,? (?:for )?(?:the )?" + _ORDINAL + r" time\b|"
                          r"(?:speak|talk) (?:to|with) (?:someone|somebody|a person) (?:more senior|senior|in "
                          r"charge|higher up|with authority)|(?:speak|talk) to (?:your|a) (?:manager|supervisor|"
                          r"boss)\b|(?:still|again) (?:no|without) (?:\w+ ){0,2}"
                          r"(?:answer|response|reply|update|resolution)(?:\s+\w+){0,6}?\s+(?:weeks?|"
                          r"follow[- ]?ups|reminders|emails|tickets)|(?:three|four|five|six|several|multiple|"
                          r"\d+) (?:follow[- ]?ups|reminders|chasers)|"
                          # "Reached out 3 times on chat, no answer": three or more tries is the third follow-up.
                          r"(?:reached out|asked|emailed|e-mailed|called|phoned|written|wrote|chased|followed up|"
                          r"pinged|contacted (?:you|support|your team)) (?:(?:to )?(?:you|support|your team) )?"
                          r"(?:[3-9]|three|four|five|six|several|multiple|many) times\b"),
    (_E, False, _M, False, r"escalat\w+|follow(?:ing)?[- ]up again|still waiting|no response|no reply|"
                           r"manager|director|unacceptable"),
]

#: A cancellation with no object, said of the service: the clause ends, or a time or a condition follows
#: ("Si no lo arreglan, cancelamos.", "Vamos cancelar no fim do mês", "Cancelamos a fin de mes si no...").
_BARE_CANCEL = {
    "es": r"(?:cancelamos|cancelaremos|cancelo|(?:vamos|voy) a cancelar|lo cancelamos|nos damos de baja)"
          r"(?=\s*(?:[.!?;,]|$)|\s+(?:a fin|al final|el (?:mes|a[nñ]o) que viene|este mes|el mes|si\b|ya\b|hoy|"
          r"ma[nñ]ana|y punto|de una vez|sin m[aá]s|en cuanto))",
    "pt": r"(?:cancelamos|cancelaremos|cancelo|(?:vamos|vou) cancelar|vamos a cancelar)"
          r"(?=\s*(?:[.!?;,]|$)|\s+(?:no fim|ao final|no final|este m[eê]s|no pr[oó]ximo|m[eê]s que vem|se\b|"
          r"j[aá]\b|hoje|amanh[ãa]|e pronto|de vez|assim que))",
}

#: es, fr, de, pt: fewer, broader patterns; a strong match floors the reading like an English one.
_OTHER: dict[str, list[tuple[RiskKind, bool, Urgency, bool, str]]] = {
    "es": [
        (_S, True, _H, False, r"(?:registros|datos|facturas|expedientes|clientes|pedidos|tickets|documentos) "
                              r"(?:\S+ ){0,2}de (?:una|otra) (?:empresa|compa[nñ][ií]a|organizaci[oó]n|cliente) que no "
                              r"es (?:la |el )?nuestr[oa]"),
        (_C, True, _M, True, r"(?:estandariz|unific|consolid|migr|pas)\w* (?:\S+ ){0,3}(?:la herramienta|la "
                             r"plataforma|el sistema|el software|la soluci[oó]n) (?:que (?:ya )?(?:usa|utiliza)|de) "
                             r"(?:la matriz|el grupo|la casa matriz|la central|la sede)"),
        # Other vendors asked to bid, a rival's demo, one tool for the merged group, the contact leaving, value in
        # doubt, nobody using it.
        (_C, True, _M, True, r"(?:pedido|solicitado|pidi[oó]|pide|piden) (?:\w+ )?(?:ofertas|presupuestos|cotizaciones|"
                             r"propuestas) a (?:otros|otras|varios|varias|dos|tres)|(?:ver|tener|hacer|agendar|"
                             r"programar|pidi[oó]|pide|quiere) una (?:demo|demostraci[oó]n|presentaci[oó]n) de "
                             r"(?-i:[A-Z][\w.&-]+)|(?:fusi[oó]n|adquisici[oó]n|grupo|matriz)(?:\s+\S+){0,10}?\s+(?:la misma "
                             r"(?:herramienta|plataforma)|una (?:sola|[uú]nica) (?:herramienta|plataforma)|el mismo "
                             r"(?:sistema|software|proveedor))|(?:responsable|sponsor|contacto|director\w*|gerente|jef[ea]|"
                             r"champion|interlocutor\w*|valedor\w*)(?:\s+\S+){0,4}?\s+(?:deja|dejar[aá]|se va de|"
                             r"abandona|sale de) (?:la|esta) (?:empresa|compa[nñ][ií]a|organizaci[oó]n)|no s[eé] si (?:nos )?(?:compensa|vale la "
                             r"pena|merece la pena)|(?:casi )?nadie (?:\w+ ){0,3}(?:usa|utiliza|entra en) (?:la "
                             r"plataforma|la herramienta|el sistema|la app|el programa)"),
        (_C, True, _M, True, r"(?:quiere|quieren|vamos a|va a|necesita\w*|pidi[oó]) comparar(?:os| (?:vuestr\w+|su|la|el) "
                             r"(?:plataforma|herramienta|soluci[oó]n|sistema|producto|servicio)) con"),
        (_O, True, _H, False, r"nadie (?:del equipo |de nosotros |aqu[ií] |en la oficina )?(?:puede|consigue|logra|"
                              r"pudo) (?:entrar|acceder|trabajar|abrir|usar|iniciar sesi[oó]n)|(?:han desaparecido|"
                              r"desaparecieron|se borraron|se han borrado) (?:\w+ ){0,2}(?:todos|todas|los|las|nuestros|"
                              r"nuestras)"),
        (_C, True, _M, True, r"cuando (?:venza|termine|acabe|finalice) (?:el|nuestro) contrato,? (?:nos vamos|nos "
                             r"cambiamos|no renovamos|lo dejamos|cambiamos|nos damos de baja)|(?:estamos|empezamos a|"
                             r"vamos a) (?:probar|probando|evaluar|evaluando|pilotar|pilotando) (?-i:[A-Z][\w.&-]+)|"
                             r"replante\w+ (?:\w+ ){0,2}(?:herramientas|proveedores|contratos|suscripciones)|"
                             r"(?:solo|s[oó]lo) (?:la mitad|\d+ ?%|\d+ de \d+) (?:\w+ ){0,3}(?:usa|usan|utiliza|"
                             r"utilizan|entra|entran)"),
        # The writer leaving, the account without an owner, seats cut, every subscription under review.
        (_C, True, _M, True, r"(?:dejo|dejar[eé]|me voy de|abandono|salgo de) (?:la|esta) (?:empresa|compa[nñ][ií]a|"
                             r"organizaci[oó]n)|(?:mi|el) [uú]ltimo d[ií]a (?:aqu[ií]|en la empresa|ser[aá]|es)|"
                             r"(?:me cambio|cambio) de (?:trabajo|empresa)|(?:no se sabe|no sabemos|a[uú]n no "
                             r"(?:se sabe|sabemos|est[aá] claro)|sin definir) qui[eé]n (?:\w+ ){0,2}(?:llevar[aá]|"
                             r"se encargar[aá]|asumir[aá]|gestionar[aá]|heredar[aá]|tomar[aá])|"
                             r"(?:bajamos|reducimos|recortamos|pasamos a reducir) (?:\w+ ){0,2}de \d+ a \d+ "
                             r"(?:usuarios|licencias|puestos|asientos)|(?:revis\w+|recort\w+|justific\w+|"
                             r"auditando) (?:\w+ ){0,2}(?:todas las|cada|todos los) (?:suscripciones|"
                             r"herramientas|licencias|proveedores|contratos|gastos)|(?:est[aá]|est[aá]is|est[aá]n) "
                             r"en la lista (?:de|para) (?:recortes?|revisi[oó]n|revisar|cancelar)|(?:cotizaciones|"
                             r"presupuestos|ofertas) (?:de|a) (?:la competencia|otros proveedores|otras empresas)"),
        (_C, True, _H, True, r"(?:preaviso|notificaci[oó]n formal|(?:notificamos|comunicamos|informamos) "
                             r"formalmente|por medio de la presente)(?:\s+\S+){0,15}?\s+(?:no renova\w+|"
                             r"rescisi[oó]n|resci\w+|terminaci[oó]n|cancelaci[oó]n|baja)|cl[aá]usula(?:\s+\S+)"
                             r"{0,10}?\s+(?:rescisi[oó]n|terminaci[oó]n|resci\w+|no renova\w+)"),
        (_C, True, _M, True, r"no (?:\w+ ){0,2}renova(?:r|remos|mos|ci[oó]n)|no renovaci[oó]n|rescind\w+|"
                             r"rescisi[oó]n|terminaci[oó]n del contrato|dar(?:nos)? de baja|a punto de cancelar|"
                             + _BARE_CANCEL["es"]
                             + r"|(?:cancelar|cancelamos|"
                             r"cancelaremos|cancelen|cancele) (?:\w+ ){0,2}(?:suscripci[oó]n|cuenta|contrato|licencias|plan|"
                             r"servicio)|(?:reducir|reduciremos|recortar|bajar) (?:\w+ ){0,3}(?:de \d+ a \d+ )?(?:licencias|"
                             r"usuarios|puestos|asientos|plan)|solo (?:vamos a |podemos )?renovar|"
                             r"(?:recorte|recortes|revisi[oó]n|congelaci[oó]n) (?:\w+ ){0,2}(?:presupuest\w+|"
                             r"proveedores|gastos)|(?:cotizaciones|presupuestos|ofertas) de (?:otros|varios|"
                             r"tres)|(?:evaluando|comparando|probando|analizando|mirando) (?:\w+ ){0,3}"
                             r"(?:alternativas?|otros? proveedor\w*|competencia|competidor\w*|otras "
                             r"(?:herramientas|soluciones|plataformas))|comparativa|(?:consolidar|unificar) "
                             r"(?:\w+ ){0,3}(?:herramientas|proveedores|plataformas)|(?:no estamos seguros|dudamos|no (?:vemos|sabemos))(?:\s+\S+)"
                             r"{0,6}?\s+(?:valga|vale|valor|retorno|compensa)|(?:pausa(?:r|mos|remos)|suspend(?:er|emos)|"
                             r"congela(?:r|mos)) "
                             r"(?:\w+ ){0,2}(?:uso|suscripci[oó]n|despliegue|contrato)|dejar de usar|"
                             r"(?:cambiar(?:nos)?|migrar|pasar(?:nos)?) (?:a otro|de) proveedor|replantear\w* "
                             r"(?:\w+ ){0,3}(?:renovaci[oó]n|contrato|relaci[oó]n)|"
                             # A threat tied to the problem going on: "si sigue así, cancelamos".
                             r"(?:si|como) (?:esto |la cosa )?(?:sigue|siga|contin[uú]a|contin[uú]e) (?:as[ií]|igual),? (?:\w+ ){0,2}"
                             r"(?:cancel\w+|nos vamos|cambiamos|buscaremos|buscamos|dejamos)|"
                             # Another offer priced under ours: "por la mitad de precio", "un 30 % más barato".
                             r"(?:ofrec\w+|ofert\w+|propuesta|cotizaci[oó]n|presupuesto)(?:\s+\S+){0,6}?\s+"
                             r"(?:por|a) (?:la )?mitad de(?:l)? precio|(?:ofrec\w+|ofert\w+|propuesta|"
                             r"cotizaci[oó]n|presupuesto)(?:\s+\S+){0,6}?\s+(?:un )?\d+ ?(?:%|por ciento) m[aá]s "
                             r"barat\w+"),
        # Another customer reaching our data, said plainly: "otro cliente puede ver nuestros datos".
        (_S, True, _H, False, r"(?:otr[oa]s?|un[ao]? otr[oa]) (?:cliente|empresa|organizaci[oó]n|usuari[oa]|"
                              r"cuenta)s?(?:\s+\S+){0,4}?\s+(?:a )?(?:nuestros|nuestras|mis) (?:datos|registros|"
                              r"facturas|clientes|informaci[oó]n|expedientes|pedidos)"),
        (_S, True, _H, False, r"(?:datos|registros|informaci[oó]n|facturas|expedientes) (?:\w+ ){0,2}de "
                              r"(?:otro|otra|otros) (?:cliente|empresa|organizaci[oó]n|cuenta)|"
                              # Someone outside who reached our data: "alguien de otra empresa ve nuestros datos".
                              r"(?:alguien|usuari[oa]s?|gente|personal|empleados) de (?:otro|otra) (?:cliente|"
                              r"empresa|organizaci[oó]n|cuenta) (?:\w+ ){0,2}(?:accede|accedi\w+|tiene acceso|"
                              r"tienen acceso|ve|ven|vio|vieron|puede ver|pueden ver)|brecha de "
                              r"(?:seguridad|datos)|filtraci[oó]n|filtrad[oa]s?|se (?:han )?filtr\w+|(?:credenciales|claves|"
                              r"contrase[nñ]as|tokens?) (?:\w+ ){0,2}expuest\w+|acceso no autorizado|"
                              r"(?:auditor[ií]a|pentest|prueba de penetraci[oó]n)(?:\s+\S+){0,6}?\s+"
                              r"(?:detect\w+|encontr\w+|hallazgo\w*|se[nñ]al\w+|identific\w+)|hallazgos|"
                              r"incidente de seguridad|vulnerabilidad|violaci[oó]n de (?:datos|la privacidad)|hackead[oa]s?|"
                              r"hackearon|se filtraron"),
        (_O, True, _H, False, r"n[oó]mina|no (?:podemos|pueden|puedo) (?:trabajar|facturar|cerrar|operar|"
                              r"entrar|acceder|pagar|vender|emitir)|(?:est[aá]|estamos|est[aá]n|qued[oó]|"
                              r"quedamos) (?:totalmente |completamente )?(?:bloquead\w+|parad\w+|detenid\w+)|"
                              r"ca[ií]d[oa]|"
                              # The platform fell over; a bare "se cayó otra vez" may be the customer's own ERP.
                              r"se cay[oó] (?:\w+ ){0,2}(?:el sistema|la plataforma|el servidor|la app|todo)\b|"
                              r"(?<!nuestro )(?<!nuestra )(?:sistema|plataforma|servidor|app|aplicaci[oó]n|web) "
                              r"se (?:ha )?ca[ií](?:do|d[oa])|fuera de servicio|sin servicio|(?:salida en vivo|puesta en marcha|"
                              r"lanzamiento|go-?live)(?:\s+\S+){0,5}?\s+(?:bloquead\w+|retrasad\w+|en riesgo|"
                              r"peligr\w+)|(?:datos|registros|pedidos|facturas) (?:\w+ ){0,2}(?:perdid\w+|"
                              r"faltan|incorrect\w+|borrad\w+|duplicad\w+)|faltan (?:\w+ ){0,2}datos|"
                              # Verb first: "perdimos todos los pedidos", "la sincronización borra contactos".
                              r"(?:perdimos|hemos perdido|se perdieron|se han perdido|borr[oó]|borra|borran|"
                              r"borraron|ha borrado|elimin[oó]|eliminaron) (?:\w+ ){0,2}(?:datos|registros|"
                              r"pedidos|facturas|contactos|notas|historial|clientes|ventas)|"
                              r"(?:perdiendo|perdemos) (?:dinero|ventas|clientes)"),
        (_E, True, _H, False, r"escal(?:ar|ando|aremos|ado|o) (?:\w+ ){0,4}(?:direcci[oó]n|director\w*|gerencia|"
                              r"jur[ií]dico|legal)|(?:copio|copiamos|incluyo|a[nñ]ado|pongo en copia|ponemos en copia) (?:a |en copia a )?(?:mi|"
                              r"nuestro|nuestra) (?:director\w*|jef\w+|gerente|ceo|direcci[oó]n)|incumplimiento "
                              r"(?:\w+ ){0,2}(?:contrato|sla|acuerdo|grave|material)|(?:tercera|cuarta|quinta|"
                              r"sexta) (?:vez que (?:\w+ ){0,2}(?:escrib|reclam|pid|pregunt|solicit|contact|llam|insist|report|"
                              r"envi|recuerd|abr|pas|explic|repit|avis)\w*|reclamaci[oó]n|solicitud|consulta|correo|recordatorio)|"
                              r"reclamaci[oó]n "
                              r"formal|(?:abogados|departamento legal|asesor[ií]a jur[ií]dica|acciones legales)|"
                              r"[uú]ltimo aviso"),
        (_C, False, _M, False, r"competencia|competidor|alternativa|presupuesto|renovaci[oó]n|compras"),
    ],
    "fr": [
        (_C, True, _M, True, r"(?:actionnaire|maison m[eè]re|groupe|repreneur|acqu[ée]reur)(?:\s+\S+){0,6}?\s+"
                             r"(?:a |ont )?(?:d[ée]j[àa] )?(?:ses|leurs) propres (?:outils|solutions|logiciels|"
                             r"plateformes)"),
        (_O, True, _H, False, r"(?:donn[eé]es|factures|dossiers|fiches|contacts|notes|commandes|tickets|historique|"
                              r"champs)(?:\s+\S+){0,4}?\s+(?:ont |a )?(?:disparu|[eé]t[eé] (?:supprim[eé]e?s|"
                              r"effac[eé]e?s|perdu\w*))"),
        (_C, True, _M, True, r"ne (?:garder\w*|conserver\w*|renouveler\w*) que (?:le|la|les) (?:\w+ )?(?:module|produit|"
                             r"option|licences?)|(?:demand[eé]|sollicit[eé]) (?:des )?(?:devis|offres|propositions) "
                             r"(?:[aà]|aupr[eè]s d[e']) ?(?:deux|trois|d'autres|plusieurs|autres)|(?:veut|voudrait|"
                             r"voir|pr[eé]voit|organise|avons|planifi\w+) une d[eé]mo(?:nstration)? de (?-i:[A-Z][\w.&-]+)|(?:fusion|"
                             r"rachat|acquisition|groupe|maison m[eè]re)(?:\s+\S+){0,10}?\s+(?:un seul (?:outil|"
                             r"logiciel|syst[eè]me)|un outil unique|la m[eê]me (?:solution|plateforme)|le m[eê]me "
                             r"(?:outil|logiciel|syst[eè]me))|(?:sponsor|champion|responsable|chef de projet|directeur|"
                             r"directrice|interlocut\w+|contact)(?:\s+\S+){0,4}?\s+(?:quitte|part|s'en va|nous "
                             r"quitte)\b|(?:je ne sais pas|pas s[uû]r) si (?:ça|cela|"
                             r"l'outil|la solution) (?:vaut|vaille) (?:ce qu'on (?:paie|paye)|le prix|l'investissement|"
                             r"le co[uû]t)|(?:presque )?personne (?:\S+ ){0,4}n'utilise"),
        (_C, True, _M, True, r"(?:ne pas|pas) reconduire|non[- ]reconduction|ne (?:\w+ )?reconduir\w+ pas|"
                             r"comparer (?:\w+ ){0,3}(?:avec|[aà]) (?:celle|celui|ceux|celles) de|comparer (?:votre|vos) "
                             r"(?:\w+ )?(?:solution|outil|plateforme|offre)s? (?:avec|[aà])"),
        (_O, True, _H, False, r"(?:mise [aà] jour|migration|synchro\w*|import|mise en production) (?:\w+ ){0,3}a "
                              r"(?:supprim[eé]|effac[eé]|[eé]cras[eé]|perdu|vid[eé]) (?:\w+ ){0,2}(?:nos|tous|toutes|"
                              r"les)|(?:tourne dans le vide|ne (?:charge|s'ouvre|fonctionne|r[eé]pond) (?:plus|pas))"
                              r"(?:\s+\S+){0,4}?\s+pour (?:toute l'[eé]quipe|tout le monde|tous|l'ensemble)|"
                              r"(?:toute l'[eé]quipe|personne)(?:\s+\S+){0,3}?\s+(?:ne peut|n'arrive|ne parvient|"
                              r"est bloqu[eé]e)"),
        (_C, True, _M, True, r"(?:poc|pilote|test|essai) (?:\w+ )?avec (?-i:[A-Z][\w.&-]+)|ne (?:\w+ )?"
                             r"renouvel\w+ pas|(?:pas|plus) (?:\w+ )?renouvel\w+ (?:le|notre|ce) contrat|"
                             r"consultation (?:\w+ ){0,2}(?:d'autres|autres|plusieurs) (?:fournisseurs|prestataires|"
                             r"[eé]diteurs|solutions)|mise en concurrence|(?:seule|seulement|que) (?:la moiti[eé]|"
                             r"\d+ ?%|\d+ sur \d+) (?:\w+ ){0,3}(?:utilise|utilisent|se connecte|se connectent)"),
        # The writer leaving, the account without an owner, every subscription to justify.
        (_C, True, _M, True, r"je quitte (?:l'entreprise|la soci[eé]t[eé]|mon poste|le groupe|\w+ (?:fin|en|le|[aà] "
                             r"la fin))|(?:mon|c'est mon) dernier jour|personne n'a (?:encore )?[eé]t[eé] "
                             r"(?:nomm[eé]|d[eé]sign[eé]|choisi)|(?:on ne sait pas|pas encore (?:d[eé]cid[eé]|"
                             r"d[eé]fini)|on ignore|je ne sais pas) qui (?:\w+ ){0,2}(?:reprendra|reprend|prendra|"
                             r"g[eé]rera|suivra)|justifier (?:\w+ )?(?:chaque|chacun de nos|tous nos|toutes nos|"
                             r"nos) (?:\w+ )?(?:abonnements?|outils?|contrats?|licences?|d[eé]penses?|"
                             r"fournisseurs?)|(?:r[eé]duisons|passons|baissons|r[eé]duire) (?:\w+ ){0,2}de \d+ [aà] "
                             r"\d+ (?:licences|utilisateurs|postes|si[eè]ges)"),
        (_C, True, _H, True, r"(?:pr[ée]avis|notifions formellement|informons (?:formellement|officiellement)|"
                             r"notification formelle|par la pr[ée]sente|"
                             r"lettre recommand[ée]e)(?:\s+\S+){0,15}?\s+(?:non[- ]renouvellement|r[ée]sili\w+|"
                             r"fin\b|terminaison)|(?:article|clause)(?:\s+\S+){0,10}?\s+(?:r[ée]sili\w+|"
                             r"non[- ]renouvellement)"),
        (_C, True, _M, True, r"ne (?:\w+ ){0,2}pas (?:\w+ ){0,2}renouvel\w+|ne renouvellerons pas|"
                             r"non[- ]renouvellement|r[ée]sili\w+|mettre fin (?:\w+ ){0,2}(?:contrat|abonnement|"
                             r"collaboration|partenariat)|(?:r[ée]dui\w+|diminu\w+|baisser) (?:\w+ ){0,3}"
                             r"(?:de \d+ [àa] \d+ )?(?:licences|utilisateurs|postes|si[eè]ges|abonnement)|ne renouveler qu|"
                             r"(?:revue|r[ée]duction|coupes?|gel) (?:\w+ ){0,2}budg[ée]t\w*|pass\w+ en revue (?:\w+ ){0,4}"
                             r"(?:abonnements|contrats|fournisseurs|outils|logiciels|d[ée]penses)|(?:revue|"
                             r"rationalisation) des fournisseurs|appel d'offres|(?:devis|offres) (?:\w+ ){0,2}"
                             r"(?:concurr\w+|d'autres)|(?:[ée]valu\w+|compar\w+|test\w+|regard\w+) (?:\w+ ){0,3}"
                             r"(?:alternatives?|autres? (?:fournisseurs?|solutions?|outils?)|concurren\w+|"
                             r"solution concurrente)|comparatif|consolid\w+ (?:\w+ ){0,3}(?:outils|fournisseurs|"
                             r"plateformes)|(?:pas s[uû]rs?|doutons|"
                             r"doute)(?:\s+\S+){0,6}?\s+(?:vaille|valeur|rentab\w+|retour sur investissement)|"
                             r"(?:suspendre|mettre en pause|geler) (?:\w+ ){0,2}(?:utilisation|abonnement|"
                             r"d[ée]ploiement|contrat)|(?:arr[eê]ter|cesser) d'utiliser|(?:changer|migrer|passer) "
                             r"(?:\w+ ){0,1}(?:de|chez un autre) (?:fournisseur|prestataire)|"
                             r"reconsid[ée]r\w+ (?:\w+ ){0,3}(?:renouvellement|contrat|collaboration)|"
                             r"si (?:[çc]a|cela|la situation) (?:continue|persiste|se reproduit),? (?:\w+ ){0,3}"
                             r"(?:r[ée]sili\w+|partir|changer\w*|on part|arr[eê]t\w+)"),
        # Another customer reaching our data, said plainly: "un autre client voit nos données".
        (_S, True, _H, False, r"autres? (?:client|soci[ée]t[ée]|entreprise|organisation|utilisateur|compte)s?"
                              r"(?:\s+\S+){0,4}?\s+(?:[àa] )?(?:nos|mes) (?:donn[ée]es|dossiers|factures|clients|"
                              r"informations|fiches|commandes)"),
        (_S, True, _H, False, r"(?:donn[ée]es|dossiers|informations|factures|fiches|tickets|demandes|contacts|"
                              r"commandes|documents|e-mails|mails|conversations|clients) (?:\w+ ){0,2}d'(?:un|une) "
                              r"autre (?:client|entreprise|soci[ée]t[ée]|organisation|compte)|pirat[ée]e?s?|piratage|(?:ont|a) "
                              r"fuit[ée]|fuite (?:de "
                              r"donn[ée]es|d'identifiants|de cl[ée]s)?|(?:identifiants|cl[ée]s|mots de passe|"
                              r"jetons?) (?:\w+ ){0,4}(?:expos\w+|divulgu\w+|en clair|visibles?|publi\w+)|acc[eè]s non autoris[ée]|"
                              # Someone outside who reached our data: "quelqu'un d'une autre société a accès à".
                              r"(?:quelqu'un|des utilisateurs|un utilisateur|des personnes|des employ[ée]s) "
                              r"d'(?:une|un) autre (?:client|soci[ée]t[ée]|entreprise|organisation|compte) "
                              r"(?:\w+ ){0,2}(?:a acc[eè]s|ont acc[eè]s|acc[eè]de|acc[eè]dent|voit|voient|peut voir|"
                              r"peuvent voir|a vu|ont vu)|"
                              r"(?:audit|test d'intrusion|pentest)(?:\s+\S+){0,6}?\s+(?:relev\w+|constat\w+|"
                              r"identifi\w+|r[ée]v[ée]l\w+|trouv\w+)|incident de s[ée]curit[ée]|faille|"
                              r"vuln[ée]rabilit[ée]|violation de (?:donn[ée]es|la vie priv[ée]e)"),
        (_O, True, _H, False, r"(?:la|notre|de|votre) paie\b|ne (?:pouvons|peuvent|peux) (?:\w+ )?(?:plus )?(?:travailler|facturer|"
                              r"cl[oô]turer|op[ée]rer|nous connecter|acc[ée]der|payer)|(?:bloqu[ée]s?|[aà] "
                              r"l'arr[eê]t|en panne|hors service|indisponible)|(?:mise en production|lancement|"
                              r"go-?live|bascule)(?:\s+\S+){0,5}?\s+(?:bloqu\w+|retard\w+|compromis\w*|menac\w+)|"
                              r"(?:donn[ée]es|commandes|factures|enregistrements) (?:\w+ ){0,2}(?:manquant\w*|"
                              r"perdu\w*|erron[ée]\w*|supprim\w+|dupliqu\w+)|"
                              # Verb first: "on a perdu toutes les notes clients".
                              r"(?:perdu|supprim[ée]|effac[ée]|[ée]cras[ée]) (?:tou(?:te)?s )?(?:les |nos |des )"
                              r"(?:\w+ )?(?:donn[ée]es|notes|commandes|factures|enregistrements|contacts|"
                              r"historiques?|fiches|dossiers|ventes)|(?:perdons|perdre) (?:de l'argent|"
                              r"des ventes|des clients)"),
        (_E, True, _H, False, r"escalad\w+|(?:je mets|nous mettons|j'ajoute|je copie) (?:\w+ ){0,3}(?:mon|notre|"
                              r"ma) (?:directeur|directrice|direction|responsable|ceo|pdg)|(?:mon|notre|ma) "
                              r"(?:directeur|directrice|direction) en copie|manquement (?:\w+ ){0,2}(?:grave|"
                              r"contractuel)|violation du contrat|(?:troisi[eè]me|quatri[eè]me|cinqui[eè]me) "
                              r"(?:relance|fois|demande|message|rappel)|r[ée]clamation formelle|(?:nos )?avocats|"
                              r"service juridique|mise en demeure|dernier avertissement"),
        (_C, False, _M, False, r"concurren\w+|alternative|budg[ée]t|renouvellement|achats"),
    ],
    "de": [
        (_C, True, _M, True, r"(?:testen|pilotieren|evaluieren|prüfen|vergleichen|schauen uns)(?:\s+\S+){0,5}?\s+"
                             r"(?:ein |eine |einen )?(?:anderes|andere|anderen|alternative\w*) (?:tool|system|lösung|"
                             r"anbieter|software|plattform)"),
        (_S, True, _H, False, r"audits?\w* (?:\S+ ){0,4}(?:feststellung\w*|befund\w*|abweichung\w*|mängel) "
                              r"(?:\S+ ){0,3}(?:zu ihrer|zu eurer|bei ihrer|bei eurer|ihrer|eurer|dokumentiert|"
                              r"festgestellt)"),
        (_S, True, _H, False, r"(?:sehen|sahen|sieht|sah|einsehen|öffnen|abrufen|bekommen|erhalten) (?:\S+ ){0,4}"
                              r"(?:eines|einer) (?:anderen|fremden) (?:kunden|mandanten|firma|unternehmens|"
                              r"organisation)"),
        (_O, True, _H, False, r"(?:gehälter|löhne|gehalt|lohn)\w* (?:\S+ ){0,3}(?:nicht|kaum) (?:\S+ )?(?:auszahlen|"
                              r"zahlen|überweisen|abrechnen)|(?:gehalts|lohn)abrechnung (?:\S+ ){0,3}(?:blockiert|"
                              r"steht|hängt|geht nicht|funktioniert nicht)"),
        (_C, True, _M, True, r"anbieter (?:\w+ ){0,2}um (?:angebote|ein angebot) (?:gebeten|angefragt)|(?:weitere|andere|"
                             r"mehrere) anbieter (?:\w+ ){0,3}(?:angefragt|eingeladen)|angebote (?:\w+ ){0,2}(?:von|bei) "
                             r"(?:anderen|weiteren|mehreren) anbietern|(?:möchte|will|wollen|sehen|geplant|vereinbart|"
                             r"anschauen)(?:\s+\S+){0,4}?\s+(?:eine )?demo (?:von|mit) (?-i:[A-Z][\w.&-]+)|(?:fusion|übernahme|"
                             r"konzern|gruppe|mutter\w*)(?:\s+\S+){0,10}?\s+(?:ein(?:e|en)? (?:einziges?|einzige|"
                             r"einheitliches?|einheitliche|gemeinsames?|gemeinsame) (?:tool|system|plattform|software|"
                             r"crm)|(?:dasselbe|das gleiche) (?:tool|system))|lizenzen (?:\w+ ){0,3}(?:halbieren|"
                             r"reduzieren|kürzen|streichen)|(?:weiß|wissen) (?:ich |wir )?nicht,? ob sich (?:das|es|"
                             r"der vertrag|das tool) (?:noch )?lohnt|kaum (?:jemand|einer|wer) (?:\w+ ){0,3}(?:nutzt|"
                             r"verwendet|benutzt)"),
        (_C, True, _M, True, r"(?:sponsor|ansprechpartner\w*|fürsprecher\w*|champion|entscheider\w*|projektleiter\w*) "
                             r"(?:\w+ ){0,3}(?:verlässt|verlassen|wechselt) (?:\w+ ){0,3}(?:das unternehmen|die "
                             r"firma|uns)|nachfolger(?:in)? (?:\w+ ){0,3}(?:noch )?nicht (?:benannt|bestimmt|"
                             r"gefunden|festgelegt)|vergleichsangebot\w*"),
        (_E, True, _H, False, r"(?:setze|setzen|nehme|nehmen) (?:\w+ ){0,2}(?:meinen|meine|unseren|unsere) (?:\w+ )?"
                              r"(?:geschäftsführ\w+|chef\w*|vorgesetzt\w+|leiter\w*|vorstand|direktor\w*|"
                              r"abteilungsleit\w+) (?:\w+ )?in (?:kopie|cc)"),
        (_O, True, _H, False, r"(?:niemand (?:\w+ ){0,4}(?:kann|konnte)|(?:kann|konnte) niemand) (?:\w+ ){0,4}(?:öffnen|einloggen|anmelden|"
                              r"arbeiten|zugreifen|bearbeiten)|(?:daten|kundendaten|einträge|datensätze|tickets|"
                              r"aufträge|kontakte|rechnungen|notizen|felder|berichte)(?:\s+\S+){0,4}?\s+(?:sind |ist )?"
                              r"(?:verschwunden|gelöscht worden|verloren gegangen)"),
        (_C, True, _M, True, r"verbindliche[nr]? standard|als (?:konzern|gruppen)?standard (?:\w+ )?(?:festgelegt|"
                             r"vorgegeben|definiert|gesetzt)|abbestell\w+|(?:nutzer|lizenzen|user|konten|zugänge) "
                             r"(?:\w+ ){0,2}deaktivier\w+|nur (?:noch )?\d+ von \d+ (?:\w+ ){0,2}(?:nutzen|verwenden|"
                             r"arbeiten|loggen)|marktsichtung|markterkundung|(?:neben|außer) (?:euch|ihnen|dir) "
                             r"(?:sind|ist|stehen|schauen wir uns)"),
        # The writer leaving, the account without an owner, a new tender, every tool to justify.
        (_C, True, _M, True, r"(?:ich )?(?:wechsle|verlasse) (?:\w+ ){0,3}(?:das unternehmen|die firma|den "
                             r"arbeitgeber|den job)|(?:ich )?verlasse (?:\w+ ){0,2}(?:ende|zum)|mein letzter "
                             r"(?:arbeits)?tag|(?:wer|offen,? wer) (?:\w+ ){0,3}(?:betreut|übernimmt|zuständig "
                             r"(?:ist|wird|sein wird))(?:\s+\S+){0,3}?\s+(?:ist )?(?:offen|unklar|noch nicht)|"
                             r"schreiben (?:\w+ ){0,6}neu aus|neu (?:aus)?zuschreiben|neu ausschreiben|"
                             r"ausschreibung|(?:jedes|jede|alle|jeden) (?:\w+ ){0,2}(?:tool|tools|abo|abos|"
                             r"abonnements?|lizenzen|werkzeuge?|software|vertr[aä]ge?)\w* (?:\w+ ){0,3}"
                             r"(?:begründen|rechtfertigen)|begründung für (?:jedes|jede|jeden|alle)|für (?:jedes|jede|jeden) "
                             r"(?:\w+ ){0,2}(?:eine )?(?:begründung|rechtfertigung)|"
                             r"(?:reduzieren|verringern|kürzen|gehen) (?:\w+ ){0,3}von \d+ auf \d+ (?:lizenzen|"
                             r"nutzer|user|plätze|seats)"),
        (_C, True, _H, True, r"(?:k[üu]ndig\w+|beenden|beendigung)(?:\s+\S+){0,10}?\s+(?:fristgerecht|zum "
                             r"(?:vertragsende|ablauf|ende)|gem[äa]ß|paragraph|§)|(?:fristgerecht|gem[äa]ß "
                             r"(?:§|paragraph|ziffer|abschnitt))(?:\s+\S+){0,10}?\s+(?:k[üu]ndig\w+|"
                             r"nicht verl[äa]ngern)|hiermit (?:\w+ ){0,3}k[üu]ndig\w+"),
        (_C, True, _M, True, r"nicht (?:\w+ ){0,2}verl[äa]nger\w+|keine verl[äa]ngerung|k[üu]ndig\w+|"
                             r"vertrag (?:\w+ ){0,3}beenden|(?:reduzier\w+|verringer\w+|k[üu]rz\w+|abbau\w*) "
                             r"(?:\w+ ){0,3}(?:von \d+ auf \d+ )?(?:lizenzen|nutzer\w*|pl[äa]tze|seats|arbeitspl[äa]tze)|weniger "
                             r"(?:lizenzen|nutzer|pl[äa]tze)|nur (?:\w+ ){0,3}verl[äa]nger\w+|"
                             r"(?:budget|kosten)(?:k[üu]rzung\w*|pr[üu]fung|stopp|review)|sparma[ßs]nahmen|"
                             r"ausschreibung|(?:angebote|angebot) (?:\w+ ){0,2}(?:anderer|von anderen|mehrerer|"
                             r"wettbewerb\w*)|(?:evaluier\w+|vergleich\w+|test\w+|pr[üu]f\w+|schauen uns) "
                             r"(?:\w+ ){0,3}(?:alternativen|andere (?:anbieter|l[öo]sungen|tools)|wettbewerb\w*|"
                             r"konkurren\w+)|(?:vergleich|gegen[üu]berstellung) mit|konsolidier\w+|(?:nicht sicher|"
                             r"zweifeln|fragen uns)(?:\s+\S+){0,6}?\s+(?:lohnt|wert|mehrwert|nutzen)|"
                             r"(?:pausieren|aussetzen|einfrieren) (?:\w+ ){0,2}|(?:rollout|einf[üu]hrung|nutzung|vertrag|"
                             r"abonnement|lizenzen|projekt) (?:\S+ ){0,6}?(?:pausieren|aussetzen|einfrieren)\b|"
                             r"nicht mehr (?:nutzen|verwenden)|"
                             r"(?:wechsel\w*|migrier\w+) (?:\w+ ){0,2}(?:zu einem anderen|den anbieter)|"
                             r"[üu]berdenken (?:\w+ ){0,3}(?:verl[äa]ngerung|vertrag|zusammenarbeit)|"
                             r"(?:verl[äa]ngerung|vertrag|zusammenarbeit) (?:\w+ ){0,3}[üu]berdenken|"
                             r"wenn (?:das|es|dies) so weiter ?geht,? (?:\w+ ){0,3}(?:k[üu]ndig\w+|wechseln|"
                             r"gehen wir|sind wir weg)"),
        # Another customer reaching our data, said plainly: "ein anderer Kunde sieht unsere Daten".
        (_S, True, _H, False, r"(?:anderer|andere|anderen|fremder|fremde) (?:kunde|kunden|firma|mandant|mandanten|"
                              r"unternehmen|nutzer|benutzer)(?:\s+\S+){0,4}?\s+(?:auf )?(?:unsere|meine) "
                              r"(?:daten|datens[äa]tze|rechnungen|kundendaten|informationen|auftr[äa]ge)"),
        (_S, True, _H, False, r"daten (?:\w+ ){0,2}(?:eines |einer )?(?:anderen|fremden) (?:kunden|mandanten|"
                              r"firma|unternehmens|organisation)|(?:fremde|andere) (?:kundendaten|mandanten)|"
                              # Someone outside who saw our data: "Kunden eines anderen Mandanten konnten ... sehen".
                              r"(?:eines|einer|eine|ein) (?:anderen|fremden) (?:kunden|mandanten|firma|"
                              r"unternehmens|organisation)(?:\s+\S+){0,6}?\s+(?:sehen|sahen|einsehen|zugreifen|"
                              r"abrufen|herunterladen)\b|"
                              r"datenleck|datenpanne|datenschutzvorfall|sicherheitsvorfall|sicherheitsl[üu]cke|gehackt|(?:zugangsdaten|"
                              r"schl[üu]ssel|passw[öo]rter|tokens?) (?:\w+ ){0,5}(?:offengelegt|geleakt|"
                              r"[öo]ffentlich|einsehbar)|unbefugte\w* zugriff|(?:audit|pr[üu]fung|pentest|"
                              r"penetrationstest)(?:\s+\S+){0,6}?\s+(?:festgestellt|gefunden|beanstandet|"
                              r"aufgedeckt|befund\w*|feststellung\w*)|(?:dsgvo|datenschutz)-?(?:versto[ßs]|"
                              r"verletzung)"),
        (_O, True, _H, False, r"gehaltsabrechnung|lohnabrechnung|(?:k[öo]nnen|kann) (?:\w+ ){0,2}nicht "
                              r"(?:arbeiten|abrechnen|fakturieren|einloggen|zugreifen|ausliefern|schlie[ßs]en|"
                              r"bezahlen)|(?:komplett |v[öo]llig )?blockiert|steht (?:\w+ )?still|stillstand|"
                              r"ausgefallen|(?:go-?live|produktivstart|launch|einf[üu]hrung)(?:\s+\S+){0,5}?\s+"
                              r"(?:gef[äa]hrdet|blockiert|verschoben|verz[öo]gert)|(?:daten|datens[äa]tze|"
                              r"auftr[äa]ge|rechnungen) (?:\w+ ){0,2}(?:fehlen|verloren|falsch|gel[öo]scht|"
                              r"doppelt)|fehlende daten|(?:es )?fehlen (?:\w+ ){0,3}(?:daten|kundendaten|ticketdaten|"
                              r"verkaufsdaten|umsatzdaten|datens[äa]tze|auftr[äa]ge|rechnungen|eintr[äa]ge|"
                              r"berichte)\b|verlieren (?:\w+ )?(?:geld|umsatz|kunden)"),
        (_E, True, _H, False, r"eskalier\w+|(?:geschäftsführung|gesch[äa]ftsleitung|vorstand|meine[rn]? "
                              r"(?:chef\w*|vorgesetzte\w*)|unsere[rn]? (?:direktor\w*|leitung)) (?:\w+ ){0,3}"
                              r"(?:in kopie|eingebunden|informiert|cc)|vertragsbruch|vertragsverletzung|"
                              r"(?:dritte|vierte|f[üu]nfte)[snr]? (?:mal|nachfrage|erinnerung|anfrage|mahnung)|"
                              r"(?:anwalt|anw[äa]lte|rechtsabteilung|juristische schritte)|formelle beschwerde|"
                              r"letzte (?:warnung|frist)"),
        (_C, False, _M, False, r"wettbewerb\w*|konkurren\w+|alternative|budget|verl[äa]ngerung|einkauf"),
    ],
    "pt": [
        (_O, True, _M, False, r"(?:integra[cç][aã]o|sincroniza[cç][aã]o|sistema|plataforma|api|conector)(?:\s+\S+){0,4}?"
                              r"\s+(?:parou|pararam) de (?:enviar|funcionar|sincronizar|receber|processar)"),
        (_S, True, _H, False, r"(?:veem|v[êe]|viram|viu|acessam|acessaram|enxergam|aparecem) (?:\S+ ){0,4}(?:de|da|"
                              r"do) (?:outra|outro) (?:empresa|cliente|organiza[çc][ãa]o|conta)"),
        (_C, True, _M, True, r"(?:renovar|manter|ficar com) (?:apenas|s[oó]|somente) (?:o|a|os|as) (?:\w+ )?"
                             r"(?:m[oó]dulo|produto|licen[cç]a)|(?:pediu|pediram|solicit\w+) (?:\w+ )?(?:propostas|"
                             r"cota[cç][oõ]es|or[cç]amentos) (?:a|de|para) (?:outros|outras|dois|duas|tr[eê]s|"
                             r"v[aá]rios)|(?:ver|fazer|agendar|marcar|quer) (?:uma )?demo(?:nstra[cç][aã]o)? d[aoe] "
                             r"(?-i:[A-Z][\w.&-]+)|(?:fus[aã]o|aquisi[cç][aã]o|grupo|matriz|casa-m[aã]e)(?:\s+\S+){0,10}?\s+(?:uma "
                             r"(?:[uú]nica|s[oó]) (?:ferramenta|plataforma)|a mesma (?:ferramenta|plataforma)|o mesmo "
                             r"(?:sistema|software))|(?:gerente|respons[aá]vel|sponsor|contato|diretor\w*|coordenador\w*|"
                             r"champion|interlocutor\w*)(?:\s+\S+){0,4}?\s+(?:est[aá] saindo|vai sair|saiu) da "
                             r"(?:empresa|companhia)|"
                             r"(?:cortar|reduzir) (?:as )?licen[cç]as (?:pela metade|em \d+)|n[aã]o sei se (?:ainda )?"
                             r"(?:vale|compensa)|(?:quase )?ningu[eé]m (?:\w+ ){0,3}(?:usa|utiliza|acessa) (?:a "
                             r"plataforma|a ferramenta|o sistema|o app)"),
        (_C, True, _M, True, r"(?:quer|querem|vai|vamos|precisa\w*|pediu para) comparar (?:voc[eê]s|a plataforma|o "
                             r"sistema|a ferramenta|a solu[cç][aã]o|o produto)(?: de voc[eê]s)? com|n[aã]o (?:vamos|iremos|vai) renovar"),
        (_O, True, _H, False, r"ningu[eé]m (?:\w+ ){0,3}(?:consegue|pode|conseguiu) (?:\w+ )?(?:acessar|entrar|"
                              r"logar|abrir|trabalhar|usar)|sumiram (?:\w+ ){0,2}(?:todos|todas|os|as|nossos|nossas)|"
                              r"(?:desapareceram|foram apagad[oa]s) (?:\w+ ){0,2}(?:todos|todas|os|as|nossos|nossas)"),
        (_C, True, _M, True, r"(?:cotando|avaliando|olhando|testando|analisando) (?:outras|outros|novas|novos) "
                             r"(?:op[cç][oõ]es|fornecedores|ferramentas|plataformas|solu[cç][oõ]es|sistemas)|"
                             r"migra[cç][aã]o para a plataforma (?:que )?(?:eles|a matriz|o grupo|a casa-m[aã]e|eles "
                             r"j[aá]) usa\w*|(?:s[oó]|apenas|somente) (?:metade|\d+ ?%|um ter[cç]o|\d+ de \d+) (?:\w+ )"
                             r"{0,3}(?:usa|usam|utiliza|utilizam|acessa|acessam|entra|entram)\b"),
        # The writer leaving, the account without an owner, seats cut, competing quotes required.
        (_C, True, _M, True, r"(?:vou sair|estou saindo|saio|sairei) da (?:empresa|companhia|organiza[cç][aã]o)|"
                             r"(?:meu|o meu) [uú]ltimo dia|(?:n[aã]o (?:se )?sabe(?:mos)?|ainda n[aã]o (?:sabemos|"
                             r"definimos|se sabe)|sem definir) quem (?:\w+ ){0,2}(?:assume|vai assumir|cuida|vai "
                             r"cuidar|herda|fica com)|(?:exige|exigem|pede|pedem|precisa\w*|requer\w*|obrigat[oó]ri\w+) "
                             r"(?:\w+ ){0,1}(?:tr[eê]s|3|duas|2|v[aá]rias) (?:cota[cç][oõ]es|propostas|or[cç]amentos)|"
                             r"cota[cç][oõ]es (?:de|com) (?:outros|outras|concorrentes)|(?:reduzimos|cortamos|"
                             r"baixamos|vamos baixar) (?:\w+ ){0,2}de \d+ (?:para|pra) \d+ (?:usu[aá]rios|licen[cç]as|"
                             r"assentos)|(?:justificar|revisando|revisar|cortando) (?:\w+ ){0,2}(?:todas as|cada|"
                             r"todos os) (?:assinaturas|ferramentas|licen[cç]as|fornecedores|contratos)"),
        (_C, True, _H, True, r"(?:aviso pr[ée]vio|notifica\w+ formal\w*|informamos formalmente|pela presente|vimos por este "
                             r"meio)"
                             r"(?:\s+\S+){0,15}?\s+(?:n[ãa]o renova\w+|rescis[ãa]o|rescindir|cancelamento|"
                             r"encerramento)|cl[áa]usula(?:\s+\S+){0,10}?\s+(?:rescis[ãa]o|rescindir|"
                             r"n[ãa]o renova\w+)"),
        (_C, True, _M, True, r"n[ãa]o (?:\w+ ){0,2}renova(?:r|remos|mos|[çc][ãa]o)|rescindir|rescis[ãa]o|"
                             r"encerrar (?:\w+ ){0,2}(?:contrato|assinatura|parceria)|prestes a cancelar|"
                             + _BARE_CANCEL["pt"]
                             + r"|"
                             r"(?:cancelar|cancelaremos|"
                             r"cancelamento d[ao]) (?:\w+ ){0,2}(?:assinatura|conta|contrato|licen[çc]as|plano|"
                             r"servi[çc]o)|(?:reduzir|reduziremos|cortar|diminuir) (?:\w+ ){0,3}(?:de \d+ para \d+ )?(?:licen[çc]as|"
                             r"usu[áa]rios|utilizadores|assentos|lugares)|s[óo] (?:vamos |iremos )?renovar|"
                             r"(?:corte|cortes|revis[ãa]o|congelamento) (?:\w+ ){0,2}(?:or[çc]amento\w*|"
                             r"fornecedores|custos)|(?:cota[çc][õo]es|propostas|or[çc]amentos) de (?:outros|"
                             r"v[áa]rios|tr[êe]s)|(?:avaliando|comparando|testando|analisando|olhando) (?:\w+ )"
                             r"{0,3}(?:alternativas?|outros? fornecedor\w*|concorr\w+|outras (?:ferramentas|"
                             r"solu[çc][õo]es|plataformas))|comparativo|consolidar (?:\w+ ){0,3}(?:ferramentas|"
                             r"fornecedores|plataformas)|(?:n[ãa]o temos certeza|duvidamos|n[ãa]o (?:vemos|sabemos))(?:\s+\S+){0,6}?"
                             r"\s+(?:vale|valor|retorno|compensa)|(?:pausar|suspender|congelar) (?:\w+ ){0,2}"
                             r"(?:uso|assinatura|implanta[çc][ãa]o|contrato)|deixar de usar|(?:mudar|migrar|"
                             r"trocar) (?:\w+ ){0,2}(?:de fornecedor|para outr[oa] (?:fornecedor|ferramenta|"
                             r"plataforma|solu[çc][ãa]o))|repensar (?:\w+ )"
                             r"{0,3}(?:renova[çc][ãa]o|contrato|parceria)|se (?:isso |isto |a coisa )?(?:continuar|seguir) "
                             r"assim,? (?:\w+ ){0,2}(?:cancel\w+|vamos sair|trocamos|vamos trocar|sa[ií]mos)"),
        # Another customer reaching our data, said plainly: "outro cliente consegue ver os nossos dados".
        (_S, True, _H, False, r"outr[oa]s? (?:cliente|empresa|organiza[çc][ãa]o|usu[áa]rio|utilizador|conta)s?"
                              r"(?:\s+\S+){0,4}?\s+(?:os |as |aos |[àa]s )?(?:nossos|nossas|meus|minhas) (?:dados|"
                              r"registros|registos|faturas|clientes|informa[çc][õo]es|pedidos)"),
        (_S, True, _H, False, r"(?:dados|registros|registos|informa[çc][õo]es|faturas|fichas) (?:\w+ ){0,2}de "
                              r"(?:outro|outra|outros) (?:cliente|empresa|organiza[çc][ãa]o|conta)|"
                              r"(?:algu[ée]m|usu[áa]rios?|utilizadores?|pessoas|funcion[áa]rios) de (?:outro|outra) "
                              r"(?:cliente|empresa|organiza[çc][ãa]o|conta) (?:\w+ ){0,2}(?:acess\w+|tem acesso|"
                              r"t[êe]m acesso|v[êe]|veem|viu|viram|consegue ver|conseguem ver)|vazamento|"
                              r"vazad[oa]s?|vazaram|vazou|fuga de dados|(?:credenciais|chaves|senhas|palavras-passe|tokens?) "
                              r"(?:\w+ ){0,2}expost\w+|acesso n[ãa]o autorizado|(?:auditoria|pentest|teste de "
                              r"intrus[ãa]o)(?:\s+\S+){0,6}?\s+(?:apont\w+|encontr\w+|identific\w+|achad\w+|"
                              r"constat\w+)|incidente de seguran[çc]a|vulnerabilidade|viola[çc][ãa]o de dados|hackead[oa]s?|"
                              r"hackearam"),
        (_O, True, _H, False, r"folha de pagamento|processamento salarial|sal[áa]rios|n[ãa]o (?:conseguimos|"
                              r"conseguem|consigo|podemos) (?:\w+ )?(?:trabalhar|faturar|fechar|operar|entrar|"
                              r"acessar|aceder|pagar|vender|emitir)|"
                              # The platform fell over; a bare "caiu de novo" may be the customer's own ERP.
                              r"(?<!nosso )(?<!nossa )(?:sistema|plataforma|servidor|site|app|aplicativo|tudo) "
                              r"(?:\w+ )?caiu|caiu (?:\w+ ){0,2}(?:o sistema|a plataforma|o servidor|o site|o app|"
                              r"tudo)\b|"
                              r"(?:perdemos|perdi|perderam|apagou|apagaram|sumiram|sumiu) (?:\w+ ){0,2}(?:dados|"
                              r"registros|registos|pedidos|faturas|contatos|contactos|notas|hist[óo]rico|vendas)|"
                              r"(?:est[áa]|estamos|est[ãa]o|ficou|ficamos) "
                              r"(?:totalmente |completamente )?(?:bloquead\w+|parad\w+|travad\w+)|fora do ar|"
                              r"(?:go-?live|entrada em produ[çc][ãa]o|lan[çc]amento|implanta[çc][ãa]o)"
                              r"(?:\s+\S+){0,5}?\s+(?:bloquead\w+|atrasad\w+|em risco|comprometid\w+)|"
                              r"(?:dados|registros|registos|pedidos|faturas) (?:\w+ ){0,2}(?:perdid\w+|"
                              r"faltando|em falta|errad\w+|apagad\w+|duplicad\w+)|(?:perdendo|perdemos) "
                              r"(?:dinheiro|vendas|clientes)"),
        (_E, True, _H, False, r"escal(?:ar|ando|aremos|ei|ado) (?:\w+ ){0,4}(?:diretoria|diretor\w*|ger[êe]ncia|"
                              r"jur[íi]dico)|(?:copio|copiando|incluo|coloco) (?:o |a )?(?:meu|minha|nosso|nossa) "
                              r"(?:diretor\w*|chefe|gerente|ceo|diretoria)|(?:viola[çc][ãa]o|quebra|"
                              r"descumprimento|incumprimento) (?:\w+ ){0,2}(?:contrato|sla|acordo)|(?:terceira|"
                              r"quarta|quinta|sexta) (?:vez que (?:\w+ ){0,2}(?:pe[çc]|ped|escrev|cobr|reclam|envi|solicit|pergunt|"
                              r"lig|report|abr|insist|mand|explic|repit|lembr|avis)\w*|reclama[çc][ãa]o|solicita[çc][ãa]o|cobran[çc]a|"
                              r"e-?mail|mensagem)|reclama[çc][ãa]o formal|(?:advogados|departamento jur[íi]dico|"
                              r"a[çc][ãa]o judicial|medidas legais|acionar (?:o |a |nosso |nossa )?(?:jur[íi]dico|advogad\w+|"
                              r"departamento jur[íi]dico))|[úu]ltimo aviso"),
        (_C, False, _M, False, r"concorr\w+|alternativa|or[çc]amento|renova[çc][ãa]o|compras"),
    ],
}

#: Phrases that say the customer is *not* at risk; a match inside one (or right after it) is dropped.
_GUARDS: dict[str, str] = {
    "en": r"no (?:plans?|intention|reason) to (?:\w+ ){0,3}|not (?:going|planning|looking) to (?:\w+ ){0,3}|"
          r"(?:aren'?t|are not|isn'?t|is not|not|never) (?:\w+ ){0,2}(?:looking at|evaluating|considering) "
          r"(?:\w+ ){0,2}|(?<!who )(?<!that )(?:chose|picked|selected|went with|stayed with|stick(?:ing)? with|"
          r"renewed with|"
          r"prefer) (?:you|your \w+|\w+ over)|(?:and|but) (?:you|your \w+) (?:won|came out ahead|were better)|"
          r"(?:last|previous) (?:year|time)(?:'s)? (?:\w+ ){0,4}|(?:during|in) (?:the )?(?:last|previous) "
          r"(?:quarter|spring|summer|autumn|fall|winter)'?s? (?:\w+ ){0,2}(?:review|evaluation|rfp|tender|"
          r"market (?:review|scan))|(?:planned|scheduled|announced) "
          r"(?:maintenance|outage|downtime|window)|maintenance window|(?:we|i) (?:\w+ )?(?:accidentally |"
          r"mistakenly )?(?:leaked|committed|pushed|posted|pasted|shared|exposed) (?:\w+ ){0,3}"
          r"(?:own|our|my)|(?:our|my) (?:own )?(?:mistake|fault|bad)|(?<!nobody )(?<!no one )(?<!anyone )(?<!everyone )(?<!everybody )"
          r"(?<!people )(?<!users )(?:on|from) (?:our|my) (?:side|end)|"
          r"questionnaire|security review (?:form|questionnaire)|(?:no|zero|without (?:any )?|not (?:a single|one|"
          r"any)) (?:\w+ ){0,3}(?:findings?|exceptions?|issues|vulnerabilit\w+|non-?conformit\w+|observations)|"
          r"found nothing|clean (?:bill|report|audit|pen ?test|result)|(?:annual|yearly) (?:security )?review|"
          r"(?:is|are|was) (?:now )?(?:resolved|fixed|restored|back up|working again)|all good now|"
          r"how (?:do|can|should) (?:i|we) |(?:renewal|budget|po|purchase order|contract|expansion) (?:\w+ ){0,3}"
          r"(?:is |was |has been |got )?approved|standardi[sz]\w* on (?:you|your)|can'?t wait|"
          r"(?:consolidat|standardi[sz]|mov|migrat|shift|bring)\w* (?:\w+ ){0,4}(?:on|onto|to|into) (?:you|your "
          r"(?:platform|tool|product))\b|above and beyond|(?:went|came out|came through) (?:\w+ ){0,2}(?:our|your|in your) "
          r"(?:way|favou?r)|came through (?:\w+ ){0,3}(?:fine|without|unscathed|intact)|not you\b|"
          r"(?:the one|ones?|platforms?|tools?|vendors?) (?:we'?re|we are|we'?ll be|we will be) keeping|(?:came "
          r"out|made it|made the cut) (?:as )?(?:one of|among)|(?:voted|decided|chose|agreed) to (?:stay|remain) "
          r"with (?:you|your \w+)(?=\s*(?:[.!;]|$))|(?:at first|initially|in the beginning)\b|nothing'?s wrong|nothing is wrong|in (?:great|good|safe) "
          r"hands|(?:review|evaluation|rfp|bake-?off|comparison) (?:\w+ ){0,3}(?:is|was) (?:done|finished|"
          r"complete|over)|(?:remove|deactivate|offboard|delete|disable) (?:a |an |the |her |his |their )?"
          r"(?:user|seat|login|account of)|(?:follow|see|watch) the roadmap|"
          # One user's role, not the plan: "downgrade Maria from Admin to Agent".
          r"downgrad\w+ (?:the |her |his |their |a |this )?(?:user|role|permissions?|access level)s?\b|"
          r"(?:downgrad|demot|chang|switch|mov|set)\w* (?:\S+ ){0,3}from (?:an? |the )?(?:admin\w*|owner|"
          r"manager|supervisor|editor|full|power[- ]user) (?:\w+ )?to (?:an? |the )?(?:agent|viewer|member|user|"
          r"read-only|standard|basic|editor|light|contributor|guest)\b|"
          # A part of the account, not the subscription: an email report, a trial or a duplicate workspace.
          r"(?:email|report|digest|newsletter|notification|alert|summary|reminder)s? subscriptions?|"
          r"subscription to (?:the |our |my |this |that )?(?:\w+ ){0,2}(?:reports?|digests?|newsletters?|emails?|"
          r"notifications|alerts|updates|summar(?:y|ies))\b|(?:trial|sandbox|test|duplicate|demo|spare) "
          r"(?:workspace|instance|tenant|account|org)\b|"
          # A review we passed: "you made the keep list", "yours stays".
          r"(?:made|on|kept on|stays? on) the (?:keep|approved|preferred|retained) list|(?:you|yours|your \w+) "
          r"(?:stays?|survived|passed|made the cut)\b|sailed through|"
          # Asking for a yes to buy more: "escalating to my boss for approval of the extra module".
          r"escalat\w+ (?:\w+ ){0,5}for (?:\w+ )?(?:approval|sign-?off|signature)|"
          # Credits paid out, the escalation path that worked.
          r"(?:sla )?credits? (?:\w+ ){0,5}(?:came through|arrived|landed|(?:were|was|have been|has been) "
          r"(?:applied|issued|received|processed|paid))|(?:received|got) (?:the|our) (?:sla )?credits?|"
          r"escalation (?:path|process) (?:worked|was (?:quick|fast|great|smooth))|"
          # Another vendor's system let go: "not renewing the old Freshdesk system".
          r"renew\w* (?:the |our )(?:contract with (?:the )?)?(?:old|legacy|previous|former|outgoing) (?:\S+ ){0,2}"
          r"(?:system|vendor|tool|platform|provider|crm|helpdesk|software|solution|contract)s?\b|"
          # A tender far off: "out to bid in 2029, years away".
          r"(?:years|a long way) (?:away|off)\b|not for (?:another |a few |several )?(?:\w+ )?years",
    # Cancelling a meeting, a call or an order is no churn.
    "es": rf"cancel\w* (?:{NOT_THE_SERVICE['es']})|"
          r"suscripci[oó]n (?:\w+ )?(?:al|a la|a los|del|de la) (?:\w+ ){0,2}(?:informe|bolet[ií]n|resumen|"
          r"newsletter|correo|notificaci)|(?:espacio|entorno|cuenta) (?:de )?(?:prueba|pruebas|test|duplicad)|"
          r"(?:dar|doy|damos) de baja (?:a )?(?:un|una|el|la|al|su) (?:usuari[oa]|compa[nñ]er[oa]|empleado)|"
          r"(?:c[oó]mo|como) (?:la |lo )?(?:doy|damos) de baja|no (?:tenemos|hay) (?:planes|intenci[oó]n) de|sin problema|ning[uú]n problema|mantenimiento "
          r"programado|(?:ya )?(?:est[aá] )?(?:resuelto|solucionado)|(?:elegimos|escogimos|nos quedamos con) "
          r"(?:ustedes|vosotros)|el a[nñ]o pasado|"
          # An audit or a test that found nothing: "no encontró ningún hallazgo".
          r"(?:ning[uú]n|ninguna|sin|cero) (?:\w+ ){0,3}(?:hallazgos?|incidencias?|vulnerabilidad\w*|no "
          r"conformidad\w*|observaciones)|no (?:encontr|detect|identific|hall|report)\w+ (?:\w+ ){0,2}(?:ning[uú]n|"
          r"ninguna|nada)",
    # Cancelling a meeting, a call or an order is no churn.
    "fr": rf"(?:annul|r[ée]sili)\w* (?:{NOT_THE_SERVICE['fr']})|"
          r"abonnement (?:\w+ )?(?:au|à la|aux|du) (?:\w+ ){0,2}(?:rapport|newsletter|lettre|r[ée]sum[ée]|"
          r"notification|courriel)|espace (?:de )?(?:test|d'essai)|(?:r[ôo]le|droits) (?:\w+ ){0,3}"
          r"(?:admin\w*) [àa] |pas l'intention de|aucun souci|aucun probl[eè]me|maintenance (?:planifi[ée]e|programm[ée]e)|"
          r"(?:est )?(?:r[ée]solu|corrig[ée])|(?:nous vous avons|avons) choisi|l'ann[ée]e derni[eè]re|"
          r"rien [àa] signaler|part en signature|"
          r"(?:aucune?|z[ée]ro|sans|pas de) (?:\S+ ){0,3}(?:non-conformit[ée]s?|constats?|vuln[ée]rabilit[ée]s?|"
          r"remarques?|[ée]carts?|anomalies?|r[ée]serves?)|n'a (?:rien )?(?:relev|trouv|d[ée]tect|signal)[ée] "
          r"(?:aucun|rien)|n'a rien (?:relev|trouv|d[ée]tect|signal)[ée]",
    # Cancelling a meeting, a call or an order is no churn.
    "de": rf"k[üu]ndig\w* (?:{NOT_THE_SERVICE['de']})|"
          r"(?:newsletter|bericht|report|zusammenfassung|e-?mail)\w*-?abo\w*|(?:test|probe)\w*(?:arbeitsbereich|"
          r"umgebung|konto|workspace)|(?:zugang|konto|lizenz|account|nutzer\w*) (?:\w+ ){0,3}k[üu]ndig|k[üu]ndig\w* (?:ich|wir) (?:\w+ )"
          r"{0,2}(?:zugang|konto|nutzer)|keine (?:pl[äa]ne|absicht)|kein problem|geplante wartung|(?:ist )?(?:behoben|gel[öo]st)|"
          r"(?:haben uns f[üu]r sie|f[üu]r sie) entschieden|letztes jahr|"
          # "Keine Sorge, wir kündigen nicht", "kündigen wir aber nicht", "nicht kündigen".
          r"k[üu]ndigen (?:wir |ich )?(?:\w+ )?nicht\b|nicht (?:vor,? )?(?:zu )?k[üu]ndigen|keine k[üu]ndigung|"
          r"(?:keine|ohne) (?:\w+ ){0,2}(?:feststellungen|befunde|abweichungen|schwachstellen|mängel|"
          r"beanstandungen)",
    # Cancelling a meeting, a call or an order is no churn.
    "pt": rf"cancel\w* (?:{NOT_THE_SERVICE['pt']})|"
          r"assinatura (?:\w+ )?(?:do|da|de|dos) (?:\w+ ){0,2}(?:relat[óo]rio|newsletter|boletim|resumo|"
          r"e-?mail|notifica)|(?:espa[çc]o|ambiente|conta) (?:de trabalho )?(?:de )?(?:teste|testes|"
          r"avalia[çc][ãa]o|duplicad)|(?:cancelar|cancelo|remover|desativar) o acesso|n[ãa]o (?:temos|h[áa]) (?:planos|inten[çc][ãa]o) de|sem problema|nenhum problema|manuten[çc][ãa]o "
          r"(?:programada|planejada)|(?:j[áa] )?(?:est[áa] )?(?:resolvido|corrigido)|(?:escolhemos|ficamos "
          r"com) (?:voc[êe]s|a vossa)|ano passado|"
          r"(?:nenhuma?|zero|sem) (?:\w+ ){0,3}(?:n[ãa]o conformidades?|achados?|vulnerabilidades?|"
          r"apontamentos?|constata[çc][õo]es)|n[ãa]o (?:encontr|detect|identific|apont)\w+ (?:\w+ ){0,2}"
          r"(?:nenhum|nenhuma|nada)",
}

#: Words that put the trouble of a sentence with someone else: another company's breach in the news, the
#: customer's own network or IT, a client's own provider, a question whether we are affected. A security,
#: operational or escalation match (or a pause, `_PAUSE_RE`) in that sentence is not about us, unless the
#: sentence also lays it at our door (`_OURS`): "I read in the news that your platform was breached".
_ELSEWHERE: dict[str, str] = {
    "en": r"(?:in|on) the news|news (?:that|about|of|reports?)|(?:an?|the|this|that) (?:news )?(?:article|"
          r"headlines?|press release|news story|blog post) (?:[a-z]+ ){0,2}(?:about|that|covering)|"
          r"(?:read|heard) (?:\w+ )?(?:about|that|reports?)|(?:saw|seen|see) (?:in )?(?:the news|reports?|"
          r"an article|the article|headlines?)|"
          r"(?:breach\w*|hack\w*|leak\w*|incident|attack|ransomware|outage|compromise)(?:\s+[\w-]+){0,2}? "
          r"(?:at|affecting|hitting|of|over at) (?:a |an |another |one of (?:our|their|the) |some )"
          r"(?:\w+ ){0,2}(?:vendors?|compan(?:y|ies)|providers?|suppliers?|firms?|telecoms?|banks?|retailers?|"
          r"competitors?|subprocessors?|sub-processors?|hospitals?|insurers?|processors?)\b|"
          r"(?:do|does|did) (?:you|your \w+) (?:\w+ )?(?:use|rely on|work with|share)|(?:are|were|is|was) "
          r"(?:you|your \w+|we)(?: \w+)? (?:affected|impacted|exposed|involved|concerned)|"
          r"(?:if|whether) (?:we'?re|we are|you'?re|you are|you were|we were|you've been|you have been) "
          r"(?:\w+ )?(?:exposed|affected|impacted|involved)|(?:same|that) (?:sub-?processor|vendor|provider|"
          r"supplier)|(?:as a|out of|purely as a) (?:precaution|caution)|precautionary|"
          r"(?:our|my|their|his|her) own (?:\w+ ){0,2}(?:network|systems?|laptops?|devices?|infrastructure|it|"
          r"environment|servers?|office|email|machines?|endpoints?|provider|vendor|bank|erp|firewall|payment)|"
          r"(?:on|in|across) (?:our|my) (?:office|internal|corporate|own) (?:network|laptops?|devices?|"
          r"endpoints?|machines?|email server|active directory)\b|(?:our|their) internal (?:\w+ )"
          r"{0,2}(?:network|systems?|it|incident|reorg|freeze|process|erp)|no (?:indication|evidence|sign) "
          r"(?:that )?(?:any|your|the)|(?:client|customer)s? (?:of ours )?(?:\w+ ){0,2}escalat\w+ (?:\w+ )?"
          r"to (?:us|me)\b",
    "es": r"(?:en )?(?:las )?noticias|en otr[oa] (?:empresa|proveedor|compa[ñn][íi]a)|(?:mismo|ese) (?:proveedor|subprocesador|subencargado)|por precauci[oó]n|"
          r"nuestra propia red|(?:les|os) (?:ha )?afect(?:a|ó|o|ado)|est[áa]n afectados",
    "fr": r"(?:dans )?(?:la presse|les actualit[ée]s|les nouvelles)|article de presse|chez (?:un|une) "
          r"(?:autre|autres)|m[êe]me (?:sous-traitant|fournisseur|prestataire)|par (?:mesure de )?"
          r"pr[ée]caution|notre propre r[ée]seau|(?:[êe]tes|soyez)[- ]vous (?:\w+ )?(?:concern[ée]s|"
          r"touch[ée]s|affect[ée]s)|(?:n'[êe]tes|ne soyez) pas concern[ée]s",
    "de": r"(?:in den )?nachrichten|zeitungsartikel|presseartikel|bei (?:einem|einer) (?:\w+ )?(?:anderen|"
          r"fremden)|(?:gleichen|selben) (?:unterauftragsverarbeiter|dienstleister|anbieter)|"
          r"vorsichtsma[ßs]nahme|vorsichtshalber|(?:unserem|unseren) eigenen netz\w*|(?:sind sie|seid ihr) "
          r"(?:\w+ )?betroffen",
    "pt": r"(?:nas |das )?not[íi]cias|em outra (?:empresa|fornecedora)|em outro fornecedor|mesmo (?:subprocessador|suboperador|fornecedor)|(?:por|s[óo]) precau[çc][ãa]o|"
          r"nossa pr[óo]pria rede|voc[êe]s (?:foram|est[ãa]o) (?:afetad|impactad)\w*",
}

#: A disclaimer that the customer's trouble is not ours ("nothing to do with you"): like `_ELSEWHERE`, and it
#: also covers the sentence before it ("We're pausing the rollout. Change freeze, nothing to do with you.").
#: "Nothing to do with you personally" softens a goodbye; it disclaims nothing.
_DISCLAIMERS: dict[str, str] = {
    "en": r"nothing to do with (?:you|your \w+)(?! personally)|(?:not|nothing) (?:about|because of|due to|"
          r"caused by|on) (?:you|your (?:side|end|team|platform|product|tool))\b(?! personally)|"
          r"(?:totally|purely|entirely|completely|strictly|all) (?:internal|on us|our side|our doing)|"
          r"(?:were|was|is|are) (?:all )?ours,? not yours|(?:no|not) (?:a |the )?fault of yours|"
          r"nothing (?:on|from) your (?:side|end)|nothing to worry about|nothing for you to (?:do|fix|worry)",
    "es": r"nada que ver con (?:ustedes|vosotros|usted|su \w+)|no es (?:culpa|problema|cosa) (?:suy[oa]|de "
          r"ustedes|vuestr[oa]|de su (?:lado|parte))|(?:es|fue) (?:algo )?(?:puramente )?interno|nada de qu[ée] "
          r"preocupar|(?<!no )(?:es|fue) (?:culpa|cosa|problema) nuestr[oa]|(?:el )?(?:problema|fallo|error) es nuestro|"
          r"(?:es|viene) de nuestro lado",
    "fr": r"rien [àa] voir avec vous|(?:ce )?n'est pas (?:de )?votre (?:faute|fait)|(?:purement|strictement) "
          r"interne|rien d'inqui[ée]tant|(?:ce n'est )?pas (?:de )?votre faute|(?:c'est|le probl[èe]me est|"
          r"[çc]a vient) (?:de notre c[ôo]t[ée]|de chez nous|chez nous)|vien(?:t|nent) de (?:chez nous|notre c[ôo]t[ée])|"
          r"ne vient pas de (?:chez )?vous",
    "de": r"nichts mit (?:ihnen|euch|dir|ihrem \w+) zu tun|liegt nicht an (?:ihnen|euch)|(?:rein|komplett|"
          r"ganz) intern|kein grund zur sorge|nicht (?:ihre|eure|deine) schuld|nicht (?:ihr|euer|dein) "
          r"(?:fehler|problem)|(?:liegt|lag) (?:an|bei) uns|(?<!nicht )unser (?:problem|fehler)",
    "pt": r"nada a ver com (?:voc[êe]s?|a \w+ de voc[êe]s)|n[ãa]o [ée] (?:culpa|problema) (?:de voc[êe]s|"
          r"seu|sua)|(?:totalmente|puramente) interno|nada com que se preocupar|problema nosso|(?<!n[ãa]o )(?:[ée]|foi) "
          r"(?:culpa|problema) nossa?|(?:[ée]|foi) do nosso lado",
}

#: Words laying a trouble at our door ("your platform", "you were breached", "on your end"): an
#: `_ELSEWHERE` or `_DISCLAIMERS` phrase in the same sentence does not take it away.
_OURS: dict[str, str] = {
    "en": r"your (?:\w+ ){0,2}(?:breach|incident|outage|leak|bug|error|failure|fault)s?\b|(?:you|your (?:\w+ )"
          r"{0,2}\w+) (?:(?:was|were|has been|have been|had been|got|is|are|keeps?|kept) )+(?:breached|hacked|"
          r"compromised|leak\w*|exposed|down|fail\w*|broken|crash\w*)|(?<!nothing )(?<!not )(?:on|at|from) "
          r"your (?:side|end)\b|(?:breach|leak|incident|outage|hack)\w* (?:at|on|in|of) (?:you|your)\b|"
          # Another customer's data in our product is always ours to answer.
          r"(?:another|other|different) (?:\w+ )?(?:customer|client|tenant|organi[sz]ation|account|workspace)"
          r"(?:'s|s'|s's)|someone else'?s|cross[- ](?:tenant|account|customer)|"
          # The data was only ever with us: "the only place they were stored is your platform".
          r"(?:only|one) place (?:\w+ ){0,3}(?:stored|kept|held|hosted|uploaded|entered|shared)\w* (?:\w+ ){0,2}"
          r"(?:is|was|were) (?:with you|your\b|in your|on your)|(?:stored|kept|held|hosted) (?:only |"
          r"exclusively )?(?:in|on|with) your (?:platform|system|product|tool|servers?|cloud|app|database)|"
          r"(?:traced|tracked) (?:\w+ )?(?:back )?to your\b",
    "es": r"(?<!filtración de )(?<!filtracion de )(?<!brecha de )(?<!fuga de )(?:datos|registros|facturas|"
          r"pedidos) (?:\w+ ){0,2}de otr[oa]s? (?:cliente|empresa)|"
          r"(?:brecha|filtraci[oó]n|fuga|incidente|ca[ií]da) (?:\w+ ){0,3}(?:de ustedes|en ustedes|su "
          r"plataforma|su sistema|vuestr[oa] \w+)|(?:su|vuestr[oa]) (?:plataforma|sistema|servicio) (?:fue|"
          r"ha sido|est[aá]) (?:\w+ )?(?:hackead|comprometid|vulnerad|ca[ií]d|expuest)\w*",
    "fr": r"(?<!fuite de )(?<!vol de )(?:donn[ée]es|dossiers|factures) (?:\w+ ){0,2}d'(?:un|une) autre (?:client|entreprise|soci[ée]t[ée])|"
          r"(?:fuite|faille|incident|panne|piratage) (?:\w+ ){0,3}(?:chez vous|de votre|sur votre)|votre "
          r"(?:plateforme|syst[eè]me|service) (?:a [ée]t[ée]|est) (?:\w+ )?(?:pirat|compromis|en panne)\w*",
    "de": r"daten (?:\w+ ){0,2}(?:eines |einer )?(?:anderen|fremden) (?:kunden|mandanten|firma)|"
          r"(?:datenleck|leck|vorfall|ausfall|angriff) (?:\w+ ){0,3}(?:bei ihnen|ihrer|ihres|ihrem)|ihre[mnrs]? "
          r"(?:plattform|system|dienst) (?:\w+ ){0,2}(?:gehackt|kompromittiert|ausgefallen)",
    "pt": r"(?<!vazamento de )(?<!fuga de )(?:dados|registros|pedidos|faturas|contactos|contatos) (?:\w+ ){0,2}"
          r"de (?:outr[oa]s?|uma outra) "
          r"(?:cliente|empresa)|(?:vazamento|incidente|falha|invas[ãa]o) (?:\w+ ){0,3}(?:de voc[êe]s|na sua|no seu|da sua|do seu)|"
          r"(?:sua|seu) (?:plataforma|sistema|servi[çc]o) (?:foi|est[áa]) (?:\w+ )?(?:hackead|comprometid|"
          r"invadid|fora)\w*",
}

#: A commercial match that pauses or holds (rather than ends or shrinks) what they do with us: one a
#: disclaimer or another party's trouble can explain ("pausing the rollout over our change freeze").
_PAUSE_RE = re.compile(
    r"(?:paus|freez|suspend|halt|put|hold|congel|mettre en pause|geler|aussetz|einfrier)|"
    # German puts the verb last: "den Rollout wegen des Change-Freeze pausieren".
    r".*\b(?:pausieren|aussetzen|einfrieren)$",
    re.IGNORECASE,
)
#: Where the ownership of a trouble can change: a sentence's end, or a contrast ("nothing to do with you, but
#: payroll is blocked": the trouble after "but" is not disclaimed).
_SENTENCE_END_RE = re.compile(
    r"[.!?\n]+|(?<!\w)(?:but|however|although|though|except|pero|sin embargo|aunque|mais|cependant|pourtant|"
    r"aber|jedoch|allerdings|por[ée]m|no entanto|contudo)(?!\w)"
)


#: Longer texts are scanned at their start and end only (the risk layer stays linear and fast).
MAX_SCANNED_CHARS = 6000
_CLAUSE_END_RE = re.compile(r"[.!?;\n]")


def _compile(rules: list[tuple[RiskKind, bool, Urgency, bool, str]]) -> list[_Rule]:
    # Every pattern starts at a word's start ("ending" is not inside "extending").
    compiled = []
    for kind, strong, urgency, churn, pattern in rules:
        needs_case = "(?-i:" in pattern
        flags = re.IGNORECASE if needs_case else 0
        compiled.append(_Rule(kind, re.compile(rf"(?<!\w)(?:{pattern})", flags), strong, urgency, churn, needs_case))
    return compiled


@dataclass
class _RuleSet:
    """A language's rules in order, each indexed by the strings its matches can start with
    (`patterns.start_states`), so a scan tries a rule only at the words that begin one of them."""

    rules: tuple[_Rule, ...]
    #: Starts a match continues after with a character that is no word character: the whole word.
    by_word: dict[str, frozenset[int]]
    #: Starts a match may continue after with anything: the beginning of the word.
    by_prefix: dict[str, frozenset[int]]
    #: Rules whose starts cannot be told: scanned whole.
    unindexed: frozenset[int]
    #: Rules reading capitals (`_Rule.needs_case`).
    reads_case: frozenset[int]
    #: The tokens (letters, digits, underscores and apostrophes from a word's start) worth looking at: those
    #: beginning a start string, and those with an apostrophe (a word starts after one).
    tokens: re.Pattern[str]
    #: Each word seen (its first `cut` characters): the rules (positions in `rules`) that may start at it.
    at_word: dict[str, tuple[int, ...]]
    #: One more than the longest start: what of a word tells the rules that may start at it.
    cut: int

    def rules_at(self, word: str) -> tuple[int, ...]:
        """The rules that may start at `word` (cut to `cut` characters)."""
        rules = self.at_word.get(word)
        if rules is None:
            found = set(self.by_word.get(word, ()))
            for end in range(1, len(word) + 1):
                found.update(self.by_prefix.get(word[:end], ()))
            rules = tuple(sorted(found))
            if len(self.at_word) < _MAX_CACHED_WORDS:
                self.at_word[word] = rules
        return rules


#: Words remembered with the rules that may start at them (numbers make the set open-ended).
_MAX_CACHED_WORDS = 20_000


def _rule_set(rules: list[_Rule]) -> _RuleSet:
    by_word: dict[str, set[int]] = {}
    by_prefix: dict[str, set[int]] = {}
    unindexed: set[int] = set()
    for index, rule in enumerate(rules):
        try:
            states = start_states(rule.pattern.pattern)
        except ValueError:
            states = {("", "wild")}
        if any(not start for start, _ in states):
            unindexed.add(index)
            continue
        for start, state in states:
            (by_word if state == "done" else by_prefix).setdefault(start, set()).add(index)
    return _RuleSet(
        rules=tuple(rules),
        by_word={start: frozenset(indices) for start, indices in by_word.items()},
        by_prefix={start: frozenset(indices) for start, indices in by_prefix.items()},
        unindexed=frozenset(unindexed),
        reads_case=frozenset(index for index, rule in enumerate(rules) if rule.needs_case),
        tokens=re.compile(rf"(?<!\w)(?:(?={trie_regex(by_word.keys() | by_prefix.keys())})[\w']+|\w*'[\w']*)"),
        at_word={},
        cut=1 + max(map(len, by_word.keys() | by_prefix.keys()), default=0),
    )


_COMPILED: dict[str, _RuleSet] = {}
_compile_lock = threading.RLock()  # the other languages compile English first


def _rules(language: str) -> _RuleSet:
    """A language's rules, compiled on first use (most deployments read one or two languages)."""
    rule_set = _COMPILED.get(language)
    if rule_set is None:
        with _compile_lock:
            rule_set = _COMPILED.get(language)
            if rule_set is None:
                own = _compile(_OTHER[language]) if language != "en" else []
                # A message in another language often quotes English product words ("renewal", "go-live"):
                # both apply.
                english = list(_rules("en").rules) if language != "en" else _compile(_EN)
                rule_set = _COMPILED[language] = _rule_set(own + english)
    return rule_set


@cache
def _guard_re(language: str, folded: bool) -> re.Pattern[str]:
    """A language's guards; for lower-cased text (`folded`) without case folding at match time."""
    return re.compile(_GUARDS[language], 0 if folded else re.IGNORECASE)


#: A digit other than 0-9: `\d` matches it, the start strings do not name it.
_OTHER_DIGIT_RE = re.compile(r"(?![0-9])\d")


def read_risks(text: str, language: str = "en", *, disowning: bool = True) -> list[RiskSignal]:
    """The risks `text` carries, strongest first; guarded matches ("no plans to cancel") are dropped, and
    (`disowning`) those in a sentence that puts the trouble with someone else (`disowned_spans`)."""
    language = language if language in _GUARDS else "en"
    if len(text) > MAX_SCANNED_CHARS:
        # Risk is stated in what a person writes, not in the middle of a pasted wall of text.
        text = text[: MAX_SCANNED_CHARS - 2000] + "\n" + text[-2000:]
    lower = text.lower()
    folded = len(lower) == len(text)  # a few characters lower-case to two ("İ"): then no fast path
    rule_set = _rules(language)
    rules = rule_set.rules
    ascii_only = text.isascii()
    indexed = folded and (ascii_only or not _OTHER_DIGIT_RE.search(text))
    case_indexed = indexed and (ascii_only or not UNLIKE_THEIR_LOWER_RE.search(text))
    candidates: dict[int, list[int]] = {}
    order: Iterable[int] = range(len(rules))
    if indexed:
        # Where each rule may match: the words that begin one of its start strings.
        at_word, cut = rule_set.at_word, rule_set.cut
        for token in rule_set.tokens.finditer(lower):
            word = token.group()
            if "'" in word or "_" in word:
                starts: Iterable[tuple[int, str]] = _words_in(word, token.start(), cut)
            else:
                starts = ((token.start(), word[:cut]),)
            for position, word in starts:
                indices = at_word.get(word)
                if indices is None:
                    indices = rule_set.rules_at(word)
                for index in indices:
                    positions = candidates.get(index)
                    if positions is None:
                        candidates[index] = [position]
                    else:
                        positions.append(position)
        # A rule no word can start is left out, unless it is not indexed (or, reading capitals, cannot be
        # here).
        order = sorted(candidates.keys() | rule_set.unindexed | (set() if case_indexed else rule_set.reads_case))
    guards: list[tuple[int, int]] | None = None
    averted: list[tuple[int, int]] = []
    #: Sentences whose trouble is someone else's (`_not_ours`), worked out at the first match that asks.
    elsewhere: list[tuple[int, int]] | None = None
    found: list[RiskSignal] = []
    seen: set[tuple[RiskKind, bool]] = set()
    for index in order:
        rule = rules[index]
        if (rule.kind, rule.strong) in seen or (rule.kind, True) in seen:
            continue
        subject = text if rule.needs_case else lower
        if (case_indexed if rule.needs_case else indexed) and index not in rule_set.unindexed:
            positions = candidates[index]
            if len(positions) == 1:  # the usual case, without a generator
                match = rule.pattern.match(subject, positions[0])
                matches: Iterable[re.Match[str]] = () if match is None else (match,)
            else:
                matches = _matches_at(rule.pattern, subject, positions)
        elif folded or rule.needs_case:
            matches = rule.pattern.finditer(subject)
        else:
            matches = re.compile(rule.pattern.pattern, re.IGNORECASE).finditer(text)
        for match in matches:
            if guards is None:
                guards = _guards(language, lower if folded else text, folded)
                # A threat told as one that never came to pass ("we were about to escalate, but your team
                # sorted it") cancels only itself, not the rest of its clause as a guard does.
                averted = [m.span() for m in _averted_re(language).finditer(lower if folded else text)]
            if any(_same_clause(text, match.start(), match.end(), g_start, g_end) for g_start, g_end in guards):
                continue
            if any(start <= match.start() < end for start, end in averted):
                continue
            pauses = rule.kind is not RiskKind.commercial or _PAUSE_RE.match(text, match.start(), match.end())
            if disowning and pauses:
                if elsewhere is None:
                    elsewhere = _not_ours(language, lower if folded else text, folded)
                if any(start <= match.start() < end for start, end in elsewhere):
                    continue
            if not _counts_fall(match):
                continue
            phrase = text[match.start() : match.end()].strip()
            found.append(RiskSignal(rule.kind, phrase, rule.strong, rule.urgency, rule.churn))
            seen.add((rule.kind, rule.strong))
            break
    found.sort(key=lambda signal: (not signal.strong, signal.urgency is not Urgency.high))
    return found


#: Named groups of a counted rule: (the count before, the count after) must fall, (part, whole) be a small
#: share; "many" and "share" alone must be many users, a small percentage.
_COUNT_PAIRS = (("before", "after"), ("b2", "a2"))
_SMALL_SHARE = 0.34


def _counts_fall(match: re.Match[str]) -> bool:
    """Whether the numbers a counted pattern read are a cut: a seat count falling, a handful of users or a
    small share of them active. A pattern without counts passes."""
    groups = match.groupdict()
    if not groups:
        return True
    for before, after in _COUNT_PAIRS:
        if groups.get(before) is not None and groups.get(after) is not None:
            return int(groups[after]) < int(groups[before])
    many = groups.get("many")
    if many is not None:
        return int(many) >= 5
    share = groups.get("share")
    if share is not None:
        return int(share) < 100 * _SMALL_SHARE
    part, whole = groups.get("p2"), groups.get("whole")
    if part is not None and whole is not None:
        return int(whole) > 0 and int(part) / int(whole) < _SMALL_SHARE
    if groups.get("part") is not None:
        return int(groups["part"]) <= 10
    return True


def _words_in(token: str, position: int, cut: int) -> Iterator[tuple[int, str]]:
    """(position, word) of each word a token (letters, digits, underscores and apostrophes from a word's
    start) holds, cut to `cut` characters: one starts at the token's start and after each apostrophe
    ("don't" holds "t"), and runs to an underscore (after one no word starts)."""
    for offset in range(len(token)):
        if offset == 0 or token[offset - 1] == "'":
            word = token[offset : offset + cut].partition("_")[0]
            if word:
                yield position + offset, word


def _matches_at(pattern: re.Pattern[str], text: str, positions: Sequence[int]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, trying only `positions` (ascending), which hold every place a match can
    start. The matches are never empty (each begins with a start string), so the next is looked for
    where the last ended."""
    end = 0
    for position in positions:
        if position < end:
            continue
        match = pattern.match(text, position)
        if match is not None:
            end = match.end()
            yield match


#: `cues.AVERTED` and its Spanish, French, German and Portuguese words, in any language's text: an averted
#: threat is read wherever it occurs. The other languages' praise built from trouble words ("não conseguimos
#: mais trabalhar sem vocês") is no trouble either.
@cache
def _averted_re(language: str) -> re.Pattern[str]:
    """Threats that never came to pass and praise built from trouble words, in English and in `language`
    (one language's phrases: the four together cost a message most of a millisecond)."""
    phrases = [AVERTED]
    if language in AVERTED_IN:
        phrases.append(AVERTED_IN[language])
    if language in IDIOMS_IN:
        phrases.append(IDIOMS_IN[language])
    return re.compile("|".join(phrases), re.IGNORECASE)


def _guards(language: str, scanned: str, folded: bool) -> list[tuple[int, int]]:
    guards = [match.span() for match in _guard_re(language, folded).finditer(scanned)]
    if language != "en":
        guards += [match.span() for match in _guard_re("en", folded).finditer(scanned)]
    # A fix still awaited is no fix: "the launch is blocked until the SSO issue is fixed".
    return [span for span in guards if not _awaited_fix(scanned, *span)]


_FIX_RE = re.compile(r"resolved|fixed|restored|back up|working again|sorted|solved", re.IGNORECASE)
_AWAITING_RE = re.compile(r"\b(?:until|till|unless|as soon as|once|before)\b[^.!?;\n]*\Z", re.IGNORECASE)


def _awaited_fix(scanned: str, start: int, end: int) -> bool:
    """Whether the guard at `start:end` is a fix the sentence is still waiting for."""
    return bool(_FIX_RE.search(scanned, start, end)) and bool(_AWAITING_RE.search(scanned[max(0, start - 80) : start]))


@cache
def _table_re(table: str, language: str, folded: bool) -> re.Pattern[str]:
    """A language's phrases of one of the ownership tables (`_ELSEWHERE`, `_DISCLAIMERS`, `_OURS`)."""
    tables = {"elsewhere": _ELSEWHERE, "disclaimers": _DISCLAIMERS, "ours": _OURS}
    phrases = tables[table][language]
    if language != "en":
        phrases = f"{phrases}|{tables[table]['en']}"
    return re.compile(rf"(?<!\w)(?:{phrases})", 0 if folded else re.IGNORECASE)


def _not_ours(language: str, scanned: str, folded: bool) -> list[tuple[int, int]]:
    """The spans of the sentences whose trouble is someone else's: a sentence naming another party's
    trouble (`_ELSEWHERE`) or disclaiming ours (`_DISCLAIMERS`), or the sentence just before a disclaimer,
    unless it lays the trouble at our door (`_OURS`)."""
    elsewhere, disclaims, ours = (
        _table_re(table, language, folded) for table in ("elsewhere", "disclaimers", "ours")
    )
    if not elsewhere.search(scanned) and not disclaims.search(scanned):
        return []  # most messages: nothing puts any trouble elsewhere, so no sentence need be read
    sentences: list[tuple[int, int]] = []
    start = 0
    for stop in _SENTENCE_END_RE.finditer(scanned):
        sentences.append((start, stop.end()))
        start = stop.end()
    if start < len(scanned):
        sentences.append((start, len(scanned)))
    said = [
        (bool(ours.search(scanned, start, end)), bool(elsewhere.search(scanned, start, end)),
         bool(disclaims.search(scanned, start, end)))
        for start, end in sentences
    ]
    spans: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(sentences):
        own, other, disclaimed = said[index]
        disclaimed_next = index + 1 < len(said) and said[index + 1][2]
        if not own and (other or disclaimed or disclaimed_next):
            spans.append((start, end))
    return spans


def _same_clause(text: str, start: int, end: int, guard_start: int, guard_end: int) -> bool:
    """Whether a guard and a match share a clause: no sentence end between them."""
    if guard_end <= start:
        return not _CLAUSE_END_RE.search(text, guard_end, start)
    if guard_start >= end:
        return not _CLAUSE_END_RE.search(text, end, guard_start)
    return True


def disowned_spans(text: str, language: str = "en") -> list[tuple[int, int]]:
    """The spans of `text`'s sentences whose trouble is someone else's ("a breach at another vendor, are you
    affected?", "pausing the rollout over our change freeze, nothing to do with you")."""
    language = language if language in _GUARDS else "en"
    lower = text.lower()
    folded = len(lower) == len(text)
    return _not_ours(language, lower if folded else text, folded)


def guarded(text: str, language: str = "en") -> bool:
    """Whether `text` holds a phrase that says the customer is not at risk ("no plans to cancel")."""
    language = language if language in _GUARDS else "en"
    return bool(
        _guard_re(language, False).search(text)
        or _guard_re("en", False).search(text)
        or _not_ours(language, text, False)
    )
