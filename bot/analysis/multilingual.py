"""Small cue lexicons for Spanish, German, French and Portuguese.

VADER only reads English. For the other supported languages the analyzer
scores polarity and urgency from these hand-written lists of how customers
complain, thank, threaten to leave and ask for speed. Kind "lexicon" cues
carry their valence in `strength` (VADER units); the other kinds reuse the
English weights in `cues.KIND_VALENCE`. A positive word right after a negator
("no", "nicht", "pas", "não") is flipped by the analyzer.
"""

from __future__ import annotations

import re
from functools import cache

from bot.analysis.contract import Concern as C
from bot.analysis.contract import Emotion as E
from bot.analysis.cues import Cue, PhraseMatcher

_FRU = (E.frustration,)
_DIS = (E.disappointment,)
_SUP = (C.support_responsiveness,)
_REN = (C.contract_renewal,)


#: What else a customer cancels that is no part of the service ("vamos a cancelar la reunión", "vamos
#: cancelar a chamada", "wir kündigen den Termin"): a cancellation of one of these is no churn.
NOT_THE_SERVICE = {
    "es": r"(?:la |el |las |los |una? |nuestr[oa]s? |esta |este )?(?:reuni[oó]n|llamada|videollamada|cita|"
          r"pedido|orden|demo|sesi[oó]n|compra|env[ií]o|visita|formaci[oó]n|capacitaci[oó]n|webinar|evento)",
    "pt": r"(?:a |o |as |os |uma? |noss[oa]s? |esta |este |essa |esse )?(?:reuni[ãa]o|chamada|liga[çc][ãa]o|"
          r"pedido|encomenda|demo|sess[ãa]o|compra|visita|treinamento|webinar|evento|call)",
    "de": r"(?:den |das |die |unseren |unser |unsere |diesen |dieses |diese )?(?:termin|meeting|besprechung|"
          r"bestellung|anruf|telefonat|call|webinar|schulung|demo|veranstaltung)",
    "fr": r"(?:la |le |les |une? |notre |nos |cette |ce )?(?:r[ée]union|appel|rendez-vous|rdv|commande|"
          r"d[ée]mo|session|visite|formation|webinaire|[ée]v[ée]nement)",
}


def _lex(pattern: str, valence: float, emotions: tuple[E, ...] = (), concerns: tuple[C, ...] = ()) -> Cue:
    return Cue("lexicon", pattern, valence, emotions, concerns)


#: `cues.AVERTED` in Spanish, French, German and Portuguese: a threat that never came to pass, with what ended
#: it ("estábamos a punto de cancelar, pero vuestro equipo lo solucionó", "on était prêts à résilier, mais
#: votre équipe a tout réglé", "wir wollten schon kündigen, aber Ihr Team hat es gelöst", "estávamos prestes a
#: cancelar, mas o suporte resolveu"). Not a threat still standing or held open after the contrast ("…, pero
#: si no lo arreglan…", "…, und es ist immer noch kaputt"). A cue here, and a guard of the risk layer.
AVERTED_IN: dict[str, str] = {
    "es": (
        r"(?:(?:estábamos|estaba|estuvimos|estuve) (?:a punto de|por|decididos a|decidid[oa] a|"
        r"list[oa]s? para|a un paso de)|casi|por poco) (?:\w+ ){0,3}?(?:cancel\w*|dar(?:nos)? de baja|"
        r"rescindir|escal\w+|"
        r"(?:irnos|cambiarnos|pasarnos|íbamos|vamos|cambiamos|pasamos|fuimos) (?:a|con)|dejar(?:os|les)|"
        r"nos fuimos|"
        r"(?:poner|presentar) una (?:queja|reclamación))"
        r"[^.!?;\n]{0,80}?(?:,|\b(?:pero|hasta que|cuando|por suerte|afortunadamente|menos mal)\b)"
        r"(?:(?!\b(?:si|salvo que|todavía|aún|sigue|seguimos|nunca|no|nadie|nada)\b)[^.!?;\n]){0,100}?"
        r"\b(?:(?:solucion|resolv|resolvi|resuel|arregl|corrig)\w*|(?:nos|me) (?:llam|contact|convenc)\w*|"
        r"(?:nos alegramos|me alegro|menos mal) de (?:no haberlo hecho|habernos quedado|seguir))"
    ),
    "fr": (
        r"(?:(?:on|nous|j') ?(?:était|étions|étais|avait|avions|avais) (?:sur le point de|prêts? à|prêtes? à|"
        r"décidés? à|décidées? à|à deux doigts de|presque)|(?:on|nous|j') ?(?:a|avons|ai|avait|avions|avais) "
        r"(?:failli|presque))(?: \w+){0,3}? (?:résili\w*|annul\w*|partir|quitter|changer de (?:fournisseur|"
        r"prestataire|outil|solution)|escalad\w*|porter plainte|passer (?:chez|à) )"
        r"[^.!?;\n]{0,80}?(?:,|\b(?:mais|jusqu'à ce que|quand|heureusement|finalement)\b)"
        r"(?:(?!\b(?:si|sauf si|toujours|encore|jamais|ne|pas|personne|rien)\b|\bn')[^.!?;\n]){0,100}?"
        r"\b(?:(?:régl|résol|corrig|répar)\w*|(?:nous|m') ?(?:a|ont) (?:rappel|appel|contact|convaincu)\w*|"
        r"(?:heureusement|contents?|ravis?) (?:de ne pas l'avoir fait|d'être restés?))"
    ),
    "de": (
        r"(?:wir|ich) (?:wollten|wollte|waren|war|standen|stand|hätten|hätte)\b"
        r"(?:(?!\b(?:nicht|nie|kein\w*)\b)[^.!?;\n,]){0,40}?\b(?:kündig\w*|gekündigt|wechseln|gewechselt|eskalier\w*|eskaliert|abspringen|"
        r"abgesprungen|beschwer\w+)"
        r"[^.!?;\n]{0,80}?(?:,|\b(?:aber|doch|bis|dann|zum glück|glücklicherweise)\b)"
        r"(?:(?!\b(?:wenn|falls|sofern|noch|immer|nicht|nie|kein\w*|niemand|nichts)\b)[^.!?;\n]){0,100}?"
        r"\b(?:gelöst|behoben|repariert|geklärt|(?:hat|haben) (?:uns|mich) (?:angerufen|zurückgerufen|"
        r"überzeugt)|"
        r"(?:zum glück|froh),? (?:dass )?(?:wir|ich) (?:geblieben|es nicht getan))"
    ),
    "pt": (
        r"(?:(?:estávamos|estava|estivemos|estive) (?:prestes a|a ponto de|quase|decididos a|decidid[oa] a|"
        r"pront[oa]s? para)|quase|por pouco não) (?:\w+ ){0,3}?(?:cancel\w*|rescindir|escalar|"
        r"(?:sair|mudar|trocar|ir) (?:para|de fornecedor)|abrir (?:uma )?reclamação|reclamar)"
        r"[^.!?;\n]{0,80}?(?:,|\b(?:mas|até que|quando|felizmente|ainda bem)\b)"
        r"(?:(?!\b(?:se|a menos que|ainda(?! bem)|continua|continuamos|nunca|não|ninguém|nada)\b)"
        r"[^.!?;\n]){0,100}?"
        r"\b(?:(?:resolv|solucion|consert|corrig|arrum)\w*|(?:nos|me) (?:ligou|ligaram|convenceu|"
        r"convenceram)|"
        r"(?:ainda bem|felizmente) que (?:ficamos|não cancelamos))"
    ),
}

