"""Risk told in passing. Commercial: the writer leaving, seat counts falling, a rival's demo booked, every
tool made to justify itself, use falling away, the end of the contract planned for. Incidents: work stopped,
data gone or wrong, another company's records in ours, the same request sent again and again.

cs-signals makes each of these alert-worthy, and each usually arrives after a friendly opening or as one line
of admin, where a lexicon and a model trained on complaints read good news. The risk layer reads them as
strong risks, so warm words cannot outvote them. Messages are written for these tests (not taken from the
corpus); each look-alike shares the vocabulary of a risk (a count, a demo, a merger, a login, a date)
without the risk.
"""

from __future__ import annotations

import pytest

from bot.analysis.contract import Label
from bot.analysis.risk import RiskKind, read_risks
from tests.support.readings import IDLE_ACTIONS as IDLE

QUIET_RISKS = [
    # the writer, often the champion, leaving, and nobody named to take over
    ("Loved the webinar! Personal news: I've handed in my notice, my last week here is the 20th.", "en"),
    ("Quick update from me, I'm off to a new role in April, and no idea who will own this after me.", "en"),
    ("Our exec sponsor goes on leave Friday and then moves teams; no replacement has been named yet.", "en"),
    ("The VP who picked you in 2023 has since left, and her successor has never heard of you.", "en"),
    ("Aviso rápido: dejo la empresa en mayo y aún no se sabe quién llevará la cuenta.", "es"),
    ("Je quitte la société fin juin ; personne n'a encore été désigné pour suivre le contrat.", "fr"),
    ("Ich verlasse zum Quartalsende die Firma, wer euch danach betreut, ist noch offen.", "de"),
    ("Estou saindo da empresa no mês que vem e ainda não sabemos quem assume a conta.", "pt"),
    # seat counts falling, plans and modules dropped
    ("Going forward please invoice us for 25 seats instead of 40.", "en"),
    ("What would the per-seat price be if we go from 150 to 90 users at renewal?", "en"),
    ("We'll only renew 20 of the 55 licences this time, the rest of the org moved to another tool.", "en"),
    ("Can you move us to the starter plan from the next billing cycle?", "en"),
    ("Those 30 seats go away in September when the service desk moves to a different inbox.", "en"),
    ("we no longer use the analytics add-on at all, please take it off the contract", "en"),
    ("A la renovación reducimos de 70 a 40 licencias.", "es"),
    ("Zum nächsten Abrechnungszeitraum möchten wir das Modul Chat abbestellen.", "de"),
    # rivals demoed, quoted or piloted
    ("Great call today! Heads up that our COO wants a competing quote before we sign the renewal.", "en"),
    ("fyi the ops team has a Freshworks demo booked for Tuesday, just so you hear it from me", "en"),
    ("We got a quote from Kandor this morning. I'd like to stay, but the gap on price is large.", "en"),
    ("Leadership asked me to evaluate Brightwave for the support team.", "en"),
    ("Purchasing now requires three quotes for every contract above 50k, your renewal included.", "en"),
    ("Estamos probando Zendesk con el equipo de soporte durante seis semanas.", "es"),
    ("On lance un POC avec Intercom sur l'équipe support jusqu'à fin mai.", "fr"),
    ("Já estamos cotando outras ferramentas para o ano que vem.", "pt"),
    # every tool made to justify itself, ours named
    ("Finance wants every owner to justify each subscription line for next year, yours included.", "en"),
    ("Our board is cutting software spend by 20% and I have to defend every tool I own.", "en"),
    ("Unser Einkauf will für jedes Tool eine Begründung, bevor etwas verlängert wird.", "de"),
    ("Notre DAF m'a demandé de justifier tous nos abonnements pour l'an prochain.", "fr"),
    # a merger's standard or the group's system
    ("Since the acquisition, the new owners use something else for customer support.", "en"),
    ("From January all subsidiaries will work on the same helpdesk platform as the group.", "en"),
    ("Die Konzern-IT hat ein anderes System als verbindlichen Standard festgelegt.", "de"),
    # use falling away
    ("Just checked: only 3 people logged in last month, and one of them was me.", "en"),
    ("Our usage report says 12% weekly active users, which my boss will not love.", "en"),
    ("Most of the reps have never logged in, they still work in the old spreadsheet.", "en"),
    ("Training turnout was 4 out of 35, the rest of the team keeps avoiding the tool.", "en"),
    ("Nur 5 von 30 Standorten nutzen die Software wirklich.", "de"),
    # the contract's end planned for
    ("Our agreement ends on 30 June. Please prepare a full export of our tickets before then.", "en"),
    ("We're going to let the subscription run its course while the new leadership settles in.", "en"),
    ("Could you confirm by what date we'd need to tell you if we decide not to renew?", "en"),
    ("Cuando venza el contrato nos cambiamos, la verdad.", "es"),
    # the kinds of commercial risk, in other words
    ("At renewal we'll keep just the scheduling module and let the rest go.", "en"),
    ("Our buyers have invited three other suppliers to bid for the next term.", "en"),
    ("The new COO wants to test your product against Planhat before signing again.", "en"),
    ("We're going to pilot Kustomer alongside you through the spring.", "en"),
    ("Post-acquisition, we're meant to migrate onto the parent company's helpdesk next year.", "en"),
    ("Our new VP asked for a formal comparison with the other tools on the market.", "en"),
    ("Group IT wants one CRM for the whole company, and honestly it probably won't be yours.", "en"),
    ("Nadia, who championed you from day one, is leaving at Easter.", "en"),
    ("Our sponsor has been laid off and we don't yet know who will own the relationship.", "en"),
    ("We're putting the expansion on pause until the next budget year.", "en"),
    ("I find it hard to explain what we get for the money to our CFO.", "en"),
    ("Honestly I'm not sure the cost is justified any more.", "en"),
    ("The board is reviewing all existing contracts, including yours.", "en"),
    ("Nous avons décidé de ne pas reconduire le contrat à son échéance.", "fr"),
    ("Unsere Ansprechpartnerin verlässt das Unternehmen, eine Nachfolgerin ist noch nicht benannt.", "de"),
    ("O diretor novo quer comparar vocês com a concorrência antes de renovar.", "pt"),
    ("La nueva directora quiere compararos con otra herramienta antes de renovar.", "es"),
    ("Tras la fusión, el grupo va a estandarizar en la herramienta que ya usa la matriz.", "es"),
    ("Wir testen ab Mai parallel ein anderes Tool im Support.", "de"),
    ("The board wants us down to a single CRM by year end.", "en"),
    ("Our new CFO wants a copy of the contract before deciding whether to renew.", "en"),
    ("We're still working out if it's worth renewing at all.", "en"),
    ("Instead of another annual term we'd like to move to month-to-month for now.", "en"),
    ("Our analysts have quietly been going back to their spreadsheets for forecasting.", "en"),
    ("Notre nouvel actionnaire a déjà ses propres outils pour le support.", "fr"),
    ("We're renewing! Finance only approved the core module, so Reports drops off at renewal.", "en"),
    ("Please remove the licences for the Leeds office, we're closing it in May.", "en"),
    ("Can you deactivate the accounts for our whole field team? They're on a different tool now.", "en"),
    # the same kinds in Spanish, French, German and Portuguese
    ("Compras ya ha pedido presupuestos a otros tres proveedores para el contrato.", "es"),
    ("Tras la adquisición, la matriz quiere una única plataforma para todas las filiales.", "es"),
    ("Nuestro contacto principal deja la empresa en julio.", "es"),
    ("Casi nadie de soporte usa la herramienta.", "es"),
    ("Au renouvellement, nous ne garderons que le module d'agenda.", "fr"),
    ("Après le rachat, le groupe impose le même logiciel à toutes les entités.", "fr"),
    ("Notre chef de projet quitte la société à la fin du trimestre.", "fr"),
    ("Honnêtement, je ne sais pas si l'outil vaut le prix.", "fr"),
    ("Unser Einkauf hat drei weitere Anbieter angefragt.", "de"),
    ("Nach der Übernahme soll der Konzern ein einheitliches CRM nutzen.", "de"),
    ("Ehrlich gesagt wissen wir nicht, ob sich das Tool noch lohnt.", "de"),
    ("Kaum jemand im Vertrieb nutzt die Plattform.", "de"),
    ("A diretoria pediu cotações a outros dois fornecedores.", "pt"),
    ("Depois da aquisição, o grupo quer a mesma plataforma em todas as empresas.", "pt"),
    ("Nosso gerente de projeto vai sair da empresa em maio.", "pt"),
    ("Quase ninguém do time usa a ferramenta.", "pt"),
]

