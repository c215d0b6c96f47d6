"""Generate the Word DPA templates `contracts/dpa.ro.docx` and `contracts/dpa.en.docx`.

The legal text lives in this file, as data (one list of blocks per language), so that every change to the
wording is reviewable in git. One builder turns a list of blocks into a docxtpl template.

    python contracts/build.py

Template rules (see contracts/README.md and docs/dpa-context.md):
- only the variables of docs/dpa-context.md; no filters or code beyond variable access, `if`, `for`, `not`,
  `==` and `loop.index`;
- each paragraph's text is written in ONE run, so a Jinja tag is never split across runs;
- `{%p ... %}` tags (paragraph-level if/for) are alone in their own paragraph, `{%tr ... %}` tags (table-row
  loops) alone in a row of their own;
- `{{ processor.toms }}` (a docxtpl Listing) is alone in its paragraph.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # core properties created/modified: reproducible output
ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # timestamp of every part inside the .docx archive
TEXT_WIDTH_CM = 16.6  # A4 (21 cm) minus 2 x 2.2 cm margins

# --------------------------------------------------------------------------------------------------------------
# Blocks: the vocabulary the legal text is written in
# --------------------------------------------------------------------------------------------------------------

Kind = Literal["title", "subtitle", "h1", "h2", "annex", "p", "item", "bullet", "tag", "listing"]
Cell = str | tuple[str, ...]  # a tuple is one cell made of several paragraphs


@dataclass(frozen=True)
class Para:
    """One paragraph. `lead` is an optional bold lead-in (plain text, never a template tag)."""

    kind: Kind
    text: str
    lead: str = ""


@dataclass(frozen=True)
class Table:
    """A table. With `loop` (e.g. "sp in subprocessors"), `rows` are repeated once per item via {%tr for %}."""

    widths: tuple[float, ...]  # column widths in cm
    rows: tuple[tuple[Cell, ...], ...]
    header: tuple[str, ...] = ()
    loop: str = ""
    borders: bool = True


Block = Para | Table


def _clean(text: str) -> str:
    """Collapse the source-code line wrapping of a paragraph into single spaces."""
    return " ".join(text.split())


def title(text: str) -> Para:
    return Para("title", _clean(text))


def subtitle(text: str) -> Para:
    return Para("subtitle", _clean(text))


def h1(text: str) -> Para:
    return Para("h1", _clean(text))


def h2(text: str) -> Para:
    return Para("h2", _clean(text))


def annex(text: str) -> Para:
    """Heading 1 starting on a new page."""
    return Para("annex", _clean(text))


def p(text: str, lead: str = "") -> Para:
    return Para("p", _clean(text), _clean(lead))


def item(text: str, lead: str = "") -> Para:
    """Indented paragraph: enumerations (a), (b), ... and definitions."""
    return Para("item", _clean(text), _clean(lead))


def bullet(text: str) -> Para:
    return Para("bullet", _clean(text))


def tag(statement: str) -> Para:
    """A docxtpl paragraph-level tag ({%p if ... %}, {%p for ... %}): a paragraph of its own."""
    return Para("tag", "{%p " + statement + " %}")


def listing(variable: str) -> Para:
    """A multi-line docxtpl Listing, alone in its paragraph."""
    return Para("listing", "{{ " + variable + " }}")


ELSE = tag("else")
ENDIF = tag("endif")
ENDFOR = tag("endfor")
IF_GENERAL = tag('if agreement.authorization == "general"')


# --------------------------------------------------------------------------------------------------------------
# Romanian text
# --------------------------------------------------------------------------------------------------------------

RO: list[Block] = [
    title("Acord de prelucrare a datelor cu caracter personal"),
    subtitle("încheiat în temeiul art. 28 alin. (3) din Regulamentul (UE) 2016/679"),
    subtitle("Nr. {{ agreement.number }} | Versiunea {{ agreement.version }} | Data: {{ agreement.date }}"),
    h1("Părțile"),
    p("Prezentul acord de prelucrare a datelor cu caracter personal („Acordul”) se încheie între:"),
    item(
        """{{ client.legal_name }}, cu sediul în {{ client.address }}, {{ client.country_name }}{% if
        client.registration_number %}, număr de înregistrare {{ client.registration_number }}{% endif %}{% if
        client.vat_id %}, cod de identificare fiscală {{ client.vat_id }}{% endif %}, reprezentată prin
        {{ client.signatory.name }}, în calitate de {{ client.signatory.title }}, denumită în continuare
        „Operatorul”,""",
        "1.",
    ),
    p("și"),
    item(
        """{{ processor.legal_name }}, cu sediul în {{ processor.address }}, număr de înregistrare
        {{ processor.registration_number }}, cod de identificare fiscală {{ processor.vat_id }}, e-mail
        {{ processor.email }}, telefon {{ processor.phone }}, reprezentată prin
        {{ processor.representative.name }}, în calitate de {{ processor.representative.title }}, denumită în
        continuare „Persoana împuternicită”,""",
        "2.",
    ),
    p("denumite în continuare împreună „Părțile” și fiecare în parte „Partea”."),
    h1("Preambul"),
    item(
        """Persoana împuternicită furnizează Operatorului serviciile descrise la art. 2 și în Anexa I
        („Serviciile”), în baza contractului, a comenzii sau a termenilor și condițiilor acceptate de Părți
        pentru furnizarea acestora („Contractul principal”).""",
        "(A)",
    ),
    item(
        """În cadrul furnizării Serviciilor, Persoana împuternicită prelucrează date cu caracter personal în
        numele Operatorului, care stabilește scopurile și mijloacele prelucrării.""",
        "(B)",
    ),
    item(
        """Potrivit art. 28 alin. (3) din Regulamentul (UE) 2016/679, prelucrarea efectuată de o persoană
        împuternicită de operator este reglementată printr-un contract care are caracter obligatoriu pentru
        aceasta și care stabilește obiectul, durata, natura și scopul prelucrării, tipul de date cu caracter
        personal, categoriile de persoane vizate, precum și drepturile și obligațiile operatorului.""",
        "(C)",
    ),
    item(
        """Prezenta versiune ({{ agreement.version }}) a Acordului nr. {{ agreement.number }} înlocuiește, de la
        data intrării sale în vigoare, orice versiune anterioară a acestuia încheiată între Părți.""",
        "(D)",
    ),
    p("Având în vedere cele de mai sus, Părțile convin următoarele:"),
    # 1 ------------------------------------------------------------------------------------------------------
    h1("1. Definiții și interpretare"),
    p(
        """Termenii „operator”, „persoană împuternicită de operator”, „date cu caracter personal”, „prelucrare”,
        „persoană vizată”, „încălcarea securității datelor cu caracter personal”, „categorii speciale de date
        cu caracter personal” și „autoritate de supraveghere” au înțelesul prevăzut de GDPR. În plus, în
        prezentul Acord:""",
        "1.1.",
    ),
    item(
        """înseamnă Regulamentul (UE) 2016/679 al Parlamentului European și al Consiliului din 27 aprilie 2016
        privind protecția persoanelor fizice în ceea ce privește prelucrarea datelor cu caracter personal și
        privind libera circulație a acestor date și de abrogare a Directivei 95/46/CE (Regulamentul general
        privind protecția datelor);""",
        "„GDPR”",
    ),
    item(
        """înseamnă GDPR, Legea nr. 190/2018 privind măsuri de punere în aplicare a GDPR, precum și orice alt act
        normativ al Uniunii Europene sau al unui stat membru aplicabil prelucrării Datelor;""",
        "„Legislația privind protecția datelor”",
    ),
    item(
        """înseamnă datele cu caracter personal prelucrate de Persoana împuternicită în numele Operatorului în
        legătură cu Serviciile, astfel cum sunt descrise în Anexa I;""",
        "„Datele”",
    ),
    item(
        """înseamnă orice altă persoană împuternicită de operator, în sensul art. 28 alin. (2) și (4) din GDPR,
        pe care Persoana împuternicită o recrutează pentru a desfășura activități specifice de prelucrare a
        Datelor în numele Operatorului;""",
        "„Sub-împuternicit”",
    ),
    item("înseamnă Spațiul Economic European;", "„SEE”"),
    item("înseamnă orice stat din afara SEE;", "„Țară terță”"),
    item(
        """înseamnă clauzele contractuale standard pentru transferul datelor cu caracter personal către țări
        terțe, adoptate prin Decizia de punere în aplicare (UE) 2021/914 a Comisiei din 4 iunie 2021;""",
        "„Clauzele contractuale standard”",
    ),
    item(
        """înseamnă prezentul Acord, Contractul principal, setările și acțiunile efectuate de Operator prin
        funcționalitățile Serviciilor, precum și orice alte instrucțiuni transmise în scris de persoanele
        autorizate ale Operatorului;""",
        "„Instrucțiuni documentate”",
    ),
    item("înseamnă zile calendaristice, dacă nu se prevede altfel;", "„Zile”"),
    item(
        """include e-mailul și orice alt mijloc electronic care permite păstrarea unei evidențe a
        comunicării.""",
        "„În scris”",
    ),
    p("Anexele I, II și III fac parte integrantă din prezentul Acord.", "1.2."),
    p(
        """În caz de neconcordanță între prezentul Acord și Contractul principal cu privire la prelucrarea
        Datelor, prevalează prezentul Acord. Nicio prevedere a Acordului nu poate fi interpretată în sensul
        restrângerii drepturilor persoanelor vizate sau al contrazicerii Clauzelor contractuale standard
        încheiate pentru transferurile prevăzute la art. 6.""",
        "1.3.",
    ),
    # 2 ------------------------------------------------------------------------------------------------------
    h1("2. Obiectul, durata, natura și scopul prelucrării"),
    p(
        """Obiectul Acordului îl constituie prelucrarea Datelor de către Persoana împuternicită, în numele
        Operatorului, în legătură cu următoarele Servicii:""",
        "2.1. Obiectul.",
    ),
    tag("for s in services"),
    bullet("{{ s.name }}: {{ s.description }}"),
    ENDFOR,
    tag("if not services"),
    bullet("serviciile prevăzute în Contractul principal."),
    ENDIF,
    p(
        """Prelucrarea are loc pe durata Contractului principal și, după încetarea acestuia, numai pe perioada
        necesară restituirii și ștergerii Datelor potrivit art. 10.""",
        "2.2. Durata.",
    ),
    p(
        """Prelucrarea cuprinde operațiunile necesare furnizării Serviciilor, precum colectarea, înregistrarea,
        organizarea, structurarea, stocarea, adaptarea, extragerea, consultarea, utilizarea, transmiterea către
        sub-împuterniciții autorizați, restricționarea, ștergerea și distrugerea Datelor, efectuate în principal
        prin mijloace automatizate.""",
        "2.3. Natura.",
    ),
    p(
        """Persoana împuternicită prelucrează Datele exclusiv în scopul furnizării Serviciilor către Operator,
        în conformitate cu Contractul principal și cu instrucțiunile documentate ale Operatorului, și nu le
        prelucrează în scopuri proprii.""",
        "2.4. Scopul.",
    ),
    p(
        """Categoriile de date cu caracter personal, categoriile de persoane vizate, frecvența prelucrării și
        perioada de stocare sunt descrise în Anexa I.""",
        "2.5.",
    ),
    # 3 ------------------------------------------------------------------------------------------------------
    h1("3. Drepturile și obligațiile Operatorului"),
    p(
        """Operatorul stabilește scopurile și mijloacele prelucrării și răspunde, în calitatea sa de operator,
        de respectarea Legislației privind protecția datelor, inclusiv în ceea ce privește temeiul juridic al
        prelucrării și informarea persoanelor vizate.""",
        "3.1.",
    ),
    p(
        """Operatorul se asigură că instrucțiunile sale sunt conforme cu Legislația privind protecția datelor
        și că Datele puse la dispoziția Persoanei împuternicite sunt exacte și limitate la ceea ce este
        necesar în raport cu scopurile prelucrării.""",
        "3.2.",
    ),
    p(
        """Operatorul nu transmite Persoanei împuternicite categorii speciale de date cu caracter personal
        (art. 9 din GDPR) sau date privind condamnări penale și infracțiuni (art. 10 din GDPR), cu excepția
        cazului în care acestea sunt indicate în Anexa I sau Părțile au convenit în scris măsuri de protecție
        suplimentare.""",
        "3.3.",
    ),
    # 4 ------------------------------------------------------------------------------------------------------
    h1("4. Obligațiile Persoanei împuternicite"),
    p(
        """Persoana împuternicită prelucrează Datele numai pe baza instrucțiunilor documentate ale Operatorului,
        inclusiv în ceea ce privește transferurile de date către o țară terță sau o organizație internațională,
        cu excepția cazului în care este obligată să facă acest lucru în temeiul dreptului Uniunii sau al
        dreptului intern sub incidența căruia se află. În acest caz, Persoana împuternicită informează
        Operatorul cu privire la respectiva cerință legală înainte de prelucrare, cu excepția cazului în care
        dreptul respectiv interzice o astfel de informare din motive importante legate de interesul public.""",
        "4.1. Instrucțiuni.",
    ),
    p(
        """Persoana împuternicită informează imediat Operatorul dacă, în opinia sa, o instrucțiune încalcă
        Legislația privind protecția datelor și poate suspenda executarea instrucțiunii respective până la
        confirmarea sau modificarea acesteia de către Operator.""",
        "4.2.",
    ),
    p(
        """Persoana împuternicită acordă acces la Date numai membrilor personalului și colaboratorilor pentru
        care accesul este strict necesar în vederea furnizării Serviciilor, se asigură că aceștia s-au angajat
        să respecte confidențialitatea sau au o obligație legală adecvată de confidențialitate și că au fost
        instruiți cu privire la protecția datelor. Obligația de confidențialitate subzistă după încetarea
        Acordului.""",
        "4.3. Confidențialitate.",
    ),
    p(
        """Ținând seama de stadiul actual al dezvoltării, de costurile implementării și de natura, domeniul de
        aplicare, contextul și scopurile prelucrării, precum și de riscul pentru drepturile și libertățile
        persoanelor fizice, Persoana împuternicită implementează și menține măsurile tehnice și organizatorice
        adecvate prevăzute la art. 32 din GDPR, descrise în Anexa II. Persoana împuternicită testează, evaluează
        și apreciază periodic eficacitatea acestor măsuri și le poate actualiza, cu condiția ca nivelul general
        de securitate să nu fie redus.""",
        "4.4. Securitatea prelucrării.",
    ),
    p(
        """Ținând seama de natura prelucrării și de informațiile de care dispune, Persoana împuternicită asistă
        Operatorul în asigurarea respectării obligațiilor prevăzute la art. 32-36 din GDPR, și anume
        securitatea prelucrării, notificarea încălcărilor securității datelor către autoritatea de supraveghere
        și informarea persoanelor vizate, evaluarea impactului asupra protecției datelor și consultarea
        prealabilă a autorității de supraveghere.""",
        "4.5. Asistență.",
    ),
    p(
        """Persoana împuternicită ține, în format scris, inclusiv electronic, o evidență a tuturor categoriilor
        de activități de prelucrare desfășurate în numele Operatorului, cu conținutul prevăzut la art. 30
        alin. (2) din GDPR, și o pune la dispoziția autorității de supraveghere, la cerere.""",
        "4.6. Evidențe.",
    ),
    p(
        """Persoana împuternicită a desemnat un responsabil cu protecția datelor, care poate fi contactat astfel:
        {{ processor.dpo.name }}, e-mail {{ processor.dpo.email }}, telefon {{ processor.dpo.phone }}.""",
        "4.7. Responsabilul cu protecția datelor.",
    ),
    p(
        """Persoana împuternicită informează Operatorul, fără întârziere nejustificată și în măsura în care
        legea permite, cu privire la orice cerere obligatorie de divulgare a Datelor primită de la o autoritate
        publică, contestă cererile pe care le consideră nelegale și divulgă numai Datele strict necesare pentru
        a se conforma cererii.""",
        "4.8. Cereri ale autorităților publice.",
    ),
    p(
        """Persoana împuternicită cooperează, la cerere, cu autoritatea de supraveghere în îndeplinirea
        sarcinilor acesteia.""",
        "4.9.",
    ),
    # 5 ------------------------------------------------------------------------------------------------------
    h1("5. Sub-împuterniciți"),
    IF_GENERAL,
    p(
        """Operatorul acordă Persoanei împuternicite autorizația scrisă generală, în sensul art. 28 alin. (2) din
        GDPR, de a recruta sub-împuterniciți. Sub-împuterniciții utilizați la data de {{ agreement.as_of }},
        enumerați în Anexa III, sunt acceptați de Operator prin semnarea prezentului Acord.""",
        "5.1. Autorizație generală.",
    ),
    p(
        """Persoana împuternicită informează Operatorul în scris cu privire la orice modificare preconizată
        privind adăugarea sau înlocuirea unui sub-împuternicit cu cel puțin {{ agreement.notice_period_days }}
        zile calendaristice înainte de data la care sub-împuternicitul urmează să înceapă prelucrarea Datelor.
        Informarea cuprinde denumirea și sediul sub-împuternicitului, persoana de contact, activitățile de
        prelucrare și categoriile de Date vizate, locațiile prelucrării, temeiul transferului, dacă este cazul,
        precum și data preconizată a recrutării, astfel încât Operatorul să își poată exercita dreptul de a
        formula obiecții.""",
        "5.2. Informare prealabilă.",
    ),
    p(
        """În termenul prevăzut la art. 5.2, Operatorul poate formula în scris obiecții cu privire la
        sub-împuternicitul propus, indicând motivele legate de protecția datelor cu caracter personal pe care se
        întemeiază obiecția. Persoana împuternicită nu permite sub-împuternicitului propus accesul la Datele
        Operatorului înainte de expirarea acestui termen.""",
        "5.3. Dreptul de a formula obiecții.",
    ),
    p(
        """Părțile convin în mod expres că, dacă Operatorul nu formulează obiecții în termenul prevăzut la
        art. 5.2, modificarea se consideră acceptată, iar Anexa III se consideră actualizată în mod
        corespunzător.""",
        "5.4. Lipsa obiecțiilor.",
    ),
    p(
        """Dacă Operatorul formulează obiecții, Părțile caută cu bună-credință o soluție. Persoana împuternicită
        poate, la alegerea sa: (a) să propună un sub-împuternicit alternativ sau o configurare alternativă a
        Serviciilor; sau (b) să continue furnizarea Serviciilor fără ca sub-împuternicitul contestat să
        prelucreze Datele Operatorului. Dacă nicio soluție nu este posibilă în mod rezonabil înainte de data
        recrutării, Operatorul poate denunța unilateral, fără penalități, Serviciile afectate sau Contractul
        principal, printr-o notificare scrisă transmisă înainte de această dată, iar Persoana împuternicită
        restituie sumele plătite în avans pentru perioada ulterioară încetării.""",
        "5.5. Soluții în caz de obiecție.",
    ),
    ELSE,
    p(
        """Persoana împuternicită nu recrutează niciun sub-împuternicit fără autorizația scrisă specifică,
        prealabilă, a Operatorului, în sensul art. 28 alin. (2) din GDPR. Prin semnarea prezentului Acord,
        Operatorul autorizează sub-împuterniciții enumerați în Anexa III, utilizați la data de
        {{ agreement.as_of }}.""",
        "5.1. Autorizație specifică.",
    ),
    p(
        """Pentru orice adăugare sau înlocuire a unui sub-împuternicit, Persoana împuternicită solicită în scris
        aprobarea Operatorului cu cel puțin {{ agreement.notice_period_days }} zile calendaristice înainte de
        data la care sub-împuternicitul urmează să înceapă prelucrarea Datelor. Cererea cuprinde informațiile
        necesare pentru ca Operatorul să poată decide: denumirea și sediul sub-împuternicitului, persoana de
        contact, activitățile de prelucrare și categoriile de Date vizate, locațiile prelucrării, temeiul
        transferului, dacă este cazul, precum și data preconizată a recrutării.""",
        "5.2. Cererea de aprobare.",
    ),
    p(
        """Operatorul comunică în scris aprobarea sau refuzul său în termenul prevăzut la art. 5.2. Persoana
        împuternicită nu permite sub-împuternicitului propus accesul la Datele Operatorului înainte de primirea
        aprobării scrise.""",
        "5.3. Decizia Operatorului.",
    ),
    p(
        """Părțile convin în mod expres că lipsa unui răspuns al Operatorului în termenul prevăzut la art. 5.2
        nu valorează aprobare, iar Persoana împuternicită nu poate recruta sub-împuternicitul propus.""",
        "5.4. Lipsa răspunsului.",
    ),
    p(
        """Dacă Operatorul refuză aprobarea, Persoana împuternicită poate propune, printr-o nouă cerere, un
        sub-împuternicit alternativ sau poate continua furnizarea Serviciilor fără sub-împuternicitul respectiv.
        Dacă Serviciile nu mai pot fi furnizate în mod rezonabil fără sub-împuternicitul propus, oricare dintre
        Părți poate denunța unilateral, fără penalități, Serviciile afectate, printr-o notificare scrisă cu un
        preaviz de 30 de zile, iar Persoana împuternicită restituie sumele plătite în avans pentru perioada
        ulterioară încetării.""",
        "5.5. Soluții în caz de refuz.",
    ),
    ENDIF,
    p(
        """Persoana împuternicită impune fiecărui sub-împuternicit, printr-un contract încheiat în scris, aceleași
        obligații privind protecția datelor ca cele prevăzute în prezentul Acord, în special obligația de a
        oferi garanții suficiente pentru punerea în aplicare a unor măsuri tehnice și organizatorice adecvate,
        astfel încât prelucrarea să îndeplinească cerințele GDPR (art. 28 alin. (4) din GDPR). La cererea
        Operatorului, Persoana împuternicită îi pune la dispoziție o copie a acestui contract, din care pot fi
        eliminate informațiile comerciale confidențiale.""",
        "5.6. Aceleași obligații.",
    ),
    p(
        """Persoana împuternicită rămâne pe deplin răspunzătoare față de Operator pentru îndeplinirea
        obligațiilor sub-împuterniciților săi și verifică, înainte de recrutare și periodic, garanțiile oferite
        de aceștia.""",
        "5.7. Răspundere.",
    ),
    p(
        """Persoana împuternicită ține la zi lista sub-împuterniciților, cu denumirea, sediul, datele de contact,
        activitățile de prelucrare și locațiile fiecăruia, o publică pe pagina sa de internet
        ({{ processor.website }}) și o pune oricând la dispoziția Operatorului. Anexa III reflectă această
        listă la data de {{ agreement.as_of }}.""",
        "5.8. Lista sub-împuterniciților.",
    ),
    tag("if client.notice_contacts"),
    p(
        """Informările, cererile și răspunsurile prevăzute la prezentul articol se transmit în scris. Persoana
        împuternicită le transmite prin e-mail persoanelor desemnate de Operator pentru notificări:
        {{ client.notice_contacts }}. Operatorul le transmite la adresa {{ processor.email }} și comunică fără
        întârziere orice modificare a persoanelor desemnate.""",
        "5.9. Comunicări.",
    ),
    ELSE,
    p(
        """Informările, cererile și răspunsurile prevăzute la prezentul articol se transmit în scris. Persoana
        împuternicită le transmite la adresa de e-mail comunicată în scris de Operator în acest scop sau, în
        lipsa acesteia, reprezentantului Operatorului indicat la rubrica „Părțile”, la sediul Operatorului.
        Operatorul le transmite la adresa {{ processor.email }}.""",
        "5.9. Comunicări.",
    ),
    ENDIF,
    # 6 ------------------------------------------------------------------------------------------------------
    h1("6. Transferuri de date către țări terțe"),
    p(
        """Persoana împuternicită nu transferă Datele către o țară terță sau către o organizație internațională
        și nu permite sub-împuterniciților săi astfel de transferuri decât pe baza instrucțiunilor documentate
        ale Operatorului și cu respectarea capitolului V din GDPR, respectiv în temeiul unei decizii privind
        caracterul adecvat al nivelului de protecție (art. 45), al unor garanții adecvate (art. 46), precum
        Clauzele contractuale standard sau regulile corporatiste obligatorii (art. 47), ori, în mod excepțional,
        al unei derogări prevăzute la art. 49 din GDPR.""",
        "6.1.",
    ),
    tag("if transfers"),
    p(
        """La data de {{ agreement.as_of }}, Datele sunt transferate în afara SEE în cazurile de mai jos, pe care
        Operatorul le autorizează prin semnarea Acordului, fiecare în temeiul indicat:""",
        "6.2.",
    ),
    Table(
        widths=(0.9, 3.6, 3.8, 2.8, 5.5),
        header=("Nr.", "Sub-împuternicit", "Țara și locația", "Activitate", "Temeiul transferului"),
        loop="t in transfers",
        rows=(
            (
                "{{ loop.index }}",
                "{{ t.subprocessor }}",
                ("{{ t.country_name }}", "{{ t.label }}"),
                "{{ t.role }}",
                "{{ t.mechanism_text }}",
            ),
        ),
    ),
    ELSE,
    p(
        """La data de {{ agreement.as_of }}, Datele nu sunt transferate către țări terțe sau organizații
        internaționale; acestea sunt prelucrate exclusiv în SEE. Orice transfer ulterior este supus art. 5 și
        prezentului articol.""",
        "6.2.",
    ),
    ENDIF,
    p(
        """Atunci când un transfer se întemeiază pe Clauzele contractuale standard, Persoana împuternicită se
        asigură că acestea au fost încheiate cu sub-împuternicitul, în modulul corespunzător (de regulă,
        modulul 3, privind transferul între persoane împuternicite), și că a evaluat, ținând seama de
        legislația și practicile țării terțe de destinație, dacă sunt necesare măsuri suplimentare, pe care le
        pune în aplicare, după caz.""",
        "6.3.",
    ),
    p(
        """Atunci când un transfer se întemeiază pe o decizie privind caracterul adecvat, inclusiv pe
        certificarea destinatarului în cadrul EU-U.S. Data Privacy Framework (Decizia de punere în aplicare
        (UE) 2023/1795), iar decizia este invalidată sau suspendată ori certificarea încetează, Persoana
        împuternicită pune în aplicare fără întârziere un alt temei prevăzut la capitolul V din GDPR sau
        încetează transferul și informează Operatorul.""",
        "6.4.",
    ),
    p(
        """Persoana împuternicită informează Operatorul fără întârziere dacă nu mai poate asigura respectarea
        garanțiilor aplicabile unui transfer; în acest caz, Operatorul poate solicita suspendarea
        transferului.""",
        "6.5.",
    ),
    # 7 ------------------------------------------------------------------------------------------------------
    h1("7. Notificarea încălcărilor securității datelor cu caracter personal"),
    p(
        """Persoana împuternicită notifică Operatorului orice încălcare a securității datelor cu caracter
        personal care afectează Datele, fără întârzieri nejustificate și în cel mult 24 de ore după ce a luat
        cunoștință de aceasta. Notificarea se transmite prin e-mail persoanelor prevăzute la art. 5.9.""",
        "7.1.",
    ),
    p(
        """Notificarea cuprinde, în măsura în care sunt disponibile, informațiile prevăzute la art. 33 alin. (3)
        din GDPR:""",
        "7.2.",
    ),
    item(
        """descrierea naturii încălcării, inclusiv, acolo unde este posibil, categoriile și numărul aproximativ
        al persoanelor vizate în cauză, precum și categoriile și numărul aproximativ al înregistrărilor de date
        cu caracter personal în cauză;""",
        "(a)",
    ),
    item(
        """numele și datele de contact ale responsabilului cu protecția datelor sau ale unui alt punct de contact
        de la care se pot obține mai multe informații;""",
        "(b)",
    ),
    item("descrierea consecințelor probabile ale încălcării;", "(c)"),
    item(
        """descrierea măsurilor luate sau propuse de Persoana împuternicită pentru remedierea încălcării,
        inclusiv, după caz, a măsurilor pentru atenuarea eventualelor sale efecte negative;""",
        "(d)",
    ),
    item(
        """data și ora producerii încălcării, dacă sunt cunoscute, precum și data și ora la care aceasta a fost
        descoperită.""",
        "(e)",
    ),
    p(
        """Dacă și în măsura în care nu este posibil ca informațiile să fie furnizate în același timp, acestea
        pot fi furnizate în etape, fără alte întârzieri nejustificate: o notificare inițială, în termenul de 24
        de ore, cu informațiile disponibile la acel moment; notificări completatoare, pe măsură ce informațiile
        devin disponibile; și un raport final după închiderea incidentului.""",
        "7.3. Notificarea în etape.",
    ),
    p(
        """Persoana împuternicită ia de îndată măsurile necesare pentru a limita efectele încălcării, investighează
        cauzele acesteia, o documentează și asistă Operatorul în îndeplinirea obligațiilor de notificare a
        autorității de supraveghere (art. 33 din GDPR) și de informare a persoanelor vizate (art. 34 din GDPR).
        Persoana împuternicită impune sub-împuterniciților obligația de a o notifica fără întârziere, astfel
        încât termenul prevăzut la art. 7.1 să poată fi respectat.""",
        "7.4.",
    ),
    p(
        """Persoana împuternicită nu notifică autoritatea de supraveghere și nu informează persoanele vizate în
        numele Operatorului fără instrucțiunile prealabile ale acestuia, cu excepția cazului în care legea o
        obligă. Notificarea unei încălcări nu constituie, prin ea însăși, o recunoaștere a vinovăției sau a
        răspunderii.""",
        "7.5.",
    ),
    # 8 ------------------------------------------------------------------------------------------------------
    h1("8. Asistență privind drepturile persoanelor vizate"),
    p(
        """Ținând seama de natura prelucrării, Persoana împuternicită asistă Operatorul prin măsuri tehnice și
        organizatorice adecvate, în măsura în care acest lucru este posibil, pentru îndeplinirea obligației
        Operatorului de a răspunde cererilor privind exercitarea drepturilor persoanelor vizate prevăzute la
        capitolul III din GDPR: dreptul de acces, de rectificare, de ștergere, de restricționare a prelucrării,
        dreptul la portabilitatea datelor, dreptul la opoziție și drepturile privind procesul decizional
        individual automatizat.""",
        "8.1.",
    ),
    p(
        """Dacă primește direct o cerere a unei persoane vizate privind Datele, Persoana împuternicită o transmite
        Operatorului fără întârziere nejustificată, dar nu mai târziu de 5 zile lucrătoare, și nu răspunde
        cererii decât pentru a îndruma persoana vizată către Operator, cu excepția cazului în care Operatorul a
        autorizat-o în scris în acest sens.""",
        "8.2.",
    ),
    p(
        """Persoana împuternicită execută instrucțiunile Operatorului privind rectificarea, ștergerea,
        restricționarea sau exportul Datelor în termene care îi permit Operatorului să respecte termenul de
        răspuns prevăzut la art. 12 alin. (3) din GDPR.""",
        "8.3.",
    ),
    # 9 ------------------------------------------------------------------------------------------------------
    h1("9. Informare și audit"),
    p(
        """Persoana împuternicită pune la dispoziția Operatorului toate informațiile necesare pentru a demonstra
        respectarea obligațiilor prevăzute la art. 28 din GDPR și în prezentul Acord și permite și contribuie la
        auditurile, inclusiv inspecțiile, efectuate de Operator sau de un auditor mandatat de acesta.""",
        "9.1.",
    ),
    p(
        """Persoana împuternicită poate răspunde unei cereri de audit, în primă fază, prin furnizarea de
        documentație relevantă, rapoarte de audit independente sau certificări valabile. Dacă acestea nu sunt
        suficiente pentru a demonstra conformitatea, Operatorul poate efectua un audit la fața locului sau de
        la distanță.""",
        "9.2.",
    ),
    p(
        """Auditul se anunță în scris cu cel puțin 15 zile lucrătoare înainte și se desfășoară în timpul
        programului de lucru, fără a perturba în mod nejustificat activitatea Persoanei împuternicite și fără a
        compromite securitatea și confidențialitatea datelor altor clienți, cel mult o dată pe an, cu excepția
        cazului în care a avut loc o încălcare a securității Datelor sau auditul este solicitat de o autoritate
        de supraveghere. Auditorul mandatat de Operator este ținut de o obligație de confidențialitate și nu
        poate fi un concurent al Persoanei împuternicite.""",
        "9.3.",
    ),
    p(
        """Fiecare Parte suportă propriile costuri ale auditului. Dacă auditul constată o neconformitate
        semnificativă, Persoana împuternicită o remediază fără întârziere, pe cheltuiala sa, și rambursează
        Operatorului costurile rezonabile ale auditului.""",
        "9.4.",
    ),
    # 10 -----------------------------------------------------------------------------------------------------
    h1("10. Restituirea și ștergerea Datelor"),
    p(
        """La încetarea furnizării Serviciilor, Persoana împuternicită, la alegerea Operatorului, șterge toate
        Datele sau le restituie Operatorului și șterge copiile existente, cu excepția cazului în care dreptul
        Uniunii sau dreptul intern impune stocarea acestora.""",
        "10.1.",
    ),
    p(
        """Operatorul își comunică opțiunea în scris în termen de 30 de zile de la încetare. Restituirea se face
        prin punerea la dispoziție a Datelor într-un format structurat, utilizat în mod curent și care poate fi
        citit automat. În lipsa unei opțiuni comunicate în acest termen, Persoana împuternicită șterge Datele în
        cel mult 30 de zile de la expirarea lui.""",
        "10.2.",
    ),
    p(
        """Copiile de siguranță sunt șterse conform ciclului obișnuit de rotație, care nu depășește 90 de zile;
        până la ștergere, acestea rămân protejate potrivit prezentului Acord și nu sunt prelucrate în niciun alt
        scop.""",
        "10.3.",
    ),
    p(
        """Dacă legea impune păstrarea unor Date, Persoana împuternicită asigură confidențialitatea acestora și le
        prelucrează numai în măsura și pe durata impuse de lege. La cererea Operatorului, Persoana împuternicită
        confirmă în scris ștergerea Datelor.""",
        "10.4.",
    ),
    # 11 -----------------------------------------------------------------------------------------------------
    h1("11. Răspundere"),
    p(
        """Fiecare Parte răspunde pentru prejudiciile cauzate celeilalte Părți sau persoanelor vizate prin
        încălcarea prezentului Acord ori a Legislației privind protecția datelor, în condițiile art. 82 din
        GDPR.""",
        "11.1.",
    ),
    p(
        """Persoana împuternicită răspunde pentru prejudiciul cauzat de prelucrare numai dacă nu și-a respectat
        obligațiile prevăzute de GDPR care revin în mod specific persoanelor împuternicite de operator sau dacă
        a acționat în afara instrucțiunilor legale ale Operatorului ori contrar acestora.""",
        "11.2.",
    ),
    p(
        """Dacă Părțile sunt implicate în aceeași prelucrare și răspund pentru același prejudiciu, Partea care a
        plătit despăgubirea integrală are drept de regres împotriva celeilalte Părți pentru partea din
        despăgubire corespunzătoare răspunderii acesteia (art. 82 alin. (5) din GDPR).""",
        "11.3.",
    ),
    p(
        """Limitările răspunderii prevăzute în Contractul principal se aplică și prezentului Acord, în măsura
        permisă de lege. Acestea nu se aplică prejudiciilor cauzate cu intenție sau din culpă gravă și nu
        limitează drepturile persoanelor vizate.""",
        "11.4.",
    ),
    # 12 -----------------------------------------------------------------------------------------------------
    h1("12. Durata și încetarea Acordului"),
    p(
        """Acordul intră în vigoare la data semnării sale de către ambele Părți și produce efecte cât timp
        Persoana împuternicită prelucrează Date în numele Operatorului.""",
        "12.1.",
    ),
    p(
        """Încetarea Contractului principal atrage încetarea Acordului. Obligațiile care, prin natura lor,
        subzistă încetării, în special cele privind confidențialitatea, restituirea și ștergerea Datelor,
        auditul și răspunderea, rămân în vigoare până la îndeplinirea lor.""",
        "12.2.",
    ),
    p(
        """Dacă Persoana împuternicită încalcă în mod grav prezentul Acord sau Legislația privind protecția
        datelor și nu remediază încălcarea în termen de 15 zile de la notificarea scrisă a Operatorului,
        Operatorul poate suspenda prelucrarea și poate rezilia Acordul și Contractul principal, în tot sau în
        parte, cu efect imediat, fără intervenția instanței și fără alte formalități.""",
        "12.3.",
    ),
    p(
        """Dacă Operatorul menține o instrucțiune despre care Persoana împuternicită l-a informat, potrivit
        art. 4.2, că încalcă Legislația privind protecția datelor, Persoana împuternicită poate rezilia Acordul
        și Serviciile afectate, printr-o notificare scrisă.""",
        "12.4.",
    ),
    p(
        """Actualizarea Anexei III potrivit art. 5 nu necesită încheierea unui act adițional. Orice altă
        modificare a Acordului se face în scris, printr-o nouă versiune semnată de ambele Părți.""",
        "12.5.",
    ),
    # 13 -----------------------------------------------------------------------------------------------------
    h1("13. Comunicări"),
    p(
        """Comunicările dintre Părți în temeiul prezentului Acord se fac în scris. Comunicările către Persoana
        împuternicită se transmit la adresa {{ processor.email }}; cele privind protecția datelor se transmit,
        în plus, responsabilului cu protecția datelor, la adresa {{ processor.dpo.email }}. Comunicările către
        Operator se transmit potrivit art. 5.9.""",
        "13.1.",
    ),
    p("Fiecare Parte comunică celeilalte, fără întârziere, orice modificare a datelor sale de contact.", "13.2."),
    # 14 -----------------------------------------------------------------------------------------------------
    h1("14. Legea aplicabilă, litigii și autoritatea de supraveghere"),
    p("Prezentul Acord este guvernat de legea română.", "14.1."),
    p(
        """Părțile vor încerca să soluționeze pe cale amiabilă orice litigiu decurgând din sau în legătură cu
        prezentul Acord. În caz contrar, litigiul va fi soluționat de instanțele judecătorești competente din
        România.""",
        "14.2.",
    ),
    p(
        """Autoritatea de supraveghere competentă în privința Persoanei împuternicite este
        {{ processor.supervisory_authority.name }}, cu sediul în {{ processor.supervisory_authority.address }}
        (e-mail {{ processor.supervisory_authority.email }}, telefon {{ processor.supervisory_authority.phone }},
        {{ processor.supervisory_authority.website }}). Această prevedere nu aduce atingere competenței altor
        autorități de supraveghere potrivit GDPR și nici dreptului persoanelor vizate de a depune o plângere la
        o autoritate de supraveghere.""",
        "14.3.",
    ),
    # 15 -----------------------------------------------------------------------------------------------------
    h1("15. Dispoziții finale"),
    p(
        """Dacă o prevedere a Acordului este declarată nulă sau inaplicabilă, celelalte prevederi rămân în
        vigoare, iar Părțile înlocuiesc prevederea respectivă cu o prevedere valabilă, care corespunde cât mai
        fidel intenției lor și cerințelor GDPR.""",
        "15.1.",
    ),
    p(
        """Acordul poate fi semnat olograf sau prin semnătură electronică, în condițiile legii. Fiecare Parte
        păstrează un exemplar cu aceeași valoare juridică.""",
        "15.2.",
    ),
    p("", "Semnături"),
    Table(
        widths=(8.3, 8.3),
        borders=False,
        header=("OPERATORUL", "PERSOANA ÎMPUTERNICITĂ"),
        rows=(
            ("{{ client.legal_name }}", "{{ processor.legal_name }}"),
            ("Nume: {{ client.signatory.name }}", "Nume: {{ processor.representative.name }}"),
            ("Funcția: {{ client.signatory.title }}", "Funcția: {{ processor.representative.title }}"),
            ("Semnătura: ________________________", "Semnătura: ________________________"),
            ("Data: ____________________________", "Data: ____________________________"),
        ),
    ),
    # Annex I ------------------------------------------------------------------------------------------------
    annex("Anexa I. Lista părților și descrierea prelucrării"),
    h2("A. Părțile"),
    Table(
        widths=(3.8, 6.4, 6.4),
        header=("", "Operatorul", "Persoana împuternicită"),
        rows=(
            (
                "Denumire",
                "{{ client.legal_name }}{% if not client.name == client.legal_name %} ({{ client.name }}){% endif %}",
                "{{ processor.legal_name }}",
            ),
            ("Sediul", "{{ client.address }}, {{ client.country_name }}", "{{ processor.address }}"),
            (
                "Număr de înregistrare",
                "{% if client.registration_number %}{{ client.registration_number }}{% else %}—{% endif %}",
                "{{ processor.registration_number }}",
            ),
            (
                "Cod de identificare fiscală",
                "{% if client.vat_id %}{{ client.vat_id }}{% else %}—{% endif %}",
                "{{ processor.vat_id }}",
            ),
            (
                "Reprezentant",
                "{{ client.signatory.name }}, {{ client.signatory.title }}",
                "{{ processor.representative.name }}, {{ processor.representative.title }}",
            ),
            (
                "Persoane de contact",
                "{% if client.notice_contacts %}{{ client.notice_contacts }}{% else %}—{% endif %}",
                (
                    "{{ processor.email }}, {{ processor.phone }}, {{ processor.website }}",
                    "Responsabil cu protecția datelor: {{ processor.dpo.name }}, {{ processor.dpo.email }}, "
                    "{{ processor.dpo.phone }}",
                ),
            ),
            ("Rolul", "Operator", "Persoană împuternicită de operator"),
            (
                "Activități relevante",
                "Utilizarea Serviciilor enumerate la secțiunea B",
                "Furnizarea Serviciilor și prelucrarea Datelor în numele Operatorului",
            ),
        ),
    ),
    h2("B. Descrierea prelucrării"),
    p("Serviciile furnizate Operatorului:", "Obiectul prelucrării:"),
    tag("for s in services"),
    bullet("{{ s.name }}: {{ s.description }}"),
    ENDFOR,
    tag("if not services"),
    bullet("serviciile prevăzute în Contractul principal."),
    ENDIF,
    p(
        """{% if processing.data_subjects %}{{ processing.data_subjects }}{% else %}persoanele vizate ale căror
        date sunt introduse de Operator în Servicii{% endif %}.""",
        "Categorii de persoane vizate:",
    ),
    p(
        """{% if processing.data_categories %}{{ processing.data_categories }}{% else %}datele introduse de
        Operator în Servicii{% endif %}.""",
        "Categorii de date cu caracter personal:",
    ),
    p(
        """prelucrarea nu are ca obiect categorii speciale de date cu caracter personal sau date privind
        condamnări penale și infracțiuni, cu excepția cazului prevăzut la art. 3.3 din Acord.""",
        "Date sensibile:",
    ),
    p(
        """operațiunile descrise la art. 2.3 din Acord, efectuate în principal prin mijloace automatizate, în
        cadrul Serviciilor.""",
        "Natura prelucrării:",
    ),
    p("furnizarea Serviciilor către Operator, potrivit art. 2.4 din Acord.", "Scopul prelucrării:"),
    p("continuă, pe durata furnizării Serviciilor.", "Frecvența:"),
    p(
        """pe durata Contractului principal; după încetarea acestuia, Datele sunt restituite sau șterse potrivit
        art. 10 din Acord.""",
        "Durata prelucrării și perioada de stocare:",
    ),
    p(
        """cei enumerați în Anexa III, la data de {{ agreement.as_of }}; transferurile către țări terțe sunt
        prevăzute la art. 6 din Acord.""",
        "Sub-împuterniciți:",
    ),
    h2("C. Autoritatea de supraveghere competentă"),
    p("{{ processor.supervisory_authority.name }}"),
    p("{{ processor.supervisory_authority.address }}", "Adresa:"),
    p("{{ processor.supervisory_authority.email }}", "E-mail:"),
    p("{{ processor.supervisory_authority.phone }}", "Telefon:"),
    p("{{ processor.supervisory_authority.website }}", "Pagina de internet:"),
    # Annex II -----------------------------------------------------------------------------------------------
    annex("Anexa II. Măsuri tehnice și organizatorice"),
    p(
        """Persoana împuternicită implementează și menține, potrivit art. 32 din GDPR și art. 4.4 din Acord,
        următoarele măsuri tehnice și organizatorice, inclusiv pentru asigurarea securității Datelor:"""
    ),
    listing("processor.toms"),
    p(
        """Sub-împuterniciții sunt obligați contractual să aplice măsuri care asigură un nivel de protecție cel
        puțin echivalent (art. 5.6 din Acord). Persoana împuternicită poate actualiza măsurile de mai sus fără a
        reduce nivelul general de securitate; descrierea actualizată este pusă la dispoziția Operatorului, la
        cerere."""
    ),
    # Annex III ----------------------------------------------------------------------------------------------
    annex("Anexa III. Lista sub-împuterniciților"),
    p(
        """Operatorul a autorizat recrutarea următorilor sub-împuterniciți, potrivit art. 5 din Acord. Lista
        reflectă situația la data de {{ agreement.as_of }}; lista actualizată este publicată de Persoana
        împuternicită potrivit art. 5.8 din Acord."""
    ),
    Table(
        widths=(0.9, 3.0, 2.8, 2.8, 3.8, 3.3),
        header=(
            "Nr.",
            "Sub-împuternicit",
            "Sediul",
            "Persoana de contact",
            "Activitatea, scopul și datele prelucrate",
            "Locații și temeiul transferului",
        ),
        loop="sp in subprocessors",
        rows=(
            (
                "{{ loop.index }}",
                (
                    "{{ sp.name }}",
                    "{% if not sp.legal_name == sp.name %}{{ sp.legal_name }}{% endif %}",
                    "{{ sp.website }}",
                ),
                ("{{ sp.address }}", "{{ sp.country_name }}"),
                "{% if sp.contact %}{{ sp.contact }}{% else %}—{% endif %}",
                ("{{ sp.category }}: {{ sp.purpose }}", "Date: {{ sp.data_categories }}"),
                "{{ sp.locations_text }}",
            ),
        ),
    ),
    tag("if not subprocessors"),
    p(
        """La data de {{ agreement.as_of }}, Persoana împuternicită nu recurge la sub-împuterniciți pentru
        prelucrarea Datelor Operatorului."""
    ),
    ELSE,
    p(
        """Fiecare sub-împuternicit prelucrează Datele numai în măsura necesară activității indicate mai sus, pe
        baza instrucțiunilor Persoanei împuternicite și sub răspunderea acesteia (art. 5.7 din Acord);
        Persoana împuternicită rămâne singurul interlocutor al Operatorului pentru prelucrările efectuate de
        sub-împuterniciți."""
    ),
    ENDIF,
]


# --------------------------------------------------------------------------------------------------------------
# English text
# --------------------------------------------------------------------------------------------------------------

EN: list[Block] = [
    title("Data Processing Agreement"),
    subtitle("pursuant to Article 28(3) of Regulation (EU) 2016/679"),
    subtitle("No. {{ agreement.number }} | Version {{ agreement.version }} | Date: {{ agreement.date }}"),
    h1("Parties"),
    p("This data processing agreement (the “Agreement”) is entered into by and between:"),
    item(
        """{{ client.legal_name }}, having its registered office at {{ client.address }},
        {{ client.country_name }}{% if client.registration_number %}, registration number
        {{ client.registration_number }}{% endif %}{% if client.vat_id %}, tax/VAT identification number
        {{ client.vat_id }}{% endif %}, represented by {{ client.signatory.name }}, {{ client.signatory.title }}
        (the “Controller”),""",
        "1.",
    ),
    p("and"),
    item(
        """{{ processor.legal_name }}, having its registered office at {{ processor.address }}, registration
        number {{ processor.registration_number }}, tax/VAT identification number {{ processor.vat_id }},
        email {{ processor.email }}, telephone {{ processor.phone }}, represented by
        {{ processor.representative.name }}, {{ processor.representative.title }} (the “Processor”),""",
        "2.",
    ),
    p("each a “Party” and together the “Parties”."),
    h1("Recitals"),
    item(
        """The Processor provides the Controller with the services described in Clause 2 and Annex I (the
        “Services”) under the contract, order or terms and conditions accepted by the Parties for those
        Services (the “Main Agreement”).""",
        "(A)",
    ),
    item(
        """In providing the Services, the Processor processes personal data on behalf of the Controller, which
        determines the purposes and means of the processing.""",
        "(B)",
    ),
    item(
        """Under Article 28(3) of Regulation (EU) 2016/679, processing by a processor shall be governed by a
        contract that is binding on the processor and sets out the subject matter and duration of the
        processing, its nature and purpose, the type of personal data, the categories of data subjects and the
        obligations and rights of the controller.""",
        "(C)",
    ),
    item(
        """This version ({{ agreement.version }}) of Agreement No. {{ agreement.number }} supersedes, from its
        entry into force, any earlier version of it concluded between the Parties.""",
        "(D)",
    ),
    p("Now, therefore, the Parties agree as follows:"),
    # 1 ------------------------------------------------------------------------------------------------------
    h1("1. Definitions and interpretation"),
    p(
        """The terms “controller”, “processor”, “personal data”, “processing”, “data subject”, “personal data
        breach”, “special categories of personal data” and “supervisory authority” have the meaning given to
        them in the GDPR. In addition, in this Agreement:""",
        "1.1.",
    ),
    item(
        """means Regulation (EU) 2016/679 of the European Parliament and of the Council of 27 April 2016 on the
        protection of natural persons with regard to the processing of personal data and on the free movement
        of such data, and repealing Directive 95/46/EC (General Data Protection Regulation);""",
        "“GDPR”",
    ),
    item(
        """means the GDPR, Romanian Law No. 190/2018 implementing the GDPR and any other law of the European
        Union or of a Member State that applies to the processing of the Data;""",
        "“Data Protection Law”",
    ),
    item(
        """means the personal data processed by the Processor on behalf of the Controller in connection with
        the Services, as described in Annex I;""",
        "“Data”",
    ),
    item(
        """means any other processor, within the meaning of Article 28(2) and (4) GDPR, engaged by the
        Processor to carry out specific processing activities on the Data on behalf of the Controller;""",
        "“Sub-processor”",
    ),
    item("means the European Economic Area;", "“EEA”"),
    item("means any country outside the EEA;", "“Third Country”"),
    item(
        """means the standard contractual clauses for the transfer of personal data to third countries adopted
        by Commission Implementing Decision (EU) 2021/914 of 4 June 2021;""",
        "“Standard Contractual Clauses”",
    ),
    item(
        """means this Agreement, the Main Agreement, the settings and actions made by the Controller through the
        features of the Services, and any other instructions given in writing by the Controller's authorised
        persons;""",
        "“Documented Instructions”",
    ),
    item("means calendar days, unless stated otherwise;", "“Days”"),
    item(
        "includes email and any other electronic means that keeps a record of the communication.",
        "“In writing”",
    ),
    p("Annexes I, II and III form an integral part of this Agreement.", "1.2."),
    p(
        """In the event of any conflict between this Agreement and the Main Agreement regarding the processing of
        the Data, this Agreement prevails. Nothing in this Agreement shall be construed as restricting the
        rights of data subjects or as contradicting the Standard Contractual Clauses entered into for the
        transfers referred to in Clause 6.""",
        "1.3.",
    ),
    # 2 ------------------------------------------------------------------------------------------------------
    h1("2. Subject matter, duration, nature and purpose of the processing"),
    p(
        """The subject matter of this Agreement is the processing of the Data by the Processor, on behalf of
        the Controller, in connection with the following Services:""",
        "2.1. Subject matter.",
    ),
    tag("for s in services"),
    bullet("{{ s.name }}: {{ s.description }}"),
    ENDFOR,
    tag("if not services"),
    bullet("the services set out in the Main Agreement."),
    ENDIF,
    p(
        """The processing takes place for the term of the Main Agreement and, after its end, only for as long as
        necessary to return and delete the Data in accordance with Clause 10.""",
        "2.2. Duration.",
    ),
    p(
        """The processing consists of the operations necessary to provide the Services, such as collection,
        recording, organisation, structuring, storage, adaptation, retrieval, consultation, use, disclosure to
        authorised Sub-processors, restriction, erasure and destruction of the Data, carried out mainly by
        automated means.""",
        "2.3. Nature.",
    ),
    p(
        """The Processor processes the Data solely for the purpose of providing the Services to the Controller,
        in accordance with the Main Agreement and the Controller's Documented Instructions, and does not
        process the Data for its own purposes.""",
        "2.4. Purpose.",
    ),
    p(
        """The categories of personal data and of data subjects, the frequency of the processing and the
        retention period are described in Annex I.""",
        "2.5.",
    ),
    # 3 ------------------------------------------------------------------------------------------------------
    h1("3. Rights and obligations of the Controller"),
    p(
        """The Controller determines the purposes and means of the processing and is responsible, as
        controller, for compliance with Data Protection Law, including the legal basis for the processing and
        the information provided to data subjects.""",
        "3.1.",
    ),
    p(
        """The Controller ensures that its instructions comply with Data Protection Law and that the Data made
        available to the Processor are accurate and limited to what is necessary for the purposes of the
        processing.""",
        "3.2.",
    ),
    p(
        """The Controller shall not provide the Processor with special categories of personal data (Article 9
        GDPR) or personal data relating to criminal convictions and offences (Article 10 GDPR), unless they are
        listed in Annex I or the Parties have agreed additional safeguards in writing.""",
        "3.3.",
    ),
    # 4 ------------------------------------------------------------------------------------------------------
    h1("4. Obligations of the Processor"),
    p(
        """The Processor processes the Data only on the Controller's Documented Instructions, including with
        regard to transfers of personal data to a third country or an international organisation, unless
        required to do so by Union or Member State law to which the Processor is subject. In that case, the
        Processor informs the Controller of that legal requirement before processing, unless that law prohibits
        such information on important grounds of public interest.""",
        "4.1. Instructions.",
    ),
    p(
        """The Processor immediately informs the Controller if, in its opinion, an instruction infringes Data
        Protection Law, and may suspend the execution of that instruction until the Controller confirms or
        amends it.""",
        "4.2.",
    ),
    p(
        """The Processor grants access to the Data only to those members of its staff and contractors who
        strictly need it to provide the Services, and ensures that they have committed themselves to
        confidentiality or are under an appropriate statutory obligation of confidentiality and have received
        appropriate data protection training. The duty of confidentiality survives the termination of this
        Agreement.""",
        "4.3. Confidentiality.",
    ),
    p(
        """Taking into account the state of the art, the costs of implementation and the nature, scope, context
        and purposes of the processing, as well as the risk to the rights and freedoms of natural persons, the
        Processor implements and maintains the appropriate technical and organisational measures required by
        Article 32 GDPR and described in Annex II. The Processor regularly tests, assesses and evaluates the
        effectiveness of those measures and may update them, provided that the overall level of security is not
        reduced.""",
        "4.4. Security of processing.",
    ),
    p(
        """Taking into account the nature of the processing and the information available to it, the Processor
        assists the Controller in ensuring compliance with the obligations under Articles 32 to 36 GDPR, namely
        security of processing, notification of personal data breaches to the supervisory authority and
        communication to data subjects, data protection impact assessments and prior consultation of the
        supervisory authority.""",
        "4.5. Assistance.",
    ),
    p(
        """The Processor maintains, in writing, including in electronic form, a record of all categories of
        processing activities carried out on behalf of the Controller, with the content required by Article
        30(2) GDPR, and makes it available to the supervisory authority on request.""",
        "4.6. Records.",
    ),
    p(
        """The Processor has designated a data protection officer, who can be contacted as follows:
        {{ processor.dpo.name }}, email {{ processor.dpo.email }}, telephone {{ processor.dpo.phone }}.""",
        "4.7. Data protection officer.",
    ),
    p(
        """The Processor informs the Controller without undue delay, to the extent permitted by law, of any
        legally binding request for disclosure of the Data received from a public authority, challenges requests
        it considers unlawful and discloses only the minimum Data necessary to comply with the request.""",
        "4.8. Requests from public authorities.",
    ),
    p(
        """The Processor cooperates, on request, with the supervisory authority in the performance of its
        tasks.""",
        "4.9.",
    ),
    # 5 ------------------------------------------------------------------------------------------------------
    h1("5. Sub-processors"),
    IF_GENERAL,
    p(
        """The Controller grants the Processor general written authorisation, within the meaning of Article
        28(2) GDPR, to engage Sub-processors. The Sub-processors used as at {{ agreement.as_of }}, listed in
        Annex III, are accepted by the Controller by signing this Agreement.""",
        "5.1. General authorisation.",
    ),
    p(
        """The Processor informs the Controller in writing of any intended addition or replacement of a
        Sub-processor at least {{ agreement.notice_period_days }} calendar days before the date on which the
        Sub-processor is to start processing the Data. The notice states the Sub-processor's name and address,
        contact person, processing activities and the categories of Data concerned, the processing locations,
        the transfer mechanism where applicable, and the intended date of engagement, so that the Controller
        can exercise its right to object.""",
        "5.2. Prior notice.",
    ),
    p(
        """Within the period set out in Clause 5.2, the Controller may object in writing to the proposed
        Sub-processor, stating the data protection grounds for its objection. The Processor shall not give the
        proposed Sub-processor access to the Controller's Data before that period has expired.""",
        "5.3. Right to object.",
    ),
    p(
        """The Parties expressly agree that, if the Controller does not object within the period set out in
        Clause 5.2, the change is deemed accepted and Annex III is deemed updated accordingly.""",
        "5.4. No objection.",
    ),
    p(
        """If the Controller objects, the Parties shall seek a solution in good faith. The Processor may, at its
        option: (a) propose an alternative Sub-processor or an alternative configuration of the Services; or
        (b) continue to provide the Services without the Sub-processor objected to processing the Controller's
        Data. If no solution is reasonably possible before the date of engagement, the Controller may terminate
        the affected Services or the Main Agreement, without penalty, by written notice given before that
        date, and the Processor shall refund any fees paid in advance for the period after termination.""",
        "5.5. Remedies on objection.",
    ),
    ELSE,
    p(
        """The Processor shall not engage any Sub-processor without the Controller's prior specific written
        authorisation within the meaning of Article 28(2) GDPR. By signing this Agreement, the Controller
        authorises the Sub-processors listed in Annex III, used as at {{ agreement.as_of }}.""",
        "5.1. Specific authorisation.",
    ),
    p(
        """For any addition or replacement of a Sub-processor, the Processor requests the Controller's approval
        in writing at least {{ agreement.notice_period_days }} calendar days before the date on which the
        Sub-processor is to start processing the Data. The request contains the information the Controller
        needs to decide: the Sub-processor's name and address, contact person, processing activities and the
        categories of Data concerned, the processing locations, the transfer mechanism where applicable, and
        the intended date of engagement.""",
        "5.2. Request for approval.",
    ),
    p(
        """The Controller communicates its approval or refusal in writing within the period set out in Clause
        5.2. The Processor shall not give the proposed Sub-processor access to the Controller's Data before it
        has received the written approval.""",
        "5.3. Controller's decision.",
    ),
    p(
        """The Parties expressly agree that the absence of an answer from the Controller within the period set
        out in Clause 5.2 does not constitute approval, and the Processor shall not engage the proposed
        Sub-processor.""",
        "5.4. No answer.",
    ),
    p(
        """If the Controller refuses its approval, the Processor may propose an alternative Sub-processor by a
        new request or continue to provide the Services without that Sub-processor. If the Services can no
        longer reasonably be provided without the proposed Sub-processor, either Party may terminate the
        affected Services, without penalty, by 30 days' written notice, and the Processor shall refund any fees
        paid in advance for the period after termination.""",
        "5.5. Remedies on refusal.",
    ),
    ENDIF,
    p(
        """The Processor imposes on each Sub-processor, by a written contract, the same data protection
        obligations as those set out in this Agreement, in particular the obligation to provide sufficient
        guarantees to implement appropriate technical and organisational measures so that the processing meets
        the requirements of the GDPR (Article 28(4) GDPR). At the Controller's request, the Processor provides
        a copy of that contract, from which confidential commercial information may be redacted.""",
        "5.6. Same obligations.",
    ),
    p(
        """The Processor remains fully liable to the Controller for the performance of its Sub-processors'
        obligations and verifies the guarantees they provide before engagement and periodically thereafter.""",
        "5.7. Liability.",
    ),
    p(
        """The Processor keeps the list of Sub-processors up to date, with each Sub-processor's name, address,
        contact details, processing activities and locations, publishes it on its website
        ({{ processor.website }}) and makes it available to the Controller at all times. Annex III reflects that
        list as at {{ agreement.as_of }}.""",
        "5.8. List of Sub-processors.",
    ),
    tag("if client.notice_contacts"),
    p(
        """Notices, requests and answers under this Clause are given in writing. The Processor sends them by
        email to the persons designated by the Controller to receive notices: {{ client.notice_contacts }}. The
        Controller sends them to {{ processor.email }} and promptly communicates any change of its designated
        persons.""",
        "5.9. Notices.",
    ),
    ELSE,
    p(
        """Notices, requests and answers under this Clause are given in writing. The Processor sends them to the
        email address communicated in writing by the Controller for that purpose or, failing that, to the
        Controller's representative named under “Parties”, at the Controller's registered office. The
        Controller sends them to {{ processor.email }}.""",
        "5.9. Notices.",
    ),
    ENDIF,
    # 6 ------------------------------------------------------------------------------------------------------
    h1("6. Transfers to third countries"),
    p(
        """The Processor does not transfer the Data to a Third Country or an international organisation, and
        does not allow its Sub-processors to do so, except on the Controller's Documented Instructions and in
        compliance with Chapter V GDPR, that is, on the basis of an adequacy decision (Article 45), of
        appropriate safeguards (Article 46), such as the Standard Contractual Clauses or binding corporate rules
        (Article 47), or, exceptionally, of a derogation under Article 49 GDPR.""",
        "6.1.",
    ),
    tag("if transfers"),
    p(
        """As at {{ agreement.as_of }}, the Data are transferred outside the EEA in the cases below, which the
        Controller authorises by signing this Agreement, each on the basis indicated:""",
        "6.2.",
    ),
    Table(
        widths=(0.9, 3.6, 3.8, 2.8, 5.5),
        header=("No.", "Sub-processor", "Country and location", "Activity", "Transfer mechanism"),
        loop="t in transfers",
        rows=(
            (
                "{{ loop.index }}",
                "{{ t.subprocessor }}",
                ("{{ t.country_name }}", "{{ t.label }}"),
                "{{ t.role }}",
                "{{ t.mechanism_text }}",
            ),
        ),
    ),
    ELSE,
    p(
        """As at {{ agreement.as_of }}, the Data are not transferred to any Third Country or international
        organisation; they are processed solely within the EEA. Any future transfer is subject to Clause 5 and
        to this Clause.""",
        "6.2.",
    ),
    ENDIF,
    p(
        """Where a transfer relies on the Standard Contractual Clauses, the Processor ensures that they have been
        entered into with the Sub-processor in the appropriate module (as a rule, Module Three, processor to
        processor) and that it has assessed, taking into account the laws and practices of the third country of
        destination, whether supplementary measures are needed, and implements them where they are.""",
        "6.3.",
    ),
    p(
        """Where a transfer relies on an adequacy decision, including the recipient's certification under the
        EU-U.S. Data Privacy Framework (Implementing Decision (EU) 2023/1795), and that decision is invalidated
        or suspended or the certification lapses, the Processor promptly puts in place another mechanism under
        Chapter V GDPR or stops the transfer, and informs the Controller.""",
        "6.4.",
    ),
    p(
        """The Processor informs the Controller without delay if it can no longer ensure compliance with the
        safeguards applicable to a transfer; in that case, the Controller may require the transfer to be
        suspended.""",
        "6.5.",
    ),
    # 7 ------------------------------------------------------------------------------------------------------
    h1("7. Personal data breach notification"),
    p(
        """The Processor notifies the Controller of any personal data breach affecting the Data, without undue
        delay and in any event within 24 hours after becoming aware of it. The notification is sent by email to
        the persons referred to in Clause 5.9.""",
        "7.1.",
    ),
    p(
        """The notification contains, to the extent available, the information required by Article 33(3)
        GDPR:""",
        "7.2.",
    ),
    item(
        """a description of the nature of the breach, including, where possible, the categories and
        approximate number of data subjects concerned and the categories and approximate number of personal
        data records concerned;""",
        "(a)",
    ),
    item(
        """the name and contact details of the data protection officer or of another contact point where more
        information can be obtained;""",
        "(b)",
    ),
    item("a description of the likely consequences of the breach;", "(c)"),
    item(
        """a description of the measures taken or proposed by the Processor to address the breach, including,
        where appropriate, measures to mitigate its possible adverse effects;""",
        "(d)",
    ),
    item(
        "the date and time of the breach, where known, and the date and time it was discovered.",
        "(e)",
    ),
    p(
        """Where, and in so far as, it is not possible to provide the information at the same time, it may be
        provided in phases without further undue delay: an initial notification, within the 24-hour period,
        with the information available at that time; follow-up notifications as further information becomes
        available; and a final report once the incident is closed.""",
        "7.3. Notification in phases.",
    ),
    p(
        """The Processor promptly takes the measures necessary to contain the breach, investigates its causes,
        documents it and assists the Controller in meeting its obligations to notify the supervisory authority
        (Article 33 GDPR) and to communicate the breach to data subjects (Article 34 GDPR). The Processor
        requires its Sub-processors to notify it without delay, so that the period in Clause 7.1 can be met.""",
        "7.4.",
    ),
    p(
        """The Processor does not notify the supervisory authority or communicate with data subjects on behalf
        of the Controller without the Controller's prior instructions, unless required to do so by law.
        Notification of a breach is not, in itself, an acknowledgement of fault or liability.""",
        "7.5.",
    ),
    # 8 ------------------------------------------------------------------------------------------------------
    h1("8. Assistance with data subjects' rights"),
    p(
        """Taking into account the nature of the processing, the Processor assists the Controller by appropriate
        technical and organisational measures, insofar as this is possible, in fulfilling the Controller's
        obligation to respond to requests for exercising the data subjects' rights laid down in Chapter III
        GDPR: the rights of access, rectification, erasure and restriction of processing, the right to data
        portability, the right to object and the rights related to automated individual decision-making.""",
        "8.1.",
    ),
    p(
        """If the Processor receives a request from a data subject concerning the Data directly, it forwards it
        to the Controller without undue delay and in any event within 5 business days, and does not respond to
        it other than to refer the data subject to the Controller, unless the Controller has authorised it in
        writing to do so.""",
        "8.2.",
    ),
    p(
        """The Processor carries out the Controller's instructions to rectify, erase, restrict or export Data
        within timeframes that allow the Controller to meet the response period under Article 12(3) GDPR.""",
        "8.3.",
    ),
    # 9 ------------------------------------------------------------------------------------------------------
    h1("9. Information and audits"),
    p(
        """The Processor makes available to the Controller all information necessary to demonstrate compliance
        with the obligations laid down in Article 28 GDPR and in this Agreement, and allows for and contributes
        to audits, including inspections, conducted by the Controller or another auditor mandated by the
        Controller.""",
        "9.1.",
    ),
    p(
        """The Processor may respond to an audit request, in the first instance, by providing relevant
        documentation, independent audit reports or valid certifications. Where these are not sufficient to
        demonstrate compliance, the Controller may carry out an on-site or remote audit.""",
        "9.2.",
    ),
    p(
        """Audits are announced in writing at least 15 business days in advance and are carried out during
        business hours, without unreasonably disrupting the Processor's business and without compromising the
        security and confidentiality of other customers' data, no more than once a year, unless a personal data
        breach affecting the Data has occurred or the audit is required by a supervisory authority. An auditor
        mandated by the Controller is bound by confidentiality and shall not be a competitor of the
        Processor.""",
        "9.3.",
    ),
    p(
        """Each Party bears its own audit costs. If an audit reveals a material non-compliance, the Processor
        remedies it without delay at its own cost and reimburses the Controller's reasonable audit costs.""",
        "9.4.",
    ),
    # 10 -----------------------------------------------------------------------------------------------------
    h1("10. Return and deletion of the Data"),
    p(
        """On termination of the Services, the Processor, at the Controller's choice, deletes all the Data or
        returns them to the Controller and deletes existing copies, unless Union or Member State law requires
        their storage.""",
        "10.1.",
    ),
    p(
        """The Controller communicates its choice in writing within 30 days of termination. The Data are
        returned by making them available in a structured, commonly used and machine-readable format. If no
        choice is communicated within that period, the Processor deletes the Data within 30 days after its
        expiry.""",
        "10.2.",
    ),
    p(
        """Backup copies are deleted in the ordinary rotation cycle, which does not exceed 90 days; until
        deletion, they remain protected under this Agreement and are not processed for any other purpose.""",
        "10.3.",
    ),
    p(
        """Where the law requires certain Data to be retained, the Processor keeps them confidential and
        processes them only to the extent and for as long as required by law. At the Controller's request, the
        Processor confirms the deletion of the Data in writing.""",
        "10.4.",
    ),
    # 11 -----------------------------------------------------------------------------------------------------
    h1("11. Liability"),
    p(
        """Each Party is liable for damage caused to the other Party or to data subjects by its breach of this
        Agreement or of Data Protection Law, in accordance with Article 82 GDPR.""",
        "11.1.",
    ),
    p(
        """The Processor is liable for the damage caused by processing only where it has not complied with
        obligations of the GDPR specifically directed to processors or where it has acted outside or contrary
        to the Controller's lawful instructions.""",
        "11.2.",
    ),
    p(
        """Where both Parties are involved in the same processing and are liable for the same damage, the Party
        that has paid full compensation is entitled to claim back from the other Party the part of the
        compensation corresponding to that Party's part of the responsibility (Article 82(5) GDPR).""",
        "11.3.",
    ),
    p(
        """The limitations of liability set out in the Main Agreement also apply to this Agreement, to the
        extent permitted by law. They do not apply to damage caused intentionally or by gross negligence and do
        not limit the rights of data subjects.""",
        "11.4.",
    ),
    # 12 -----------------------------------------------------------------------------------------------------
    h1("12. Term and termination"),
    p(
        """This Agreement enters into force on the date on which it has been signed by both Parties and remains
        in effect for as long as the Processor processes Data on behalf of the Controller.""",
        "12.1.",
    ),
    p(
        """Termination of the Main Agreement terminates this Agreement. Obligations which by their nature survive
        termination, in particular those relating to confidentiality, return and deletion of the Data, audits
        and liability, remain in force until fulfilled.""",
        "12.2.",
    ),
    p(
        """If the Processor is in serious breach of this Agreement or of Data Protection Law and does not remedy
        the breach within 15 days of the Controller's written notice, the Controller may suspend the processing
        and terminate this Agreement and the Main Agreement, in whole or in part, with immediate effect,
        without the intervention of a court and without any other formality.""",
        "12.3.",
    ),
    p(
        """If the Controller insists on an instruction which the Processor has reported under Clause 4.2 as
        infringing Data Protection Law, the Processor may terminate this Agreement and the affected Services by
        written notice.""",
        "12.4.",
    ),
    p(
        """Updates to Annex III made in accordance with Clause 5 do not require an amendment. Any other change to
        this Agreement is made in writing, as a new version signed by both Parties.""",
        "12.5.",
    ),
    # 13 -----------------------------------------------------------------------------------------------------
    h1("13. Notices"),
    p(
        """Communications between the Parties under this Agreement are made in writing. Communications to the
        Processor are sent to {{ processor.email }} and those concerning data protection also to its data
        protection officer at {{ processor.dpo.email }}. Communications to the Controller are sent in
        accordance with Clause 5.9.""",
        "13.1.",
    ),
    p("Each Party promptly notifies the other of any change to its contact details.", "13.2."),
    # 14 -----------------------------------------------------------------------------------------------------
    h1("14. Governing law, disputes and supervisory authority"),
    p("This Agreement is governed by Romanian law.", "14.1."),
    p(
        """The Parties shall try to settle amicably any dispute arising out of or in connection with this
        Agreement. Failing that, the dispute shall be settled by the competent courts of Romania.""",
        "14.2.",
    ),
    p(
        """The supervisory authority competent for the Processor is {{ processor.supervisory_authority.name }},
        {{ processor.supervisory_authority.address }} (email {{ processor.supervisory_authority.email }},
        telephone {{ processor.supervisory_authority.phone }}, {{ processor.supervisory_authority.website }}).
        This is without prejudice to the competence of other supervisory authorities under the GDPR and to the
        right of data subjects to lodge a complaint with a supervisory authority.""",
        "14.3.",
    ),
    # 15 -----------------------------------------------------------------------------------------------------
    h1("15. Final provisions"),
    p(
        """If any provision of this Agreement is held invalid or unenforceable, the remaining provisions remain
        in force, and the Parties shall replace that provision with a valid one that reflects as closely as
        possible their intention and the requirements of the GDPR.""",
        "15.1.",
    ),
    p(
        """This Agreement may be signed by hand or by electronic signature, as permitted by law. Each Party
        keeps a copy having the same legal effect.""",
        "15.2.",
    ),
    p("", "Signatures"),
    Table(
        widths=(8.3, 8.3),
        borders=False,
        header=("THE CONTROLLER", "THE PROCESSOR"),
        rows=(
            ("{{ client.legal_name }}", "{{ processor.legal_name }}"),
            ("Name: {{ client.signatory.name }}", "Name: {{ processor.representative.name }}"),
            ("Title: {{ client.signatory.title }}", "Title: {{ processor.representative.title }}"),
            ("Signature: ________________________", "Signature: ________________________"),
            ("Date: ____________________________", "Date: ____________________________"),
        ),
    ),
    # Annex I ------------------------------------------------------------------------------------------------
    annex("Annex I. List of parties and description of the processing"),
    h2("A. Parties"),
    Table(
        widths=(3.8, 6.4, 6.4),
        header=("", "Controller", "Processor"),
        rows=(
            (
                "Name",
                "{{ client.legal_name }}{% if not client.name == client.legal_name %} ({{ client.name }}){% endif %}",
                "{{ processor.legal_name }}",
            ),
            ("Address", "{{ client.address }}, {{ client.country_name }}", "{{ processor.address }}"),
            (
                "Registration number",
                "{% if client.registration_number %}{{ client.registration_number }}{% else %}—{% endif %}",
                "{{ processor.registration_number }}",
            ),
            (
                "Tax/VAT identification number",
                "{% if client.vat_id %}{{ client.vat_id }}{% else %}—{% endif %}",
                "{{ processor.vat_id }}",
            ),
            (
                "Representative",
                "{{ client.signatory.name }}, {{ client.signatory.title }}",
                "{{ processor.representative.name }}, {{ processor.representative.title }}",
            ),
            (
                "Contact persons",
                "{% if client.notice_contacts %}{{ client.notice_contacts }}{% else %}—{% endif %}",
                (
                    "{{ processor.email }}, {{ processor.phone }}, {{ processor.website }}",
                    "Data protection officer: {{ processor.dpo.name }}, {{ processor.dpo.email }}, "
                    "{{ processor.dpo.phone }}",
                ),
            ),
            ("Role", "Controller", "Processor"),
            (
                "Relevant activities",
                "Use of the Services listed in Section B",
                "Provision of the Services and processing of the Data on behalf of the Controller",
            ),
        ),
    ),
    h2("B. Description of the processing"),
    p("the Services provided to the Controller:", "Subject matter of the processing:"),
    tag("for s in services"),
    bullet("{{ s.name }}: {{ s.description }}"),
    ENDFOR,
    tag("if not services"),
    bullet("the services set out in the Main Agreement."),
    ENDIF,
    p(
        """{% if processing.data_subjects %}{{ processing.data_subjects }}{% else %}the data subjects whose data
        the Controller enters into the Services{% endif %}.""",
        "Categories of data subjects:",
    ),
    p(
        """{% if processing.data_categories %}{{ processing.data_categories }}{% else %}the data the Controller
        enters into the Services{% endif %}.""",
        "Categories of personal data:",
    ),
    p(
        """the processing does not concern special categories of personal data or personal data relating to
        criminal convictions and offences, except as provided in Clause 3.3 of the Agreement.""",
        "Sensitive data:",
    ),
    p(
        """the operations described in Clause 2.3 of the Agreement, carried out mainly by automated means within
        the Services.""",
        "Nature of the processing:",
    ),
    p("provision of the Services to the Controller, in accordance with Clause 2.4 of the Agreement.", "Purpose:"),
    p("continuous, for as long as the Services are provided.", "Frequency:"),
    p(
        """for the term of the Main Agreement; after its end, the Data are returned or deleted in accordance with
        Clause 10 of the Agreement.""",
        "Duration of the processing and retention period:",
    ),
    p(
        """those listed in Annex III, as at {{ agreement.as_of }}; transfers to third countries are set out in
        Clause 6 of the Agreement.""",
        "Sub-processors:",
    ),
    h2("C. Competent supervisory authority"),
    p("{{ processor.supervisory_authority.name }}"),
    p("{{ processor.supervisory_authority.address }}", "Address:"),
    p("{{ processor.supervisory_authority.email }}", "Email:"),
    p("{{ processor.supervisory_authority.phone }}", "Telephone:"),
    p("{{ processor.supervisory_authority.website }}", "Website:"),
    # Annex II -----------------------------------------------------------------------------------------------
    annex("Annex II. Technical and organisational measures"),
    p(
        """In accordance with Article 32 GDPR and Clause 4.4 of the Agreement, the Processor implements and
        maintains the following technical and organisational measures, including measures to ensure the
        security of the Data:"""
    ),
    listing("processor.toms"),
    p(
        """Sub-processors are contractually bound to apply measures ensuring at least an equivalent level of
        protection (Clause 5.6 of the Agreement). The Processor may update the measures above without reducing
        the overall level of security; the updated description is made available to the Controller on
        request."""
    ),
    # Annex III ----------------------------------------------------------------------------------------------
    annex("Annex III. List of Sub-processors"),
    p(
        """The Controller has authorised the engagement of the following Sub-processors in accordance with
        Clause 5 of the Agreement. The list reflects the situation as at {{ agreement.as_of }}; the up-to-date
        list is published by the Processor in accordance with Clause 5.8 of the Agreement."""
    ),
    Table(
        widths=(0.9, 3.0, 2.8, 2.8, 3.8, 3.3),
        header=(
            "No.",
            "Sub-processor",
            "Address",
            "Contact person",
            "Activity, purpose and data processed",
            "Locations and transfer mechanism",
        ),
        loop="sp in subprocessors",
        rows=(
            (
                "{{ loop.index }}",
                (
                    "{{ sp.name }}",
                    "{% if not sp.legal_name == sp.name %}{{ sp.legal_name }}{% endif %}",
                    "{{ sp.website }}",
                ),
                ("{{ sp.address }}", "{{ sp.country_name }}"),
                "{% if sp.contact %}{{ sp.contact }}{% else %}—{% endif %}",
                ("{{ sp.category }}: {{ sp.purpose }}", "Data: {{ sp.data_categories }}"),
                "{{ sp.locations_text }}",
            ),
        ),
    ),
    tag("if not subprocessors"),
    p(
        """As at {{ agreement.as_of }}, the Processor does not engage any Sub-processor to process the
        Controller's Data."""
    ),
    ELSE,
    p(
        """Each Sub-processor processes the Data only to the extent necessary for the activity indicated above,
        on the Processor's instructions and under its responsibility (Clause 5.7 of the Agreement); the Processor
        remains the Controller's sole point of contact for the processing carried out by Sub-processors."""
    ),
    ENDIF,
]