#: Praise built from trouble words, as `cues.IDIOMS` reads it in English: no way back from us ("ya no
#: volveríamos a Excel", "wir wollen nicht mehr zurück"), a life without us unthinkable ("no podríamos vivir
#: sin", "on ne pourrait plus s'en passer", "não vivemos mais sem vocês"), time we give back ("nos ahorra
#: horas", "spart uns Stunden"). A present tense without "anymore" is left out: "no podemos trabajar sin
#: acceso" is a complaint.
IDIOMS_IN: dict[str, str] = {
    "es": (
        r"no (?:podríamos|podría|sabríamos|sabría) (?:ya )?(?:vivir|trabajar|funcionar|hacer nada|estar)"
        r"(?: ya)? sin\b|ya no (?:sabemos|podemos) (?:vivir|trabajar) sin (?:ustedes|vosotros|ell[ao]s?|"
        r"(?:vuestr[oa]|su|esta|este) \w+)|no (?:vivimos|sabemos vivir) (?:ya )?sin (?:ustedes|vosotros)|"
        r"(?:ya no|nunca|jamás|no) (?:volveríamos|volveremos|queremos volver|vamos a volver|volvería) "
        r"(?:nunca )?(?:a|al) (?:excel|(?:las |la )?hojas? de cálculo|lo de antes|papel|(?:la|las|el|los) "
        r"(?:\w+ )?(?:de antes|anterior(?:es)?|antigu[oa]s?))|"
        r"(?<!no )(?:nos|me|les) (?:ahorra|ahorran|ahorró|ha ahorrado|está ahorrando) (?:\w+ ){0,2}?(?:horas|"
        r"días|semanas|tiempo)"
    ),
    "fr": (
        r"(?:on|nous) ne (?:pourrait|pourrions|saurait|saurions|peut|pouvons) plus (?:s'en passer|nous en "
        r"passer|nous passer de vous|vivre sans|travailler sans)|impossible de (?:s'en passer|revenir en "
        r"arrière)|(?:on|nous) ne (?:reviendrait|reviendrions|reviendra|reviendrons) (?:jamais|plus|"
        r"pour rien au monde) (?:à|aux|sur|en arrière)|"
        r"(?<!pas )(?:nous|me|leur|vous) (?:fait|font|a fait|fera) gagner "
        r"(?:\w+ ){0,2}?(?:heures|jours|semaines|temps)"
    ),
    "de": (
        r"(?:(?:wir|ich) (?:wollen|möchten|will|möchte|würden|werden|gehen)|(?:wollen|möchten|würden|werden|"
        r"gehen) (?:wir|ich)) (?:\w+ )?(?:auf keinen fall )?(?:nie (?:mehr|wieder)|nicht mehr|keinesfalls) "
        r"zurück|(?:wir|ich) (?:könnten|könnte|würden|würde|wollen) "
        r"(?:uns )?(?:nicht mehr|nie mehr|kaum noch) ohne|ohne (?:euch|sie|ihre? (?:plattform|tool|software|"
        r"app|lösung)) (?:geht(?:'s| es)|ginge(?: es)?) (?:gar )?nicht mehr|"
        r"(?<!nicht )(?:spart|sparen|sparte|"
        r"erspart) (?:uns|mir|dem team|unserem team) (?:(?!kein\w*\b|nicht\b)\w+ ){0,2}?(?:stunden|tage|"
        r"wochen|zeit)"
    ),
    "pt": (
        r"não (?:vivemos|vivo|conseguimos|consigo|sabemos) mais (?:viver |trabalhar |ficar )?sem (?:vocês|"
        r"você|isso|ela|ele|(?:a|o) \w+ de vocês)|não (?:conseguiríamos|saberíamos|viveríamos|poderíamos) "
        r"(?:mais )?(?:viver |trabalhar |ficar )?sem\b|(?:nunca mais|jamais) (?:voltaríamos|voltaremos|vamos "
        r"voltar|volto|voltamos|voltaria) (?:para|pro|pra|ao|à|a)\b|(?<!não )(?:nos |me )?(?:economiza|"
        r"economizou|economizam|poupa|poupou|poupam) (?:\w+ ){0,2}?(?:horas|dias|semanas|tempo)"
    ),
}


def _warm_idioms(language: str) -> list[Cue]:
    """The idiom cues of a language, listed first so they win over the trouble words they are built from."""
    return [
        Cue("idiom_positive", AVERTED_IN[language], 1.0, (E.satisfaction,), resolves=True, commits=True),
        Cue("idiom_positive", IDIOMS_IN[language], 1.0, (E.satisfaction,), commits=True),
    ]