LOOK_ALIKES = [
    "I'm off on holiday next week, my colleague Sam will cover anything urgent.",
    "Our office is moving to a new building in March, the address on the invoice will change.",
    "My colleague Priya is moving into a new role on our team and will be your main contact from Monday.",
    "My last day of leave is Friday, I'll pick up the renewal paperwork on Monday.",
    "Please invoice us for 40 seats instead of 25 from next month, two teams are joining.",
    "What would the per-seat price be if we go from 90 to 150 users at renewal?",
    "We're going from 50 seats to 80 at renewal, exciting times.",
    "We work from 9 to 5, so schedule the maintenance after that.",
    "Could you remove the 3 test users we made during onboarding?",
    "Please move us to the enterprise plan from the next billing cycle.",
    "Thanks for the demo yesterday, the team loved the new workflows.",
    "We got the quote from you this morning, the PO follows tomorrow.",
    "We ran a competitive tender last year and you won it clearly.",
    "After the merger, the group chose your platform as the standard for everyone.",
    "Training turnout was 33 out of 35, thank you for a great session!",
    "Our usage report says 87% weekly active users, well done team.",
    "Only 2 tickets were open at the end of the month, great work.",
    "Our agreement renews on 30 June, please send the order form.",
    "Could you confirm the notice period for adding seats mid-term?",
    "We went back to the old report only to compare last year's numbers.",
    "Zum nächsten Abrechnungszeitraum möchten wir das Modul Chat dazubuchen.",
    "A la renovación ampliamos de 40 a 70 licencias.",
    "At renewal we'll keep the same modules and add the survey add-on.",
    "Could you compare this quarter's numbers with last year's for our QBR?",
    "Nadia, who championed you from day one, was promoted to COO!",
    "The board reviewed all existing contracts and renewed yours for three years.",
    "Unser Projektleiter geht zum Termin am Donnerstag, danke.",
    "Quiere comparar el informe con el del año pasado.",
    "Vamos comparar o relatório com o do mês passado.",
    "Una agente deja la empresa, ¿cómo exporto sus conversaciones?",
    "Uma colaboradora saiu da empresa; como cancelo o acesso dela?",
    "Un collaborateur quitte l'entreprise, comment transférer ses dossiers ?",
    "Tras la fusión seguimos con vuestra plataforma para todo el grupo, encantados.",
    "Nadie del equipo tuvo problemas con la actualización.",
]


