"""What the CSM should do about a message, and a first draft of the reply.

The action follows severity (how negative, how urgent, churn risk) and the
draft follows the shape support leads teach: acknowledge the feeling, own the
problem, name the next step, commit to a time. Drafts are written in the
customer's language when it is one of en/es/de/fr/pt; the guidance for the
CSM (`recommended_response`) is always English, the team's working language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.analysis.contract import Concern, Emotion, Label, RecommendedAction, Urgency

A = RecommendedAction


@dataclass(frozen=True)
class Situation:
    """What the playbook needs to know about an analyzed message."""

    label: Label
    score: float
    urgency: Urgency
    concerns: Sequence[Concern]
    emotions: Sequence[Emotion]
    churn_risk: bool
    expansion: bool
    asks_something: bool
    language: str


def choose_action(s: Situation) -> RecommendedAction:
    if s.churn_risk:
        return A.escalate
    if s.label is Label.negative:
        if s.urgency is Urgency.high or (s.score <= -0.6 and s.urgency is Urgency.medium):
            # A strongly negative message escalates once it needs attention soon; "escalate now" on
            # one that can wait (low urgency) would contradict its own urgency.
            return A.escalate
        if Concern.support_responsiveness in s.concerns:
            return A.follow_up
        return A.reply
    if s.expansion:
        return A.expansion_follow_up
    if s.label is Label.positive:
        if s.score >= 0.5 and not s.asks_something:
            return A.celebrate
        return A.reply if s.asks_something else A.acknowledge
    if s.asks_something or s.urgency is not Urgency.low:
        return A.reply
    return A.no_action


_GUIDANCE = {
    A.escalate: "Escalate now: bring in a senior owner, call the customer {when}, and own the fix for "
                "{topic}.",
    A.follow_up: "Chase the open ticket about {topic}, give the customer a concrete status and a time for "
                 "the next update.",
    A.reply: "Reply {when}: acknowledge the problem with {topic} and say what happens next.",
    A.expansion_follow_up: "Expansion signal: reply with options and book a call this week with the account "
                           "owner.",
    A.celebrate: "Thank them, share the praise with the team, and ask whether they would be a reference.",
    A.acknowledge: "Acknowledge the message; no further action unless they ask for something.",
    A.no_action: "No action needed.",
}
_GUIDANCE_WHEN = {Urgency.high: "today", Urgency.medium: "within a few hours", Urgency.low: "within a "
                                                                                            "business day"}


def guidance(action: RecommendedAction, s: Situation) -> str:
    """One line for the CSM: what to do and by when."""
    first = s.concerns[0] if s.concerns else None
    return _guidance(action, first, s.urgency, s.label is Label.negative, s.asks_something)


@lru_cache(maxsize=1024)
def _guidance(
    action: RecommendedAction, concern: Concern | None, urgency: Urgency, negative: bool, asks: bool
) -> str:
    topic = concern.value.replace("_", " ") if concern is not None else "their request"
    when = _GUIDANCE_WHEN[urgency]
    if action is A.reply and not negative:
        return f"Answer their request {when}." if asks else "Acknowledge the message."
    return _GUIDANCE[action].format(topic=topic, when=when)


# --- drafts ------------------------------------------------------------------------

_PARTS: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hi,",
        "sorry_strong": "I'm truly sorry. {topic} has let you down, and I understand why you're frustrated — "
                        "this is not the experience you should be getting from us.",
        "sorry": "I'm sorry for the trouble, and I understand how frustrating it is.",
        "own": "That's on us, and I'm personally making sure it gets resolved.",
        "thanks_request": "Thanks for reaching out.",
        "thanks_praise": "Thank you so much for the kind words — I'll share them with the team.",
        "expansion": "It's great to hear you'd like to grow your use of our product.",
        "high": "You'll hear from me within the hour, and I'd like to call you today — what time works best?",
        "medium": "I'll send you an update by the end of the day.",
        "low": "I'll get back to you within one business day.",
        "expansion_next": "I'll send you the options and pricing, and suggest a short call this week.",
        "bye": "Best regards,",
    },
    "es": {
        "hello": "Hola:",
        "sorry_strong": "Lo siento de verdad. {topic} le ha fallado y entiendo su frustración; no es la "
                        "experiencia que debería recibir de nosotros.",
        "sorry": "Siento mucho las molestias y entiendo lo frustrante que es.",
        "own": "Es responsabilidad nuestra y me encargo personalmente de que se resuelva.",
        "thanks_request": "Gracias por escribirnos.",
        "thanks_praise": "Muchas gracias por sus palabras; se las transmitiré al equipo.",
        "expansion": "Nos alegra mucho saber que quieren ampliar el uso de nuestro producto.",
        "high": "Tendrá noticias mías en menos de una hora y me gustaría llamarle hoy; ¿a qué hora le viene "
                "bien?",
        "medium": "Le enviaré una actualización antes del final del día.",
        "low": "Le responderé en el plazo de un día laborable.",
        "expansion_next": "Le enviaré las opciones y precios y le propongo una breve llamada esta semana.",
        "bye": "Un saludo,",
    },
    "de": {
        "hello": "Hallo,",
        "sorry_strong": "Das tut mir wirklich leid. {topic} hat Sie im Stich gelassen, und ich verstehe "
                        "Ihren Ärger — so sollte die Zusammenarbeit mit uns nicht aussehen.",
        "sorry": "Die Unannehmlichkeiten tun mir leid, und ich verstehe, wie frustrierend das ist.",
        "own": "Das liegt in unserer Verantwortung, und ich kümmere mich persönlich um die Lösung.",
        "thanks_request": "Vielen Dank für Ihre Nachricht.",
        "thanks_praise": "Vielen Dank für die freundlichen Worte — ich gebe sie gern an das Team weiter.",
        "expansion": "Schön zu hören, dass Sie unser Produkt breiter einsetzen möchten.",
        "high": "Sie hören innerhalb einer Stunde von mir, und ich würde Sie gern heute anrufen — wann passt "
                "es Ihnen?",
        "medium": "Ich melde mich bis heute Abend mit einem Zwischenstand.",
        "low": "Ich melde mich innerhalb eines Werktags bei Ihnen.",
        "expansion_next": "Ich schicke Ihnen die Optionen und Preise und schlage ein kurzes Gespräch diese "
                          "Woche vor.",
        "bye": "Viele Grüße",
    },
    "fr": {
        "hello": "Bonjour,",
        "sorry_strong": "Je suis sincèrement désolé. {topic} vous a fait défaut et je comprends votre "
                        "frustration : ce n'est pas l'expérience que vous devriez avoir avec nous.",
        "sorry": "Je suis désolé pour ces difficultés et je comprends à quel point c'est frustrant.",
        "own": "C'est de notre responsabilité et je m'occupe personnellement de la résolution.",
        "thanks_request": "Merci pour votre message.",
        "thanks_praise": "Merci beaucoup pour vos mots aimables, je les transmettrai à l'équipe.",
        "expansion": "Ravi d'apprendre que vous souhaitez étendre l'utilisation de notre produit.",
        "high": "Vous aurez de mes nouvelles dans l'heure et j'aimerais vous appeler aujourd'hui : quel "
                "horaire vous convient ?",
        "medium": "Je vous envoie un point d'avancement d'ici la fin de la journée.",
        "low": "Je reviens vers vous sous un jour ouvré.",
        "expansion_next": "Je vous envoie les options et les tarifs, et vous propose un court appel cette "
                          "semaine.",
        "bye": "Cordialement,",
    },
    "pt": {
        "hello": "Olá,",
        "sorry_strong": "Peço sinceras desculpas. {topic} falhou com vocês e entendo a sua frustração; não é "
                        "a experiência que deveriam ter conosco.",
        "sorry": "Lamento o transtorno e entendo como isso é frustrante.",
        "own": "A responsabilidade é nossa e vou acompanhar pessoalmente até a solução.",
        "thanks_request": "Obrigado pelo contato.",
        "thanks_praise": "Muito obrigado pelas palavras gentis; vou compartilhá-las com a equipe.",
        "expansion": "Que bom saber que vocês querem ampliar o uso do nosso produto.",
        "high": "Você terá notícias minhas em até uma hora e gostaria de ligar hoje; qual horário é melhor?",
        "medium": "Envio uma atualização até o fim do dia.",
        "low": "Retorno em até um dia útil.",
        "expansion_next": "Vou enviar as opções e os preços e sugerir uma conversa rápida esta semana.",
        "bye": "Atenciosamente,",
    },
}

#: (topic as the subject of a sentence, next step) per concern and language.
_CONCERN_TEXT: dict[str, dict[Concern | None, tuple[str, str]]] = {
    "en": {
        Concern.support_responsiveness: ("Our response time", "I've escalated your ticket to a senior "
                                                              "support engineer who now owns it end to end."),
        Concern.reliability: ("The reliability of our service", "Our engineers are investigating the "
                                                                "failures, and I'll share the root cause and "
                                                                "what we're changing so it doesn't repeat."),
        Concern.performance: ("The speed of the product", "I've asked our engineers to look at the slowness "
                                                          "on your account."),
        Concern.bug: ("This bug", "I've logged it with our engineering team as a priority and will confirm "
                                  "the fix with you."),
        Concern.billing: ("Your billing", "I'm reviewing the charges on your account with our billing team "
                                          "and will correct anything that's wrong."),
        Concern.pricing: ("Our pricing", "I'll walk you through the options that fit your usage."),
        Concern.integration: ("The integration", "I've brought in our integrations specialist to review your "
                                                 "setup."),
        Concern.security_privacy: ("This security concern", "I've escalated it to our security team, who are "
                                                            "reviewing it now."),
        Concern.data_export: ("Your data export", "I'll get the export set up for you."),
        Concern.onboarding: ("Getting set up", "I'd like to book a working session to get your team up and "
                                               "running."),
        Concern.feature_request: ("This feature", "I've shared your request with our product team."),
        Concern.contract_renewal: ("Your experience with us", "I'd like to set up a call to talk through "
                                                              "your concerns about the renewal and what "
                                                              "we'll do to earn back your confidence."),
        None: ("This issue", "I'm looking into it now."),
    },
    "es": {
        Concern.support_responsiveness: ("Nuestro tiempo de respuesta", "He escalado su caso a un ingeniero "
                                                                        "de soporte sénior, que se encarga "
                                                                        "de él de principio a fin."),
        Concern.reliability: ("La fiabilidad de nuestro servicio", "Nuestro equipo técnico está investigando "
                                                                   "los fallos y le contaré la causa y qué "
                                                                   "cambiamos para que no se repita."),
        Concern.contract_renewal: ("Su experiencia con nosotros", "Me gustaría organizar una llamada para "
                                                                  "hablar de la renovación y de cómo "
                                                                  "recuperar su confianza."),
        Concern.billing: ("Su facturación", "Estoy revisando los cargos con nuestro equipo de facturación."),
        None: ("Este problema", "Ya lo estoy revisando."),
    },
    "de": {
        Concern.support_responsiveness: ("Unsere Reaktionszeit", "Ich habe Ihr Ticket an einen erfahrenen "
                                                                 "Support-Engineer eskaliert, der es jetzt "
                                                                 "vollständig übernimmt."),
        Concern.reliability: ("Die Zuverlässigkeit unseres Dienstes", "Unser Engineering-Team untersucht die "
                                                                      "Ausfälle; ich teile Ihnen die Ursache "
                                                                      "und unsere Gegenmaßnahmen mit."),
        Concern.contract_renewal: ("Ihre Erfahrung mit uns", "Ich würde gern ein Gespräch über die "
                                                             "Verlängerung vereinbaren und darüber, wie wir "
                                                             "Ihr Vertrauen zurückgewinnen."),
        Concern.billing: ("Ihre Abrechnung", "Ich prüfe die Abbuchungen gemeinsam mit unserem Billing-Team."),
        None: ("Dieses Problem", "Ich kümmere mich bereits darum."),
    },
    "fr": {
        Concern.support_responsiveness: ("Notre délai de réponse", "J'ai transmis votre ticket à un "
                                                                   "ingénieur support senior qui le prend en "
                                                                   "charge de bout en bout."),
        Concern.reliability: ("La fiabilité de notre service", "Notre équipe technique analyse les pannes ; "
                                                               "je vous communiquerai la cause et les "
                                                               "mesures prises pour éviter une récidive."),
        Concern.contract_renewal: ("Votre expérience avec nous", "Je vous propose un appel pour parler du "
                                                                 "renouvellement et de la façon de regagner "
                                                                 "votre confiance."),
        Concern.billing: ("Votre facturation", "Je vérifie les prélèvements avec notre équipe facturation."),
        None: ("Ce problème", "Je m'en occupe dès maintenant."),
    },
    "pt": {
        Concern.support_responsiveness: ("O nosso tempo de resposta", "Escalei o seu chamado para um "
                                                                      "engenheiro de suporte sênior, que "
                                                                      "agora cuida dele do início ao fim."),
        Concern.reliability: ("A confiabilidade do nosso serviço", "Nossa equipe de engenharia está "
                                                                   "investigando as falhas e vou "
                                                                   "compartilhar a causa e o que vamos "
                                                                   "mudar."),
        Concern.contract_renewal: ("A sua experiência conosco", "Gostaria de marcar uma conversa sobre a "
                                                                "renovação e sobre como recuperar a sua "
                                                                "confiança."),
        Concern.billing: ("O seu faturamento", "Estou revisando as cobranças com nossa equipe financeira."),
        None: ("Este problema", "Já estou verificando."),
    },
}


def draft_reply(action: RecommendedAction, s: Situation) -> str:
    """A reply the CSM can edit and send; empty when no reply is needed."""
    if action is A.no_action:
        return ""
    language = s.language if s.language in _PARTS else "en"
    table = _CONCERN_TEXT[language]
    concern = next((concern for concern in s.concerns if concern in table), None)
    return _draft(
        action,
        language,
        concern,
        s.label is Label.negative or s.churn_risk,
        s.label,
        s.asks_something,
        s.urgency,
    )


@lru_cache(maxsize=4096)
def _draft(
    action: RecommendedAction,
    language: str,
    concern: Concern | None,
    unhappy: bool,
    label: Label,
    asks: bool,
    urgency: Urgency,
) -> str:
    # The draft depends only on these few values, so each is written once and reused.
    parts = _PARTS[language]
    topic, next_step = _CONCERN_TEXT[language][concern]
    if unhappy:
        opener = parts["sorry_strong"].format(topic=topic) if action is A.escalate else parts["sorry"]
        body = [opener, parts["own"], next_step, parts[urgency.value]]
    elif action is A.expansion_follow_up:
        body = [parts["expansion"], parts["expansion_next"]]
    elif action is A.celebrate or (label is Label.positive and not asks):
        body = [parts["thanks_praise"]]
    else:
        body = [parts["thanks_request"], parts[urgency.value]]
    return "\n".join([parts["hello"], "", " ".join(body), "", parts["bye"]])