SPANISH = [
    *_warm_idioms("es"),
    # The renewal signed: "os envío firmado el contrato de renovación".
    Cue("praise", r"renovaci[oó]n (?:\S+ ){0,3}firmad[oa]|(?:firmamos|hemos firmado|firmado) (?:\S+ ){0,4}"
                  r"renovaci[oó]n|renovamos por (?:\S+ )?(?:a[nñ]os?|uno|dos|tres)", 1.0, (E.satisfaction,),
        commits=True),
    # Business coming over to us after a merger or from a rival: staying and growing, never churn.
    Cue("praise", r"(?:nos pasamos|pasamos|migramos|movemos|trasladamos|cambiamos) (?:\S+ ){0,5}"
                  r"(?:a ustedes|con ustedes|a su (?:plataforma|herramienta|soluci[oó]n))|"
                  r"estandariz\w+ (?:en|con) (?:ustedes|vosotros|(?:su|vuestra) (?:plataforma|herramienta)|"
                  r"la (?:plataforma|herramienta) de (?:ustedes|vosotros))|(?:sigo|seguir[ée]|contin[úu]o) "
                  r"(?:siendo )?(?:tu|su|vuestr[oa]) (?:contacto|interlocutor\w*|responsable)",
        1.0, (E.satisfaction,), commits=True),
    Cue("polite", r"buen(?:os|as)? (?:días|dia|tardes|noches)|(?:un )?saludo(?:s)?(?: cordiales)?|gracias de "
                  r"antemano"),
    _lex(r"(?:cobrad[oa]s? (?:dos veces|doble|de más)|cobro (?:doble|duplicado)|reembolso|devolución)", -1.6,
         _FRU, (C.billing,)),
    Cue("switching", r"(?:competencia|competidor(?:es)?|otro proveedor|(?:una )?alternativa más barata|"
                     r"(?:mucho )?más barat[oa]s?)", 1.0, _DIS, _REN, 0.5),
    Cue("waiting", r"(?:llevo|llevamos|esperando|esperamos|espero) (?:ya )?(?:más de |casi )?(?:\d+|dos|tres|"
                   r"cuatro|cinco|varios|varias|muchos|muchas) (?:horas|días|semanas|"
                   r"meses)", 1.2, _FRU, _SUP, 1.0),
    # "Una semana con el ticket abierto", "nadie nos ha contestado": a wait counted in time or in silence.
    Cue("waiting", r"(?:llevo|llevamos) (?:ya )?(?:una semana|un mes|todo el día)|(?:dos|tres|cuatro|cinco|"
                   r"\d+) (?:horas|días|semanas|meses) (?:esperando|sin)|sin noticias|nadie (?:nos |me )?"
                   r"(?:ha )?(?:contestado|respondido)", 1.2, _FRU, _SUP, 1.0),
    Cue("waiting", r"(?:sin respuesta|nadie (?:responde|contesta|me ha respondido|nos ha respondido)|"
                   r"(?:todavía|aún|seguimos|sigo) (?:esperando|sin respuesta)|no (?:he|hemos) recibido "
                   r"(?:ninguna )?respuesta|hay alguien)", 1.2, _FRU, _SUP, 1.0),
    Cue("repeated", r"(?:otra vez|de nuevo|nuevamente|(?:segunda|tercera|cuarta) vez|una y otra vez|sigue "
                    r"sin|siempre (?:falla|pasa))", 1.2, _FRU + _DIS, (C.reliability,), 1.0),
    # Seats bought, not users set up: "ampliamos a 25 usuarios más", "añadimos 10 licencias"; "añadan a
    # estos 3 usuarios" is an admin task.
    Cue("expansion", r"(?:añad|agreg|sum|incorpor|ampli)\w* (?:\w+ ){0,2}(?:\d+ )?(?:licencias|puestos|"
                     r"asientos)|(?:añadir|agregar) (?:\w+ )?usuarios|\d+ usuarios más|más (?:usuarios|"
                     r"licencias)", 1.0,
        (E.excitement,), _REN),
    Cue("churn", rf"(?:pensando en|vamos a|queremos|a punto de) cancelar(?! {NOT_THE_SERVICE['es']})|"
                 r"(?:cancelar (?:nuestra|mi|la) "
                 r"(?:suscripción|"
                 r"cuenta|contrato)|no (?:vamos a |voy a )?renovar|cambiar(?:nos)? (?:a otro|de) proveedor|"
                 r"reconsiderando (?:la|nuestra) renovación|dar de baja)",
        1.4, _DIS, _REN, 1.0),
    # Thanks for nothing, or for the failure itself: irony, listed before thanks so it wins at "gracias".
    Cue("sarcasm", r"(?:(?:muchas|mil) )?gracias (?:de nuevo |otra vez )?(?:por (?:nada|absolutamente "
                   r"nada|(?:\w+ ){0,2}?(?:demora|espera|retraso|caída|caida|fallo|falla|error|problema|"
                   r"desastre)s?\b|"
                   r"hacernos esperar|dejarnos (?:sin|tirados)|ignorarnos|nada)|"
                   r"por (?:tanto|toda (?:la|esta))? ?(?:demora|espera))", 1.0, _FRU),
    Cue("gratitude", r"(?:muchas gracias|gracias|se lo agradezco|agradecemos|"
                     r"agradezco|agradecer(?:os|le|les)?|agradecid[oa]s?)", 1.0, (E.gratitude,)),
    Cue("calm", r"sin (?:prisa|apuro|urgencia)|no (?:es|hay) (?:urgente|prisa|apuro)|cuando (?:puedan|pueda|"
                r"tengan tiempo)", 1.0, (), (), -3.0),
    Cue("urgency", r"(?:urgente|urgencia|lo antes posible|cuanto antes|inmediatamente|de inmediato|ya mismo|"
                   r"(?:producción|el sistema|la plataforma|el servicio|la web) (?:está )?caíd[oa]|"
                   r"(?:perdiendo|perdemos) dinero|brecha de seguridad|llámenme "
                   r"hoy)", 1.0, (E.anxiety,), (), 2.5),
    Cue("urgency", r"(?:hoy|ahora|esta tarde|mañana|plazo|fecha límite)", 1.0, (), (), 1.0),
    _lex(r"no funcionan?|no sirven?|no anda|no cargan?|dej(?:ó|aron) de funcionar|"
         r"(?<!no )se (?:nos |me |le )?"
         r"(?:ha |volvió a |vuelve a )?(?:cayó|cae|caen|cayeron|caído|caer|colgó|cuelga|colgado|colgar|"
         r"bloqueó|bloquea|congeló|congela|traba|trabó)|no (?:abren?|arrancan?|responden?|sincronizan?|"
         r"guardan?|exportan?|cargan?)", -2.0, _FRU,
         (C.bug,)),
    _lex(r"(?:pésim[oa]|horrible|terrible|fatal|inaceptable|vergonzoso|desastre|lament(?:able|ablemente)|"
         r"malísim[oa]|malo|mala|peor)", -2.5, (E.anger,)),
    _lex(r"(?:problemas?|error(?:es)?|fallo|fallos|fallas?|caíd[oa]s?|lento|lenta|roto|rota|queja|molest[oa]|"
         r"frustrad[oa]|frustrante|decepcionad[oa]|decepción|enfadad[oa]|enojad[oa]|harto|harta|"
         r"preocupad[oa]|nadie)", -1.6, _FRU),
    _lex(r"(?:excelente|genial|perfecto|perfecta|estupend[oa]|maravillos[oa]|fantástic[oa]|increíble|"
         r"impresionante|rapidísim[oa]|bravo|"
         r"encantad[oa]|me encanta|nos encanta|feliz|felices|content[oa]s?|satisfech[oa]s?|buenísim[oa]|"
         r"(?:ya )?funciona (?:todo )?(?:bien|perfectamente|de maravilla)|ya funciona|(?:qué|de) maravilla|"
         r"solucionado|resuelto|bien|buen|buena|bueno|rápid[oa])",
         2.0, (E.satisfaction,)),
]