@pytest.mark.parametrize(("text", "language"), QUIET_RISKS)
def test_commercial_risk_said_in_passing_is_a_strong_risk_and_churn(analyzer, text, language) -> None:
    assert RiskKind.commercial in {signal.kind for signal in read_risks(text, language) if signal.strong}
    result = analyzer.analyze_text(text)
    assert result.churn_risk
    assert result.label is Label.negative
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_its_look_alikes_raise_no_strong_risk(analyzer, text) -> None:
    language = analyzer.analyze_text(text).language
    assert not [signal for signal in read_risks(text, language) if signal.strong]


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("We'll take 60 licences rather than 45 next year.", False),
        ("We'll take 45 licences rather than 60 next year.", True),
        ("We're moving from 30 seats to 45.", False),
        ("We're moving from 45 seats to 30.", True),
        ("Monthly report: 40% active users.", False),
        ("Monthly report: 8% active users.", True),
        ("Onboarding session attendance was 30 out of 36.", False),
        ("Onboarding session attendance was 3 out of 36.", True),
    ],
)
def test_a_counted_risk_reads_which_way_the_numbers_go(text, cut) -> None:
    assert bool([s for s in read_risks(text) if s.strong and s.kind is RiskKind.commercial]) is cut


# --- work stopped, data gone, records of others, the same request sent again ----------------------------