# --------------------------------------------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    code: str
    proofing: str  # Word proofing language of the text
    title: str  # core property "title"
    subject: str
    footer: tuple[str, str]  # text before the page number, text between page number and page count
    blocks: list[Block]


LANGUAGES: tuple[Language, ...] = (
    Language(
        code="ro",
        proofing="ro-RO",
        title="Acord de prelucrare a datelor cu caracter personal",
        subject="Art. 28 din Regulamentul (UE) 2016/679",
        footer=("Acord nr. {{ agreement.number }}, versiunea {{ agreement.version }} | Pagina ", " din "),
        blocks=RO,
    ),
    Language(
        code="en",
        proofing="en-GB",
        title="Data Processing Agreement",
        subject="Article 28 of Regulation (EU) 2016/679",
        footer=("Agreement No. {{ agreement.number }}, version {{ agreement.version }} | Page ", " of "),
        blocks=EN,
    ),
)


# --------------------------------------------------------------------------------------------------------------
# Builder
# --------------------------------------------------------------------------------------------------------------

_STYLES: dict[Kind, str] = {
    "title": "Title",
    "subtitle": "Subtitle",
    "h1": "Heading 1",
    "h2": "Heading 2",
    "annex": "Heading 1",
    "p": "Normal",
    "item": "Normal",
    "bullet": "List Bullet",
    "tag": "Normal",
    "listing": "Normal",
}
_BLOCK_TAGS = ("{%p", "{%tr", "{%tc", "{%r", "{{p", "{{tr", "{{r")