GERMAN = [
    *_warm_idioms("de"),
    # The renewal signed: "der Verlängerungsvertrag ist unterschrieben".
    Cue("praise", r"verlängerung\w* (?:\S+ ){0,4}(?:unterschrieben|unterzeichnet|zugestimmt)|"
                  r"(?:unterschrieben|unterzeichnet)\w* (?:\S+ ){0,3}verlängerung|verlängern (?:\S+ ){0,3}um "
                  r"(?:ein|zwei|drei|\d+) jahre?", 1.0, (E.satisfaction,), commits=True),
    # Business coming over to us after a merger or from a rival: staying and growing, never churn.
    Cue("praise", r"(?:wechseln|migrieren|ziehen|bringen|holen|stellen) (?:\S+ ){0,5}(?:zu ihnen|auf ihre "
                  r"(?:plattform|l[öo]sung|software))|standardisier\w+ (?:\S+ ){0,3}auf (?:ihre|eure)|"
                  r"bleibe\w* (?:aber |weiterhin |trotzdem )?(?:ihr|ihre|euer|eure|dein|deine) "
                  r"(?:ansprechpartner\w*|kontakt\w*)", 1.0,
        (E.satisfaction,), commits=True),
    Cue("polite", r"guten (?:tag|morgen|abend)|(?:viele|beste|liebe|freundliche) grüße|danke im voraus"),
    _lex(r"(?:doppelt (?:abgebucht|berechnet)|rückerstattung|zu viel berechnet)", -1.6, _FRU, (C.billing,)),
    Cue("switching", r"(?:wettbewerbers?|konkurren(?:z|ten)|anderen anbieter|(?:deutlich |viel )?günstiger)",
        1.0, _DIS, _REN, 0.5),
    Cue("waiting", r"(?:warte|warten|wir warten|ich warte) (?:jetzt |schon |bereits |seit )*(?:über |mehr "
                   r"als |fast )?(?:\d+|zwei|drei|vier|fünf|mehreren|einigen|vielen) (?:stunden|tagen?|"
                   r"wochen?|monaten?)|seit (?:\d+|zwei|drei|vier|fünf|mehreren|einigen) (?:stunden|tagen|"
                   r"wochen|monaten)",
        1.2, _FRU, _SUP, 1.0),
    Cue("waiting", r"(?:eine|zwei|drei|vier|\d+) (?:woche|wochen|tage) (?:warten wir|warte ich|ohne "
                   r"(?:antwort|rückmeldung))|seit einer woche", 1.2, _FRU, _SUP, 1.0),
    Cue("waiting", r"(?:keine (?:antwort|rückmeldung|reaktion)|niemand (?:antwortet|meldet sich|reagiert)|"
                   r"warten (?:immer )?noch|immer noch keine|ist da jemand)", 1.2, _FRU, _SUP, 1.0),
    Cue("repeated", r"(?:schon wieder|erneut|wieder einmal|(?:zum )?(?:zweiten|dritten|vierten) mal|immer "
                    r"wieder|jedes mal|ständig)", 1.2, _FRU + _DIS, (C.reliability,), 1.0),
    Cue("expansion", r"(?:weitere|zusätzliche|mehr) (?:\d+ )?(?:lizenzen|nutzer|benutzer|plätze|"
                     r"seats)|(?:erweitern|erhöhen|aufstocken|stocken|dazubuchen|hinzufügen)\w* "
                     r"(?:\w+ ){0,3}(?:um |auf )?(?:\d+ )?(?:weitere )?(?:lizenzen|plätze)|auf \d+ "
                     r"(?:lizenzen|nutzer|plätze) (?:erweitern|erhöhen|aufstocken)", 1.0, (E.excitement,),
        _REN),
    Cue("churn", rf"(?:überlegen|erwägen),? (?:zu )?kündigen|"
                 rf"(?:(?<!nicht vor zu )(?<!nicht zu )(?<!nicht )kündigen(?! {NOT_THE_SERVICE['de']})"
                 r"(?!(?: wir| ich)?(?: \w+)? nicht\b)|kündigung|"
                 r"nicht (?:mehr )?verlängern|"
                 r"vertrag (?:nicht )?verlängern|anbieter wechseln|zu einem anderen anbieter|überdenken "
                 r"(?:die|unsere) verlängerung)", 1.4, _DIS,
        _REN, 1.0),
    Cue("sarcasm", r"(?:vielen |herzlichen )?dank(?:e)? (?:auch )?für (?:nichts|gar nichts|rein gar nichts|"
                   r"(?:\w+ ){0,2}?(?:verzögerung|wartezeit|warterei|ausfall|absturz|störung|panne|"
                   r"fehler)(?:en|s)?\b|das warten)", 1.0, _FRU),
    Cue("calm", r"keine eile|nicht (?:so )?dringend|eilt nicht|ohne (?:eile|zeitdruck)|wenn (?:sie|du) "
                r"(?:zeit haben|zeit hast|dazu kommen)", 1.0, (), (), -3.0),
    Cue("gratitude", r"(?:vielen dank|danke(?: schön| sehr)?|herzlichen dank|wir bedanken uns|tausend dank)",
        1.0, (E.gratitude,)),
    Cue("urgency", r"(?:dringend|sofort|umgehend|so schnell wie möglich|asap|schnellstmöglich|(?:produktion|"
                   r"das system|die plattform|der dienst|die seite) (?:ist )?(?:ausgefallen|down|nicht "
                   r"erreichbar)|verlieren geld|sicherheitsvorfall|datenleck|rufen sie mich heute)",
        1.0, (E.anxiety,), (), 2.5),
    Cue("urgency", r"(?:heute|jetzt|morgen|frist|deadline|bis (?:morgen|heute))", 1.0, (), (), 1.0),
    # "Der Export funktioniert seit gestern nicht": a time or a place may come between; "funktioniert ja
    # nicht schlecht" is no failure.
    _lex(r"funktionier(?:t|en) (?:(?!nicht\b)\w+ ){0,3}?nicht(?! (?:schlecht|übel|so schlecht))|geht "
         r"(?:immer noch )?nicht|klappt nicht|(?:lädt|laden) (?:(?!nicht\b)\w+ ){0,2}?nicht(?! nur)|"
         r"ausgefallen|abgestürzt|stürzt (?:\w+ ){0,3}?ab|hängt(?: sich)?(?: auf)?(?! "
         r"(?:jetzt |nun |auch |ja )?(?:nicht|nie|kaum|davon|von|mit|zusammen|an|ab\b))|hängen geblieben|"
         r"friert (?:\w+ )?ein|eingefroren|(?:öffnet|startet|reagiert|synchronisiert|speichert) (?:sich )?"
         r"(?:\w+ )?nicht", -2.0, _FRU, (C.bug,)),
    _lex(r"(?:schrecklich|furchtbar|katastrophal|katastrophe|inakzeptabel|unmöglich|unverschämt|miserabel|"
         r"schlecht|schlechter|schlechteste|ärgerlich|enttäuschend)", -2.5, (E.anger,)),
    _lex(r"(?:problem(?:e)?|fehler|störung(?:en)?|ausfall|ausfälle|absturz|abstürze|langsam|kaputt|beschwerde|"
         r"frustriert|frustrierend|enttäuscht|"
         r"verärgert|wütend|genervt|besorgt|niemand)", -1.6, _FRU),
    _lex(r"(?:ausgezeichnet|hervorragend|großartig|super|toll|perfekt|fantastisch|wunderbar|klasse|spitze|"
         r"beeindruckend|"
         r"zufrieden|begeistert|(?:großes )?lob|"
         r"glücklich|freuen uns|gelöst|behoben|(?:funktioniert|läuft) (?:alles |jetzt |"
         r"wieder )*(?:wieder|einwandfrei|perfekt|gut|super|rund)|einwandfrei|gut|gute[nrms]?|"
         r"schnelle?[nrms]?)",
         2.0, (E.satisfaction,)),
]