QUIET_INCIDENTS = [
    ("Love the new theme! One thing: nobody on our side can open the inbox.", RiskKind.operational),
    ("Since the update, none of our cashiers can sign in.", RiskKind.operational),
    ("Since the cutover, invoices aren't posting to Xero at all, 40-odd stuck.", RiskKind.operational),
    ("Heads up, all of January's notes have disappeared from the account pages.", RiskKind.operational),
    ("The report is showing the wrong totals for every region since Monday.", RiskKind.operational),
    ("The survey scale is inverted, so two months of scores mean the opposite.", RiskKind.operational),
    ("The redesign is gorgeous, and it would be perfect if it let us log in.", RiskKind.operational),
    ("Our go-live is blocked until the SAML issue is fixed.", RiskKind.operational),
    ("The access logs for the audit period are missing from the export.", RiskKind.operational),
    ("We spotted invoices from a client of another firm in our billing export.", RiskKind.security),
    ("Our webhook secret is visible in plain text in the URLs your app logs.", RiskKind.security),
    ("Someone outside our organisation logged into our workspace last night.", RiskKind.security),
    ("Same question as the one I emailed on 3 May, 10 May and 17 May: when is the fix due?",
     RiskKind.escalation),
    ("Chasing again, fourth time this month, on the duplicate charge.", RiskKind.escalation),
    ("At this point I'd like to talk to your manager, please.", RiskKind.escalation),
    ("Ponemos en copia a nuestro director de operaciones.", RiskKind.escalation),
    ("Ich nehme jetzt meine Abteilungsleiterin in Kopie.", RiskKind.escalation),
    ("Staff from another client were able to view our case notes via the portal.", RiskKind.security),
    ("Your onboarding team shared our contact list with an unrelated company last week.", RiskKind.security),
    ("One of your engineers opened our production tenant without our consent.", RiskKind.security),
    ("Es la cuarta vez que pregunto por el mismo cargo duplicado.", RiskKind.escalation),
    ("É a terceira vez que peço a mesma correção.", RiskKind.escalation),
    ("Se continuar assim, vamos acionar o jurídico.", RiskKind.escalation),
    ("Les fiches clients de mars ont disparu depuis la synchronisation.", RiskKind.operational),
    ("Se han filtrado nuestras claves de API en vuestro registro público.", RiskKind.security),
    ("Nos identifiants ont fuité dans vos journaux publics.", RiskKind.security),
    ("Unsere Leute sehen die Rechnungen eines anderen Kunden im Portal.", RiskKind.security),
    ("Wir können die Löhne diesen Monat nicht auszahlen, der Export ist leer.", RiskKind.operational),
    ("Nossos usuários veem os pedidos de outra empresa no painel.", RiskKind.security),
    ("As senhas de API vazaram nos logs de vocês.", RiskKind.security),
    ("Al abrir el panel nos aparecen facturas de una empresa que no es la nuestra.", RiskKind.security),
    ("Im Rahmen des Audits wurden drei Feststellungen zu Ihrer Plattform dokumentiert.", RiskKind.security),
    ("This is my fourth attempt to reach someone about the refund.", RiskKind.escalation),
    ("Des demandes d'un autre client s'affichent dans notre file depuis ce matin.", RiskKind.security),
    ("Since the update the invoices are not arriving, and finance can not close the month.",
     RiskKind.operational),
    ("The approval rules didn't run, so 90 purchase orders are sitting unapproved.", RiskKind.operational),
    ("The import has hung since 6am and the whole dispatch team is standing around.", RiskKind.operational),
    ("A integração com o ERP parou de enviar pedidos desde ontem.", RiskKind.operational),
    ("Depuis la migration, toute l'équipe n'arrive plus à se connecter.", RiskKind.operational),
    ("La synchronisation de cette nuit a effacé toutes les notes des dossiers.", RiskKind.operational),
    ("Desde el cambio de versión nadie del equipo puede acceder a los informes.", RiskKind.operational),
    ("Seit gestern kann niemand im Vertrieb Angebote öffnen.", RiskKind.operational),
    ("Ninguém da equipe consegue entrar no painel desde cedo.", RiskKind.operational),
]

QUIET_INCIDENT_LOOK_ALIKES = [
    "Nobody on our side had trouble with the new login, thanks!",
    "The invoices are posting to Xero again, thanks for the quick fix.",
    "We archived January's notes ourselves, no action needed.",
    "Could you show me how the report totals are calculated?",
    "How do I invite a user from another company to a shared board?",
    "We rotated the webhook secret as planned, all good.",
    "I asked about this on 3 May and got a great answer, thanks again.",
    "Renewing again, the fourth time in a row, thanks for a great partnership!",
    "Could our manager talk to your team about the roadmap?",
    "Ich nehme meine Kollegin in Kopie, damit sie die Rechnung bekommt.",
    "We shared our customer list with your onboarding team as agreed.",
    "Your engineer opened our tenant with our consent to check the logs.",
    "The issue on our side is fixed, everything's working again.",
    "Tout fonctionne pour toute l'équipe depuis la migration, merci !",
    "Desde el cambio de versión todo el equipo trabaja mejor.",
    "Es la tercera vez que renovamos con vosotros, encantados.",
    "La auditoría externa no encontró ningún hallazgo, enhorabuena.",
    "L'audit externe n'a relevé aucune non-conformité, bravo.",
    "Das Audit hat keine Feststellungen ergeben, danke.",
    "A auditoria não encontrou nenhuma não conformidade, parabéns.",
    "É a quarta vez que indicamos vocês a parceiros.",
]


@pytest.mark.parametrize(("text", "kind"), QUIET_INCIDENTS)
def test_an_incident_told_in_passing_is_a_strong_risk(analyzer, text, kind) -> None:
    language = analyzer.analyze_text(text).language
    assert kind in {signal.kind for signal in read_risks(text, language) if signal.strong}
    result = analyzer.analyze_text(text)
    assert result.label is Label.negative
    assert result.recommended_action not in IDLE


@pytest.mark.parametrize("text", QUIET_INCIDENT_LOOK_ALIKES)
def test_an_incident_look_alike_raises_no_strong_risk(analyzer, text) -> None:
    language = analyzer.analyze_text(text).language
    assert not [signal for signal in read_risks(text, language) if signal.strong]