def _check(text: str, *, is_tag: bool = False) -> None:
    """Fail early on text docxtpl would misread."""
    if text.count("{{") != text.count("}}") or text.count("{%") != text.count("%}"):
        raise ValueError(f"unbalanced template tag: {text!r}")
    if not is_tag and any(marker in text for marker in _BLOCK_TAGS):
        raise ValueError(f"paragraph/row-level tag mixed with text: {text!r}")


def _set_proofing_language(style: ParagraphStyle, proofing: str) -> None:
    """Set the proofing (spell-check) language of a style (w:lang)."""
    rpr = style.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), proofing)
    lang.set(qn("w:eastAsia"), proofing)
    lang.set(qn("w:bidi"), proofing)
    rpr.append(lang)


def _setup(doc: DocxDocument, lang: Language) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)

    styles = doc.styles
    normal = styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    _set_proofing_language(normal, lang.proofing)

    dark = RGBColor(0x1F, 0x2A, 0x44)
    for name, size in (("Title", 20), ("Subtitle", 11), ("Heading 1", 13), ("Heading 2", 11.5)):
        style = styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = dark
        style.font.italic = False
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Heading 1"].paragraph_format.space_before = Pt(14)
    styles["Heading 2"].paragraph_format.space_before = Pt(10)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, between = lang.footer
    _check(before)
    _add_text(footer, before, size=8.5)
    _add_field(footer, "PAGE", size=8.5)
    _add_text(footer, between, size=8.5)
    _add_field(footer, "NUMPAGES", size=8.5)