FRENCH = [
    *_warm_idioms("fr"),
    # The renewal signed: "vous trouverez ci-joint le contrat de renouvellement signé".
    Cue("praise", r"renouvellement (?:\S+ ){0,3}sign[ée]|(?:avons sign[ée]|signons|sign[ée]) (?:\S+ ){0,4}"
                  r"renouvellement|renouvelons pour", 1.0, (E.satisfaction,), commits=True),
    # Business coming over to us after a merger or from a rival: staying and growing, never churn.
    Cue("praise", r"(?:passons|migrons|basculons|transf[ée]rons|regroupons) (?:\S+ ){0,5}(?:chez vous|sur "
                  r"votre (?:plateforme|solution|outil))|standardis\w+ sur votre|(?:reste|resterai|demeure) "
                  r"(?:votre|ton) (?:contact|interlocut\w+|r[ée]f[ée]rent\w*)", 1.0, (E.satisfaction,),
        commits=True),
    Cue("polite", r"bonjour|bonsoir|(?:bien )?cordialement|bonne (?:journée|soirée)|merci d(?:e |'|’)\w+|"
                  r"merci par avance|merci d'avance"),
    _lex(r"(?:factur[ée]e?s? deux fois|prélev[ée]e?s? deux fois|remboursement)", -1.6, _FRU, (C.billing,)),
    _lex(r"ne (?:peuvent|peut|pouvons|pouvez|peux) (?:plus|pas)", -2.0, _FRU, (C.bug,)),
    Cue("switching", r"(?:solution concurrente|concurrents?|concurrence|autre (?:fournisseur|prestataire)|"
                     r"(?:beaucoup |bien )?moins chère?s?)", 1.0, _DIS, _REN, 0.5),
    Cue("waiting", r"(?:j'attends|nous attendons|on attend|attendons|attends) (?:depuis )?(?:plus de |"
                   r"presque )?(?:\d+|deux|trois|quatre|cinq|plusieurs) (?:heures|jours|semaines|mois)|"
                   r"depuis (?:\d+|deux|trois|quatre|cinq|plusieurs) (?:heures|jours|semaines|"
                   r"mois)", 1.2, _FRU, _SUP, 1.0),
    Cue("waiting", r"(?:aucune nouvelle|sans (?:aucune )?nouvelles?|sans (?:aucun )?retour|(?:une|deux|trois|"
                   r"quatre|\d+) (?:semaines?|jours) (?:que|sans))", 1.2, _FRU, _SUP, 1.0),
    Cue("waiting", r"(?:(?:aucune|pas de) réponse|personne ne (?:répond|nous répond|me répond)|toujours "
                   r"(?:en attente|pas de réponse|rien)|il y a quelqu'un)", 1.2, _FRU, _SUP, 1.0),
    Cue("repeated", r"(?:de nouveau|à nouveau|(?:deuxième|troisième|quatrième) fois|toujours pas|encore une "
                    r"fois)", 1.2, _FRU + _DIS, (C.reliability,), 1.0),
    Cue("expansion", r"ajouter (?:\w+ )?(?:utilisateurs|licences|sièges|postes)|ajout\w* (?:\w+ ){0,2}"
                     r"(?:\d+ )?(?:licences|sièges)|\d+ utilisateurs (?:de plus|supplémentaires)|(?:plus de|"
                     r"davantage de) (?:licences|utilisateurs)", 1.0, (E.excitement,), _REN),
    Cue("churn", r"(?:envisageons|pensons|allons|voulons|sur le point de|prêts à|prêtes à) (?:de |à )?"
                 r"résilier|(?:résilier|résiliation|"
                 r"annuler (?:notre|mon|l') ?(?:abonnement|contrat|compte)|ne (?:pas )?renouveler|pas "
                 r"renouveler|changer de (?:fournisseur|prestataire)|reconsidér(?:er|ons) (?:le|notre) "
                 r"renouvellement)", 1.4, _DIS, _REN, 1.0),
    Cue("sarcasm", r"merci (?:beaucoup |bien |encore )?(?:pour (?:rien|que dalle|(?:\w+ ){0,3}?(?:panne|"
                   r"attente|retard|plantage|bug|erreur|coupure)s?\b)|de (?:nous |m')?avoir fait attendre)",
        1.0, _FRU),
    Cue("calm", r"pas (?:d'urgence|urgent|pressé)|rien d'urgent|sans urgence|quand vous (?:pourrez|aurez le "
                r"temps)", 1.0, (), (), -3.0),
    Cue("gratitude", r"(?:merci beaucoup|merci|nous vous remercions|je vous remercie|vous remercier)", 1.0,
        (E.gratitude,)),
    Cue("urgency", r"(?:urgent|urgence|au plus vite|dès que possible|immédiatement|tout de suite|(?:la "
                   r"production|le système|la plateforme|le service|le site) (?:est )?(?:en panne|hors "
                   r"service|tombée?)|perdons de l'argent|faille de sécurité|appelez-moi "
                   r"aujourd'hui)", 1.0, (E.anxiety,), (), 2.5),
    Cue("urgency", r"(?:aujourd'hui|maintenant|demain|délai|échéance)", 1.0, (), (), 1.0),
    _lex(r"ne (?:fonctionne|marche)(?:nt)? (?:toujours |plus )?(?:pas|plus)|ça ne marche pas|en panne|"
         r"planté|bloqué|(?<!ne )plante(?:nt)?|(?<!ne )crashe?(?:nt)?|ne (?:se )?(?:charge|s'ouvre|s'affiche|"
         r"répond|démarre|synchronise|sauvegarde|lance)(?:nt)? (?:toujours |)(?:plus|pas)|ne charge plus|"
         r"est tombée?|"
         r"(?<!ne )bugue(?:nt)?|fige|figé", -2.0, _FRU, (C.bug,)),
    _lex(r"(?:horrible|terrible|inacceptable|lamentable|catastrophique|catastrophe|nul|nulle|honteux|"
         r"scandaleux|pire|mauvais|mauvaise|déplorable)", -2.5, (E.anger,)),
    _lex(r"(?:problèmes?|erreurs?|pannes?|plantages?|bugs?|lent|lente|cassé|plainte|frustré|frustrant|déçu|"
         r"déçue|déception|"
         r"énervé|fâché|inquiet|inquiète|personne)", -1.6, _FRU),
    _lex(r"(?:excellent|excellente|génial|géniale|parfait|parfaite|super|formidable|fantastique|merveilleux|"
         r"bravo|impressionnant(?:e)?|chapeau|"
         r"ravi|ravie|ravis|content|contente|contents|satisfait|satisfaite|satisfaits|résolu|réglé|"
         r"(?:fonctionne|marche) (?:bien|parfaitement|nickel)|nickel|bien|bon|bonne|rapide|top)", 2.0,
         (E.satisfaction,)),
]

