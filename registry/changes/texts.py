"""The words of the respond pages, in Romanian and English (the client's language)."""

from __future__ import annotations

FIELD_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "status": "status",
        "services": "services concerned",
        "locations": "locations and transfer safeguards",
        "purpose": "description of the processing",
        "category": "category",
        "data_categories": "categories of personal data",
        "data_subjects": "categories of data subjects",
        "dpf_certified": "Data Privacy Framework certification",
        "dpf_recheck_on": "Data Privacy Framework recheck date",
        "legal_name": "legal name",
        "address": "address",
        "contact": "contact person",
        "website": "website",
    },
    "ro": {
        "status": "statut",
        "services": "serviciile vizate",
        "locations": "locațiile și garanțiile pentru transfer",
        "purpose": "descrierea prelucrării",
        "category": "categoria",
        "data_categories": "categoriile de date cu caracter personal",
        "data_subjects": "categoriile de persoane vizate",
        "dpf_certified": "certificarea în Cadrul privind confidențialitatea datelor UE-SUA",
        "dpf_recheck_on": "data reverificării certificării",
        "legal_name": "denumirea legală",
        "address": "adresa",
        "contact": "persoana de contact",
        "website": "site-ul web",
    },
}
"""What an `update` change touches, in words a client reads (fields not listed are shown as they are)."""

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Change to our sub-processors",
        "intro": "{processor} informs you, as required by Art. 28(2) GDPR and your data processing agreement, of "
        "an intended change to the sub-processors that process personal data on your behalf.",
        "intro_anonymous": "We inform you, as required by Art. 28(2) GDPR and your data processing agreement, of an "
        "intended change to the sub-processors that process personal data on your behalf.",
        "for_client": "For",
        "what": "What changes",
        "summary": "Summary",
        "reason": "Why",
        "replaces": "Replaces",
        "changed_fields": "What is changed",
        "who": "Who",
        "legal_name": "Legal name",
        "registration_id": "Registration number",
        "address": "Address",
        "country": "Country",
        "website": "Website",
        "contact": "Contact person",
        "processing": "Processing",
        "purpose": "Description of the processing",
        "data_categories": "Categories of personal data",
        "data_subjects": "Categories of data subjects",
        "certifications": "Certifications",
        "where": "Where the data is processed",
        "location": "Location",
        "role": "Role",
        "safeguard": "Transfer safeguard",
        "dates": "Dates",
        "effective_on": "Takes effect on",
        "deadline": "Your deadline to answer",
        "urgent": "Urgent replacement (security or continuity)",
        "general": "Under your general written authorisation you may object to this change until {deadline}. If you "
        "do not object by then, the change is considered accepted.",
        "urgent_general": "Because this is an urgent replacement (Clause 5.3 of your data processing "
        "agreement), {name} starts processing your data on {effective_on}, before your deadline. You keep "
        "your full period to object. If you object, {name} stops processing your data from the day we receive your "
        "objection until it is resolved.",
        "specific": "Under your specific written authorisation this change needs your prior approval. Please approve "
        "or refuse it by {deadline}. Without your approval the sub-processor will not be used for your data.",
        "your_answer": "Your answer",
        "current_answer": "Answer recorded on {when} by {name}: {answer}.",
        "recorded": "Thank you: your answer was recorded and a confirmation was sent to the email address you gave.",
        "change_answer": "You may change your answer until the deadline; the last answer counts.",
        "answer_object": "objection",
        "answer_approve": "approval",
        "answer_refuse": "refusal",
        "answer_accept": "objection withdrawn",
        "withdraw_legend": "Withdraw your objection",
        "withdraw": "If you no longer object, the change will apply to your data from its effective date.",
        "submit_withdraw": "Withdraw the objection",
        "object_legend": "Object to this change",
        "approve_legend": "Approve or refuse this change",
        "approve": "I approve this change",
        "refuse": "I refuse this change",
        "name": "Your name",
        "email": "Your email address",
        "objection_reason": "Reasons for the objection",
        "refusal_reason": "Reasons (optional)",
        "submit_object": "Send the objection",
        "submit_answer": "Send the answer",
        "error_summary": "Please correct the fields marked below.",
        "required": "Required.",
        "bad_email": "Give a valid email address.",
        "bad_answer": "Choose an answer.",
        "none": "not given",
        "expired_title": "This link has expired",
        "expired": "The deadline to answer this change was {deadline}. {consequence} Please contact us if you still "
        "wish to discuss it.",
        "expired_objection": "Your objection stands: the change will not apply to your data until our legal team has "
        "resolved it with you, even once it takes effect on {effective_on}. We will tell you how it is resolved.",
        "expired_excluded": "As our legal team told you, the change will not apply to your data.",
        "expired_applies": "As you answered, the change will apply to your data from {effective_on}.",
        "expired_silence": "You did not object by then, so the change is considered accepted: it will apply to your "
        "data from {effective_on}.",
        "expired_refused": "You refused this change:",
        "expired_no_approval": "You did not approve this change by then:",
        "expired_without": "{name} will not be used for your data.",
        "expired_without_update": "{name} will stop processing your data on {effective_on} (its old terms cannot be "
        "kept for you alone), and we will contact you about how your service continues.",
        "expired_without_replace": "{name} will not be used for your data, while {replaces} stops on {effective_on} "
        "for everyone: we will contact you about how your service continues.",
        "effective_title": "This change has taken effect",
        "effective": "The change took effect on {effective_on}, so answers are no longer taken here. Please contact "
        "us if you wish to discuss it.",
        "held_title": "Your objection holds this change for you",
        "held": "The change took effect on {effective_on}, but not for your data: until our legal team has resolved "
        "your objection with you, it does not apply to you. We will tell you how it is resolved.",
        "not_applied_title": "This change has taken effect",
        "not_applied": "The change took effect on {effective_on}, but it does not apply to your data; answers are no "
        "longer taken here. Please contact us if you wish to discuss it.",
        "information_title": "For your information",
        "information": "We stop using {name} as a sub-processor from {effective_on}. It will no longer process your "
        "data; you need not do anything.",
        "withdrawn_title": "This change was withdrawn",
        "withdrawn": "The change was withdrawn and will not take effect. There is nothing to answer.",
        "unknown_title": "This link is not valid",
        "unknown": "The link is incomplete or unknown. Please use the link from the notice you received, "
        "exactly as it was sent.",
        "pending_sent": "Your answer is not recorded yet. This link was sent to {to}, so we have asked {to} by "
        "email to confirm it: it counts once confirmed, if that is by your deadline.",
        "pending_sent_any": "Your answer is not recorded yet. We have asked the contacts of {client} who receive our "
        "notices to confirm it by email: it counts once one of them confirms it, if that is by your deadline.",
        "bound_hint": "This link was sent to {to}. An answer under any other email address counts only once {to} "
        "confirms it.",
        "unbound_hint": "An answer through this link counts once a contact of {client} who receives our notices "
        "confirms it.",
        "confirm_title": "Confirm an answer",
        "confirm_intro": "{name} <{email}> gave this answer in the name of {client}. The answer counts only if you "
        "confirm it by the deadline.",
        "confirm_answer": "Answer",
        "confirm_reason": "Reasons given",
        "confirm_button": "Confirm this answer",
        "confirm_ignore": "If you do not know this person or do not agree, do not confirm: nothing is recorded.",
        "confirmed_title": "The answer is recorded",
        "confirmed": "Thank you: the answer is confirmed and recorded, and we sent a receipt to the person who gave "
        "it.",
        "confirm_superseded_title": "A later answer counts",
        "confirm_superseded": "The client answered again after this answer was given, so the later answer counts "
        "and this one is not recorded.",
        "confirm_unknown_title": "This confirmation link is not valid",
        "confirm_unknown": "The link is incomplete, unknown or older than 7 days. The answer it stands for is not "
        "recorded; it can be given again through the link in our notice.",
        "stale_title": "The form has expired",
        "stale": "For your security the form is valid for a limited time. Please open the link again and resend "
        "your answer.",
        "reload": "Open the page again",
    },
    "ro": {
        "title": "Modificare a listei de sub-împuterniciți",
        "intro": "{processor} vă informează, în conformitate cu art. 28 alin. (2) din RGPD și cu acordul de prelucrare "
        "a datelor, cu privire la o modificare preconizată a listei sub-împuterniciților (persoane împuternicite "
        "secundare) care prelucrează date cu caracter personal în numele dumneavoastră.",
        "intro_anonymous": "Vă informăm, în conformitate cu art. 28 alin. (2) din RGPD și cu acordul de prelucrare a "
        "datelor, cu privire la o modificare preconizată a listei sub-împuterniciților (persoane împuternicite "
        "secundare) care prelucrează date cu caracter personal în numele dumneavoastră.",
        "for_client": "Pentru",
        "what": "Ce se modifică",
        "summary": "Pe scurt",
        "reason": "Motivul",
        "replaces": "Înlocuiește",
        "changed_fields": "Ce se schimbă",
        "who": "Cine",
        "legal_name": "Denumire",
        "registration_id": "Număr de înregistrare",
        "address": "Adresă",
        "country": "Țară",
        "website": "Site web",
        "contact": "Persoană de contact",
        "processing": "Prelucrarea",
        "purpose": "Descrierea prelucrării",
        "data_categories": "Categorii de date cu caracter personal",
        "data_subjects": "Categorii de persoane vizate",
        "certifications": "Certificări",
        "where": "Unde sunt prelucrate datele",
        "location": "Locație",
        "role": "Rol",
        "safeguard": "Garanții pentru transfer",
        "dates": "Termene",
        "effective_on": "Se aplică de la",
        "deadline": "Termenul dumneavoastră de răspuns",
        "urgent": "Înlocuire urgentă (securitate sau continuitate)",
        "general": "În baza autorizației scrise generale, puteți formula obiecții la această modificare până la "
        "{deadline}. Dacă nu formulați obiecții până atunci, modificarea se consideră acceptată.",
        "urgent_general": "Întrucât este o înlocuire urgentă (art. 5.3 din Acordul de prelucrare "
        "a datelor), {name} începe să vă prelucreze datele la {effective_on}, înainte de împlinirea "
        "termenului dumneavoastră. Păstrați întregul termen pentru a formula obiecții. Dacă formulați obiecții, {name} "
        "încetează să vă prelucreze datele din ziua în care primim obiecția, până la soluționarea acesteia.",
        "specific": "În baza autorizației scrise specifice, această modificare are nevoie de aprobarea "
        "dumneavoastră prealabilă. Vă rugăm să o aprobați sau să o refuzați până la {deadline}. Fără aprobarea "
        "dumneavoastră, sub-împuternicitul nu va fi folosit pentru datele dumneavoastră.",
        "your_answer": "Răspunsul dumneavoastră",
        "current_answer": "Răspuns înregistrat la {when} de {name}: {answer}.",
        "recorded": "Vă mulțumim: răspunsul a fost înregistrat, iar o confirmare a fost trimisă la adresa de e-mail "
        "indicată.",
        "change_answer": "Puteți modifica răspunsul până la termen; contează ultimul răspuns.",
        "answer_object": "obiecție",
        "answer_approve": "aprobare",
        "answer_refuse": "refuz",
        "answer_accept": "obiecție retrasă",
        "withdraw_legend": "Retrageți obiecția",
        "withdraw": "Dacă nu mai aveți obiecții, modificarea se va aplica datelor dumneavoastră de la data la care "
        "se aplică.",
        "submit_withdraw": "Retrageți obiecția",
        "object_legend": "Formulați obiecții la această modificare",
        "approve_legend": "Aprobați sau refuzați această modificare",
        "approve": "Aprob această modificare",
        "refuse": "Refuz această modificare",
        "name": "Numele dumneavoastră",
        "email": "Adresa dumneavoastră de e-mail",
        "objection_reason": "Motivele obiecției",
        "refusal_reason": "Motive (opțional)",
        "submit_object": "Trimiteți obiecția",
        "submit_answer": "Trimiteți răspunsul",
        "error_summary": "Vă rugăm să corectați câmpurile marcate mai jos.",
        "required": "Câmp obligatoriu.",
        "bad_email": "Indicați o adresă de e-mail validă.",
        "bad_answer": "Alegeți un răspuns.",
        "none": "neprecizat",
        "expired_title": "Acest link a expirat",
        "expired": "Termenul de răspuns pentru această modificare s-a împlinit la {deadline}. {consequence} "
        "Vă rugăm să ne contactați dacă doriți totuși să o discutăm.",
        "expired_objection": "Obiecția dumneavoastră se menține: modificarea nu se va aplica datelor dumneavoastră "
        "până când echipa noastră juridică o soluționează împreună cu dumneavoastră, chiar dacă altor clienți "
        "li se aplică de la {effective_on}. Vă vom comunica modul de soluționare.",
        "expired_excluded": "Așa cum v-a comunicat echipa noastră juridică, modificarea nu se va aplica datelor "
        "dumneavoastră.",
        "expired_applies": "Conform răspunsului dumneavoastră, modificarea se va aplica datelor dumneavoastră de la "
        "{effective_on}.",
        "expired_silence": "Nu ați formulat obiecții până la acest termen, astfel că modificarea se consideră "
        "acceptată: se va aplica datelor dumneavoastră de la {effective_on}.",
        "expired_refused": "Ați refuzat această modificare:",
        "expired_no_approval": "Nu ați aprobat această modificare până la acest termen:",
        "expired_without": "{name} nu va fi folosit pentru datele dumneavoastră.",
        "expired_without_update": "{name} nu vă va mai prelucra datele de la {effective_on} (condițiile anterioare "
        "nu pot fi păstrate doar pentru dumneavoastră), iar noi vă vom contacta privind continuarea serviciului.",
        "expired_without_replace": "{name} nu va fi folosit pentru datele dumneavoastră, iar {replaces} încetează la "
        "{effective_on} pentru toți clienții: vă vom contacta privind continuarea serviciului.",
        "effective_title": "Această modificare se aplică",
        "effective": "Modificarea se aplică de la {effective_on}, astfel că răspunsurile nu mai sunt primite "
        "aici. Vă rugăm să ne contactați dacă doriți să o discutăm.",
        "held_title": "Obiecția dumneavoastră suspendă această modificare pentru dumneavoastră",
        "held": "Modificarea se aplică de la {effective_on}, dar nu și datelor dumneavoastră: până când "
        "echipa noastră juridică soluționează obiecția împreună cu dumneavoastră, ea nu vi se aplică. Vă vom comunica "
        "modul de soluționare.",
        "not_applied_title": "Această modificare se aplică altor clienți",
        "not_applied": "Modificarea se aplică de la {effective_on}, dar nu și datelor dumneavoastră; "
        "răspunsurile nu mai sunt primite aici. Vă rugăm să ne contactați dacă doriți să o discutăm.",
        "information_title": "Pentru informarea dumneavoastră",
        "information": "Nu mai folosim {name} ca sub-împuternicit începând cu {effective_on}. Acesta nu vă va mai "
        "prelucra datele; nu este nevoie să faceți nimic.",
        "withdrawn_title": "Această modificare a fost retrasă",
        "withdrawn": "Modificarea a fost retrasă și nu se va aplica. Nu este nevoie de niciun răspuns.",
        "unknown_title": "Acest link nu este valid",
        "unknown": "Linkul este incomplet sau necunoscut. Vă rugăm să folosiți linkul din notificarea primită, "
        "exact cum a fost trimis.",
        "pending_sent": "Răspunsul nu este încă înregistrat. Acest link a fost trimis la {to}, așa că am solicitat "
        "prin e-mail confirmarea de la {to}: răspunsul produce efecte după confirmare, dacă aceasta are loc cel "
        "târziu la împlinirea termenului.",
        "pending_sent_any": "Răspunsul nu este încă înregistrat. Am solicitat prin e-mail persoanelor de contact ale "
        "{client} care primesc notificările noastre să îl confirme: produce efecte după ce una dintre ele îl "
        "confirmă, dacă aceasta are loc cel târziu la împlinirea termenului.",
        "bound_hint": "Acest link a fost trimis la {to}. Un răspuns dat sub o altă adresă de e-mail produce efecte "
        "numai după ce {to} îl confirmă.",
        "unbound_hint": "Un răspuns dat prin acest link produce efecte după confirmarea unei persoane de contact a "
        "{client} care primește notificările noastre.",
        "confirm_title": "Confirmați un răspuns",
        "confirm_intro": "{name} <{email}> a dat acest răspuns în numele {client}. Răspunsul produce efecte numai "
        "dacă îl confirmați până la împlinirea termenului.",
        "confirm_answer": "Răspuns",
        "confirm_reason": "Motivele invocate",
        "confirm_button": "Confirm acest răspuns",
        "confirm_ignore": "Dacă nu cunoașteți această persoană sau nu sunteți de acord, nu confirmați: nu se "
        "înregistrează nimic.",
        "confirmed_title": "Răspunsul este înregistrat",
        "confirmed": "Vă mulțumim: răspunsul a fost confirmat și înregistrat, iar persoanei care l-a dat i-am trimis "
        "o confirmare de primire.",
        "confirm_superseded_title": "Contează un răspuns ulterior",
        "confirm_superseded": "Clientul a răspuns din nou după acest răspuns, astfel că produce efecte răspunsul "
        "ulterior, iar acesta nu se înregistrează.",
        "confirm_unknown_title": "Acest link de confirmare nu este valid",
        "confirm_unknown": "Linkul este incomplet, necunoscut sau mai vechi de 7 zile. Răspunsul nu este înregistrat; "
        "poate fi dat din nou prin linkul din notificarea noastră.",
        "stale_title": "Formularul a expirat",
        "stale": "Pentru siguranța dumneavoastră, formularul este valabil un timp limitat. Vă rugăm să deschideți "
        "din nou linkul și să retrimiteți răspunsul.",
        "reload": "Deschideți din nou pagina",
    },
}