def _add_text(paragraph: Paragraph, text: str, *, bold: bool = False, size: float | None = None) -> None:
    """Add `text` as ONE run (so a Jinja tag is never split across runs)."""
    run = paragraph.add_run(text)
    run.bold = bold or None
    if size is not None:
        run.font.size = Pt(size)


def _add_field(paragraph: Paragraph, instruction: str, *, size: float) -> None:
    """A simple Word field (PAGE, NUMPAGES), updated by Word when the document is displayed."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} \\* MERGEFORMAT ")
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    rpr.append(sz)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(rpr)
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _add_paragraph(doc: DocxDocument, block: Para) -> None:
    _check(block.text, is_tag=block.kind == "tag")
    if block.lead:
        _check(block.lead)
        if "{" in block.lead:
            raise ValueError(f"a lead-in cannot hold template tags: {block.lead!r}")
    paragraph = doc.add_paragraph(style=_STYLES[block.kind])
    fmt = paragraph.paragraph_format
    if block.kind in ("p", "item"):
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if block.kind == "item":
        fmt.left_indent = Cm(0.8)
    if block.kind == "annex":
        fmt.page_break_before = True
    if block.kind == "p" and block.lead and not block.text:  # a bold line on its own (e.g. "Signatures")
        fmt.keep_with_next = True
    if block.lead:
        _add_text(paragraph, block.lead + (" " if block.text else ""), bold=True)
    if block.text:
        _add_text(paragraph, block.text)


def _tag_row(table: DocxTable, statement: str) -> None:
    """A row holding only a {%tr ... %} tag: docxtpl replaces the whole row with the Jinja statement."""
    text = "{%tr " + statement + " %}"
    _check(text, is_tag=True)
    table.add_row().cells[0].paragraphs[0].add_run(text)  # type: ignore[no-untyped-call]


def _fill_cell(cell: _Cell, value: Cell, *, bold: bool = False) -> None:
    texts = (value,) if isinstance(value, str) else value
    first = cell.paragraphs[0]
    for index, text in enumerate(texts):
        _check(text)
        paragraph = first if index == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _add_text(paragraph, text, bold=bold, size=9)


def _add_table(doc: DocxDocument, block: Table) -> None:
    columns = len(block.widths)
    table = doc.add_table(rows=0, cols=columns)
    table.style = doc.styles["Table Grid"] if block.borders else doc.styles["Normal Table"]
    table.autofit = False
    if block.header:
        row = table.add_row()
        for cell, text in zip(row.cells, block.header, strict=True):
            _fill_cell(cell, text, bold=True)
        if block.borders:  # repeat the header row on every page
            header_flag = OxmlElement("w:tblHeader")
            header_flag.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(header_flag)
    if block.loop:
        _tag_row(table, "for " + block.loop)
    for values in block.rows:
        row = table.add_row()
        for cell, value in zip(row.cells, values, strict=True):
            _fill_cell(cell, value)
    if block.loop:
        _tag_row(table, "endfor")
    for index, width in enumerate(block.widths):
        table.columns[index].width = Cm(width)
        for cell in table.columns[index].cells:
            cell.width = Cm(width)


def _set_core_properties(doc: DocxDocument, lang: Language) -> None:
    props = doc.core_properties
    props.title = lang.title
    props.subject = lang.subject
    props.language = lang.proofing
    props.author = ""
    props.last_modified_by = ""
    props.comments = "Template generated by contracts/build.py; docxtpl variables: see contracts/README.md"
    props.keywords = "GDPR; Art. 28; DPA"
    props.revision = 1
    props.created = FIXED_DATE
    props.modified = FIXED_DATE


def _write_reproducibly(doc: DocxDocument, path: Path) -> None:
    """Save with a fixed timestamp on every archive member, so that identical text gives identical bytes."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename))
    path.write_bytes(out.getvalue())


def build(lang: Language, path: Path) -> None:
    doc = Document()
    _setup(doc, lang)
    for block in lang.blocks:
        if isinstance(block, Table):
            _add_table(doc, block)
        else:
            _add_paragraph(doc, block)
    _set_core_properties(doc, lang)
    _write_reproducibly(doc, path)


def main() -> None:
    for lang in LANGUAGES:
        path = HERE / f"dpa.{lang.code}.docx"
        build(lang, path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