PORTUGUESE = [
    *_warm_idioms("pt"),
    # The renewal signed: "segue em anexo o contrato de renovação devidamente assinado".
    Cue("praise", r"renova[cç][aã]o (?:\S+ ){0,3}assinad[oa]|(?:assinamos|assinado) (?:\S+ ){0,4}"
                  r"renova[cç][aã]o|renovamos por", 1.0, (E.satisfaction,), commits=True),
    # Business coming over to us after a merger or from a rival: staying and growing, never churn.
    Cue("praise", r"(?:migramos|passamos|mudamos|levamos|trazemos|vamos migrar|vamos passar) (?:\S+ ){0,5}"
                  r"(?:para voc[êe]s|para a (?:sua )?plataforma(?: de voc[êe]s)?)|padroniz\w+ (?:em|na|"
                  r"com a) (?:voc[êe]s|(?:sua )?plataforma(?: de voc[êe]s)?|ferramenta de voc[êe]s)|"
                  r"(?:continuo|continuarei|sigo) (?:sendo )?(?:o |a )?(?:seu|sua) (?:contato|ponto de "
                  r"contato|respons[áa]vel)",
        1.0, (E.satisfaction,), commits=True),
    Cue("polite", r"bom dia|boa (?:tarde|noite)|(?:um )?abraço|atenciosamente|obrigad[oa] desde já"),
    _lex(r"(?:cobrad[oa]s? (?:duas vezes|em dobro|a mais)|cobrança (?:duplicada|em dobro)|estorno|reembolso)",
         -1.6, _FRU, (C.billing,)),
    Cue("switching", r"(?:concorrentes?|concorrência|outro fornecedor|(?:bem |muito )?mais barat[oa]s?)",
        1.0, _DIS, _REN, 0.5),
    Cue("waiting", r"(?:esperando|aguardando|espero|aguardo|esperamos|aguardamos) (?:há )?(?:mais de |quase "
                   r")?(?:\d+|dois|duas|três|quatro|cinco|vários|várias) (?:horas|dias|semanas|meses)|há "
                   r"(?:\d+|dois|duas|três|quatro|cinco|vários|várias) (?:horas|dias|semanas|"
                   r"meses)", 1.2, _FRU, _SUP, 1.0),
    Cue("waiting", r"(?:um|uma|dois|duas|três|quatro|\d+) (?:dias?|semanas?|mês|meses) (?:esperando|"
                   r"aguardando|sem)|sem retorno|nenhum retorno|ninguém (?:nos |me )?(?:respondeu|retornou)",
        1.2, _FRU, _SUP, 1.0),
    Cue("waiting", r"(?:sem resposta|ninguém (?:responde|respondeu|retorna)|(?:ainda|continuo|continuamos) "
                   r"(?:esperando|aguardando|sem resposta)|não (?:recebi|recebemos) (?:nenhuma )?resposta|"
                   r"tem alguém)",
        1.2, _FRU, _SUP, 1.0),
    Cue("repeated", r"(?:de novo|novamente|outra vez|(?:segunda|terceira|quarta) vez|sempre (?:falha|"
                    r"acontece)|continua sem)", 1.2, _FRU + _DIS, (C.reliability,), 1.0),
    Cue("expansion", r"(?:adicion|acrescent|ampli|aument)\w* (?:\w+ ){0,2}(?:\d+ )?(?:licenças|assentos)|"
                     r"adicionar (?:\w+ )?usuários|\d+ usuários a mais|mais (?:usuários|licenças)", 1.0,
        (E.excitement,), _REN),
    Cue("churn", rf"(?:pensando em|vamos|queremos|prestes a) cancelar(?! {NOT_THE_SERVICE['pt']})|"
                 r"(?:cancelar (?:nossa|minha|a|o) "
                 r"(?:assinatura|"
                 r"conta|contrato)|não (?:vamos |vou )?renovar|trocar de fornecedor|mudar (?:para outro|de) "
                 r"fornecedor|reconsiderando (?:a|nossa) renovação)",
        1.4, _DIS, _REN, 1.0),
    Cue("sarcasm", r"(?:muito )?obrigad[oa] (?:por nada|por (?:\w+ ){0,2}?(?:demora|espera|atraso|queda|"
                   r"falha|erro|problema)s?\b|pel[ao] (?:\w+ ){0,2}?(?:demora|espera|atraso|queda|falha|"
                   r"erro|problema|descaso)s?\b)|valeu (?:por nada|pel[ao] (?:demora|espera|atraso|queda))",
        1.0, _FRU),
    Cue("calm", r"sem pressa|não (?:é|tem) (?:urgente|pressa)|quando (?:puderem|puder|tiverem tempo)", 1.0,
        (), (), -3.0),
    Cue("gratitude", r"(?:muito obrigad[oa]|obrigad[oa]|agradeço|agradecemos|agradecer|valeu)", 1.0,
        (E.gratitude,)),
    Cue("urgency", r"(?:urgente|urgência|o mais rápido possível|assim que possível|imediatamente|(?:a "
                   r"produção|o sistema|a plataforma|o serviço|o site) (?:está )?(?:fora do ar|caíd[oa]|"
                   r"parad[oa])|perdendo dinheiro|falha de segurança|me liguem hoje|liguem-me "
                   r"hoje)", 1.0, (E.anxiety,), (), 2.5),
    # Before the time words: "agora funciona" is a fix confirmed, not a deadline.
    _lex(r"(?:agora|já) (?:está )?(?:tudo )?funciona(?:ndo)?", 2.0, (E.satisfaction,)),
    Cue("urgency", r"(?:hoje|agora|amanhã|prazo)", 1.0, (), (), 1.0),
    # "O tempo de resposta caiu pela metade" is a number falling, not the system.
    _lex(r"não funcionam?|não (?:está|estão) funcionando|par(?:ou|aram) de funcionar|não carregam?|"
         r"fora do ar|"
         r"(?<!não )caiu(?! (?:pela|para|de \d|em \d|\d|quase|muito|bastante))|"
         r"(?<!não )(?:travou|trava|travando|travad[oa]|congelou|congelando)|deu pau|"
         r"não (?:abrem?|respondem?|sincronizam?|salvam?|exportam?|iniciam?)", -2.0, _FRU,
         (C.bug,)),
    _lex(r"(?:péssim[oa]|horrível|terrível|inaceitável|lamentável|vergonhos[oa]|desastre|ruim|pior)", -2.5,
         (E.anger,)),
    _lex(r"(?:problemas?|erros?|falha|falhas|quedas?|travamentos?|bugs?|lento|lenta|quebrad[oa]|reclamação|"
         r"frustrad[oa]|frustrante|"
         r"decepcionad[oa]|decepção|irritad[oa]|chatead[oa]|preocupad[oa]|ninguém)", -1.6, _FRU),
    _lex(r"(?:excelente|ótim[oa]|perfeit[oa]|maravilhos[oa]|fantástic[oa]|incrível|adorei|adoramos|feliz|"
         r"impressionante|rapidíssim[oa]|"
         r"felizes|satisfeit[oa]s?|content[ea]s?|resolvid[oa]|adorou|adoraram|"
         r"(?:funciona|funcionando) (?:bem|perfeitamente)|deu (?:tudo )?certo|bom|boa|"
         r"rápid[oa]|legal)", 2.0, (E.satisfaction,)),
]

LEXICONS: dict[str, tuple[Cue, ...]] = {
    "es": tuple(SPANISH),
    "de": tuple(GERMAN),
    "fr": tuple(FRENCH),
    "pt": tuple(PORTUGUESE),
}

NEGATOR_RE: dict[str, re.Pattern[str]] = {
    "es": re.compile(r"\b(?:no|nunca|ni|nada|tampoco)\s+(?:\w+\s+)?$", re.IGNORECASE),
    "de": re.compile(r"\b(?:nicht|kein|keine|keinen|nie|niemals)\s+(?:\w+\s+)?$", re.IGNORECASE),
    "fr": re.compile(r"\b(?:pas|ne|n'\w*|jamais|plus|aucun|aucune)\s+(?:\w+\s+)?$", re.IGNORECASE),
    "pt": re.compile(r"\b(?:não|nunca|nem|nada)\s+(?:\w+\s+)?$", re.IGNORECASE),
}

#: Words saying there is none of the trouble named right after them ("cero caídas", "aucune panne", "keine
#: Ausfälle mehr", "nenhuma queda"), at most one word between: the analyzer reads such a problem word as news
#: that the trouble is absent, unless a negation before the absence turns it back ("no hay día sin caídas").
ABSENCE_RE: dict[str, re.Pattern[str]] = {
    "es": re.compile(r"\b(?:cero|ning[uú]n|ninguna|ni (?:un|una)(?: sol[oa])?|sin|ya no (?:hay|hubo|tenemos|"
                     r"tuvimos|hemos tenido)(?: m[aá]s)?(?: ning[uú]n| ninguna)?|no (?:hemos tenido|hubo|"
                     r"tuvimos|ha habido|hay)(?: m[aá]s)?(?: ning[uú]n| ninguna)?|se acabaron (?:los|las)|"
                     r"adi[oó]s a (?:los|las))\s+(?:[\w'-]+\s+)?$", re.IGNORECASE),
    "fr": re.compile(r"(?:\b(?:z[ée]ro|aucun(?:e)?|plus aucun(?:e)?|pas (?:un|une)(?: seul(?:e)?)?|sans|"
                     r"fini les|finis les|n'(?:avons|avez|a|ont) (?:eu|connu) aucun(?:e)?)\s+(?:[\w-]+\s+)?|"
                     r"\b(?:pas|plus|n'(?:avons|avez|a|ont) plus|jamais eu) (?:de |d'))$", re.IGNORECASE),
    "de": re.compile(r"\b(?:null|keinerlei|kein(?:e|en|er|es)?(?: einzige[nrs]?)?|nicht (?:ein(?:e|en)?) "
                     r"(?:einzige[nrs]? )?|ohne)\s+(?:[\w-]+\s+)?$", re.IGNORECASE),
    "pt": re.compile(r"\b(?:zero|nenhum(?:a)?|nem (?:um|uma)(?: s[óo])?(?: [úu]nic[oa])?|sem|n[ãa]o "
                     r"(?:tivemos|temos|houve|h[áa]|tive|teve)(?: mais)?(?: nenhum(?:a)?)?|acabaram(?:-se)? "
                     r"(?:os|as))\s+(?:[\w-]+\s+)?$", re.IGNORECASE),
}
#: A negation before the absence word: "no hay día sin caídas", "pas un jour sans panne", "kein Tag ohne".
DOUBLE_NEGATION_RE: dict[str, re.Pattern[str]] = {
    "es": re.compile(r"\b(?:no|nunca|ni|nada|nadie)\b[^.,;!?\n]*$", re.IGNORECASE),
    "fr": re.compile(r"\b(?:ne|n'|pas|jamais|rien|personne)[^.,;!?\n]*$", re.IGNORECASE),
    "de": re.compile(r"\b(?:nicht|kein\w*|nie|niemals|nichts|niemand)\b[^.,;!?\n]*$", re.IGNORECASE),
    "pt": re.compile(r"\b(?:n[ãa]o|nunca|nem|nada|ningu[ée]m)\b[^.,;!?\n]*$", re.IGNORECASE),
}

#: The customer saying the trouble is on their side ("nuestro SAP se cayó... no es cosa vuestra"): a failure
#: they name is news, not a complaint about us.
OWN_SIDE_RE: dict[str, re.Pattern[str]] = {
    "es": re.compile(r"\b(?:no es (?:cosa|culpa|problema) (?:vuestr[oa]|suy[oa]|de ustedes)|nada que ver con "
                     r"(?:ustedes|vosotros|usted)|(?<!no )(?:es|fue) "
                     r"(?:culpa|cosa|problema) nuestr[oa]|problema nuestro|(?:nuestro|nuestra) (?:erp|sap|"
                     r"servidor|red|proveedor)\b[^.]{0,40}\bno (?:es|tiene que ver))", re.IGNORECASE),
    "pt": re.compile(r"\b(?:problema nosso|(?<!não )(?:é|foi) (?:culpa|problema) nossa?|não é (?:culpa|"
                     r"problema) (?:de vocês|seu|sua|do sistema de vocês)|nada a ver com vocês|(?:é|foi) do "
                     r"nosso lado)", re.IGNORECASE),
    "fr": re.compile(r"(?:(?:c'est|problème|souci) (?:de notre côté|chez nous)|pas (?:de )?votre faute|"
                     r"rien à voir avec vous|vien(?:t|nent) de (?:chez nous|notre côté)|"
                     r"(?<!pas )(?:notre|la) faute|ne vient pas de (?:chez )?vous)", re.IGNORECASE),
    "de": re.compile(r"\b(?:(?<!nicht )unser (?:problem|fehler)|(?:liegt|lag) (?:an|bei) uns|liegt nicht an "
                     r"(?:ihnen|euch)|nichts mit (?:ihnen|euch) zu tun|nicht (?:ihr|euer|eure) "
                     r"(?:fehler|problem|schuld)|nicht (?:ihre|eure) schuld)", re.IGNORECASE),
}

#: Words naming the people who help them, not the product ("el equipo de soporte", "votre équipe", "Ihre
#: Kollegen", "o pessoal do suporte", "vocês são"): praise said of them is kindness, not news that a thing
#: works.
PEOPLE_RE: dict[str, re.Pattern[str]] = {
    "es": re.compile(r"\b(?:equipo|soporte|gente|personal|compañer[oa]s?|atención al cliente|agentes?|"
                     r"ustedes son|sois|(?:tu|su|vuestr[oa]) (?:ayuda|trato|amabilidad|paciencia))\b",
                     re.IGNORECASE),
    "fr": re.compile(r"\b(?:équipes?|support|collègues?|service client|conseill(?:er|ère)s?|agents?|"
                     r"vous êtes|(?:votre|ton|vos) (?:aide|patience|gentillesse|accueil))\b", re.IGNORECASE),
    "de": re.compile(r"\b(?:team|support(?:-?team)?|kolleg(?:e|en|in|innen)|mitarbeiter(?:in|innen)?|"
                     r"kundendienst|kundenservice|ihr seid|sie sind|(?:ihre|eure|deine) (?:hilfe|geduld|"
                     r"freundlichkeit))\b", re.IGNORECASE),
    "pt": re.compile(r"\b(?:equipe|equipa|suporte|pessoal|atendimento|atendentes?|colegas|vocês são|"
                     r"(?:sua|a) (?:ajuda|paciência|gentileza) de vocês)\b", re.IGNORECASE),
}

_DAYS_ES = r"(?:lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo)"
_DAYS_FR = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_DAYS_DE = r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)"
_DAYS_PT = r"(?:segunda|terça|terca|quarta|quinta|sexta)(?:-feira)?|sábado|sabado|domingo"

#: Deadlines written as one, (within about two days, within about a week): cs-signals makes the first high
#: and the second medium. A date said without "by" ("la llamada del lunes") is when, not by when.
DEADLINE_RE: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "es": (
        # "Hasta hoy" is "to this day" ("hasta hoy no llegó"), no deadline.
        re.compile(r"\b(?:antes de|para) (?:(?:el )?final del día|fin del día|hoy|esta (?:tarde|noche)|"
                   r"mañana(?! por la)|mediodía)\b|\bhoy mismo\b|\ben (?:las próximas )?(?:24|48) horas\b",
                   re.IGNORECASE),
        # "Pasar la reunión del martes para el jueves" moves a date: "para el <day>" is no deadline.
        re.compile(rf"\b(?:antes del?|hasta el) (?:{_DAYS_ES}|fin de semana)\b|"
                   rf"\b(?:antes de|para) (?:el )?(?:fin(?:al)? de )?(?:esta )?semana\b|"
                   rf"\b(?:la|el) (?:auditoría|lanzamiento|salida en vivo|go-?live|cierre|demo) "
                   rf"(?:es|será|del?) (?:el )?{_DAYS_ES}\b", re.IGNORECASE),
    ),
    "fr": (
        re.compile(r"\b(?:d'ici|avant|pour) (?:ce soir|demain|la fin de (?:la )?journée|aujourd'hui|midi)\b|"
                   r"\bd'ici (?:24|48) ?h(?:eures)?\b|\bdans les (?:24|48) (?:prochaines )?heures\b",
                   re.IGNORECASE),
        re.compile(rf"\b(?:d'ici|avant) (?:le )?(?:{_DAYS_FR}|la fin de (?:la )?semaine)\b|"
                   rf"\b(?:l'audit|le lancement|la mise en production|le go-?live|la clôture) "
                   rf"(?:est |aura lieu )?(?:prévue? )?(?:le )?{_DAYS_FR}\b", re.IGNORECASE),
    ),
    "de": (
        re.compile(r"\b(?:bis|vor|spätestens) (?:(?:spätestens|zum) )?(?:heute(?: abend)?|morgen(?: früh)?|"
                   r"feierabend|tagesende|ende des tages|mittag)\b|\binnerhalb (?:von )?(?:24|48) stunden\b",
                   re.IGNORECASE),
        re.compile(rf"\b(?:bis|vor|spätestens)(?: (?:zum|spätestens|am))? (?:kommenden )?"
                   rf"(?:{_DAYS_DE}|wochenende|ende der woche)\b", re.IGNORECASE),
    ),
    "pt": (
        # "Até hoje" is "to this day" ("o estorno até hoje não caiu"), no deadline.
        re.compile(r"\b(?:até|antes d[eo]|para) (?:amanhã|o fim do dia|o final do dia|o fim do expediente|"
                   r"o meio-dia)\b|\b(?:para|antes de) hoje\b|\bem (?:24|48) horas\b", re.IGNORECASE),
        # "Passar a reunião de terça para quinta" moves a date: "para <day>" is no deadline.
        re.compile(rf"\b(?:até|antes d[ae]) (?:a |o )?(?:{_DAYS_PT}|fim de semana|final da semana)\b",
                   re.IGNORECASE),
    ),
}
#: Words that ask for something to be done ("por favor", "merci de", "bitte", "precisamos").
REQUEST_RE: dict[str, re.Pattern[str]] = {
    "es": re.compile(r"\b(?:por favor|necesit\w+|pued(?:en|e|es)|podr[ií]a[ns]?|favor de|les pido|"
                     r"agradecer[ií]a(?:mos)?|den de alta|añadan|agreguen|corrijan|envíen)\b", re.IGNORECASE),
    "fr": re.compile(r"(?:\bmerci d(?:e |'|’)|\bpouvez|\bpourriez|\bil (?:nous|me) faut|\bbesoin|"
                     r"s'il vous pla[iî]t|\bsvp\b|\bveuillez)", re.IGNORECASE),
    "de": re.compile(r"\b(?:bitte|können sie|könnten sie|kannst du|könntest du|brauchen|benötigen)\b",
                     re.IGNORECASE),
    "pt": re.compile(r"\b(?:por favor|precis\w+|podem|poderiam|pode|favor|adicionem|corrijam|enviem)\b",
                     re.IGNORECASE),
}


@cache
def matcher(language: str) -> PhraseMatcher:
    """The cue matcher of one of `LEXICONS`' languages, built on first use."""
    return PhraseMatcher(LEXICONS[language])

#: "Merci de nous renvoyer la facture" asks; "merci de votre aide", "merci d'avance" thank.
_ASKING_WORDS = {
    "fr": r"\bmerci d(?:e |'|’)(?:me |m'|m’|nous |bien vouloir |\w+(?:er|ir|re)\b)(?<!\bvotre)|"
          r"\bpouvez|\bpourriez|\bil (?:nous|me) faut|\bbesoin|s(?:'|’)il vous pla[iî]t|\bsvp\b|\bveuillez",
}

#: A question or a request in the message: a question mark (or Spanish's opening one), a sentence opening
#: the way a question does ("Können Sie", "Est-ce que", "Tem como"), or `REQUEST_RE`'s words. Openers that
#: as often start a statement ("Como combinado", "Wie besprochen", "Was" as a past tense) are left out.
ASKING_RE: dict[str, re.Pattern[str]] = {
    language: re.compile(
        rf"[?¿]|(?:^|[.!]\s+)(?:{openers})\b|{_ASKING_WORDS.get(language, REQUEST_RE[language].pattern)}",
        re.IGNORECASE | re.MULTILINE,
    )
    for language, openers in {
        "es": r"cómo|dónde|cuándo|cuál|qué (?:hago|hacemos|debo|debemos|pasa|pasó)|es posible|hay (?:forma|"
              r"manera)|se puede",
        "fr": r"comment|où|quand|pourquoi|est-ce que|est-il possible|serait-il possible|peut-on",
        "de": r"wann|wo|warum|wieso|können|könnten|kann man|gibt es|ist es möglich|wäre es möglich",
        "pt": r"onde|quando|por que|como (?:faço|fazemos|posso|podemos)|tem como|é possível|dá para|dá pra",
    }.items()
}
