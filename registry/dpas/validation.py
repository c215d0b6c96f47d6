"""Check an uploaded Word template before it can be used: sound .docx, valid Jinja, known variables, sandbox-safe.

Two layers: a static check of every templated part (syntax, names, attribute paths, `_`/dunder access, includes,
`safe`) and trial renders, through the real renderer, with a full and an empty sample context.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from lxml import etree

from registry.clients.models import Authorization, Client, ClientContact
from registry.dpas.processes import process_context
from registry.dpas.rendering import CONTEXT_NAMES, MAX_NUMBER, RenderError, build_context, environment, render
from registry.errors import Invalid
from registry.profile.models import ProcessorProfile
from registry.subprocessors.models import Service

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_TAG = re.compile(r"<[^>]+>")
_TEXT_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")
_LEFTOVER = re.compile(r"\{\{|\{%|\{#|%\}|#\}|\}\}")


@dataclass(frozen=True)
class TemplateCheck:
    variables: list[str]
    """The context paths the template reads ("client.legal_name", "subprocessors[].name", ...), sorted."""


def _fail(message: str) -> Invalid:
    return Invalid(message, {"file": [message]})


# -- sample contexts ---------------------------------------------------------------------------------------


def sample_context(language: str, *, full: bool = True) -> dict[str, Any]:
    """A context with every variable of the spec set (`full`) or with empty lists and strings (not `full`).

    The full sample carries characters that break careless templates ('&', '<', quotes, diacritics).
    """
    client = Client(
        id=7,
        name='Smith & <Co> "Ltd" — Ștefănescu' if full else "",
        legal_name="Societatea Ștefănescu & Fiii SRL" if full else "",
        registration_number="J40/14190/2013" if full else None,
        vat_id="RO123456" if full else None,
        address="Str. Exemplu 1\nBucurești" if full else "",
        country="RO",
        language=language,
        authorization=Authorization.GENERAL if full else Authorization.SPECIFIC,
        notice_period_days=30,
        signatory_name="Ana Pop" if full else None,
        signatory_title="Administrator" if full else None,
        special_categories=["health"] if full else [],
        special_categories_safeguards="Encryption & <access logs>" if full else None,
    )
    if full:
        client.services = [Service(slug="crm", name="CRM & <Sales>", description="Customer relationship management")]
        client.contacts = [
            ClientContact(name="Ana Pop", email="ana@example.ro", role="dpo", receives_notices=True),
            ClientContact(name="", email="it@example.ro", role="it", receives_notices=True),
        ]
    profile = ProcessorProfile(
        legal_name="Exemplu Software SRL" if full else "",
        address="Bd. Exemplu 2, Cluj-Napoca" if full else "",
        registration_number="J12/1/2020" if full else "",
        vat_id="RO1" if full else "",
        email="privacy@example.com" if full else "",
        phone="+40 700 000 000" if full else "",
        website="https://example.com" if full else "",
        representative_name="Ion Ionescu" if full else "",
        representative_title="Director" if full else "",
        dpo_name="Maria Popescu" if full else "",
        dpo_email="dpo@example.com" if full else "",
        dpo_phone="+40 700 000 001" if full else "",
        authority_name="ANSPDCP" if full else "",
        authority_address="B-dul G-ral. Gheorghe Magheru 28-30, București" if full else "",
        authority_email="anspdcp@dataprotection.ro" if full else "",
        authority_phone="+40 31 805 9211" if full else "",
        authority_website="https://www.dataprotection.ro" if full else "",
        toms_ro="Criptare & pseudonimizare\nControl acces <roluri>" if full else "",
        toms_en="Encryption & pseudonymisation\nAccess control <roles>" if full else "",
    )
    subprocessors: list[dict[str, Any]] = []
    if full:
        subprocessors = [
            {
                "id": 1,
                "name": "Szolgáltató és Tanácsadó Kft.",
                "legal_name": "Szolgáltató és Tanácsadó Kft.",
                "address": "1125 Budapest",
                "country": "HU",
                "website": "https://example.hu",
                "contact": {"name": "Kovács Éva", "position": "DPO", "email": "dpo@example.hu", "phone": None},
                "category": "hosting",
                "purpose": "Hosting & backups",
                "data_categories": ["identification data", "contact data"],
                "data_subjects": ["client users"],
                "locations": [
                    {"country": "DE", "label": "EU (Frankfurt)", "role": "storage", "mechanism": "eea"},
                    {"country": "CH", "label": "Zürich", "role": "backup", "mechanism": "adequacy"},
                ],
            },
            {
                "id": 2,
                "name": 'Smith & <Co> "Ltd"',
                "legal_name": 'Smith & <Co> "Ltd"',
                "address": "1 Main St, Springfield",
                "country": "US",
                "website": None,
                "contact": {"name": None, "position": None, "email": "privacy@smith.example", "phone": None},
                "category": "support",
                "purpose": "Customer support",
                "data_categories": ["contact data"],
                "data_subjects": ["client users", "end customers"],
                "locations": [
                    {"country": "US", "label": "", "role": "support", "mechanism": "scc", "mechanism_detail": "3"}
                ],
            },
        ]
    return build_context(
        client,
        profile,
        subprocessors,
        language=language,
        number="DPA-2026-0007",
        version=2,
        as_of=date(2026, 11, 22),
        today=date(2026, 11, 22),
        list_url="https://registry.example.com/subprocessors?lang=ro&x=<1>" if full else "",
        feed_url="https://registry.example.com/feeds/clients/token&x.atom" if full else "",
    )


# -- static checks --------------------------------------------------------------------------------------------


def _parts(template: DocxTemplate) -> Iterator[tuple[str, str]]:
    """(name, patched XML) of every part docxtpl renders: body, headers, footers, footnotes, properties."""
    template.init_docx()
    yield "body", template.patch_xml(template.get_xml())
    for uri, kind in ((template.HEADER_URI, "header"), (template.FOOTER_URI, "footer")):
        for _, part in template.get_headers_footers(uri):
            yield kind, template.patch_xml(template.get_part_xml(part))
    for part in template.docx.part.package.parts:
        if part.content_type == _FOOTNOTES:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            yield "footnotes", template.patch_xml(blob)
    properties = template.docx.core_properties
    for name in ("author", "comments", "identifier", "language", "subject", "title"):
        value = getattr(properties, name)
        if value:
            yield f"document property {name}", value


def _with_lines(xml: str) -> str:
    # The same line layout docxtpl renders with (one paragraph per line), so error lines match.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _line_text(source: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = source.splitlines()
    if not 0 < lineno <= len(lines):
        return ""
    text = _TAG.sub("", lines[lineno - 1]).strip()
    return text if len(text) <= 120 else text[:117] + "..."


def _sandbox_problem(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        return f"access to the attribute {node.attr!r}"
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
        and node.arg.value.startswith("_")
    ):
        return f"access to the item {node.arg.value!r}"
    if isinstance(node, nodes.Filter) and node.name == "attr":
        return "the |attr filter"
    if isinstance(node, nodes.Filter) and node.name == "safe":
        return "the |safe filter (it turns off escaping and breaks the document on '&' or '<')"
    if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
        return "include/import/extends (a template must be self-contained)"
    if (
        isinstance(node, nodes.Const)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
        and abs(node.value) > MAX_NUMBER
    ):
        return f"the number {node.value} (numbers above {MAX_NUMBER} are not allowed)"
    if isinstance(node, nodes.Pow):
        return "the ** operator"
    if isinstance(node, nodes.ScopedEvalContextModifier | nodes.EvalContextModifier):
        return "{% autoescape %} (escaping cannot be turned off)"
    return None


def _path(node: nodes.Node, aliases: dict[str, str]) -> str | None:
    """ "client.signatory.name" for `client.signatory.name` (a loop variable maps to "subprocessors[]")."""
    if isinstance(node, nodes.Name):
        if node.name in CONTEXT_NAMES:
            return node.name
        return aliases.get(node.name)
    if isinstance(node, nodes.Getattr):
        base = _path(node.node, aliases)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        base = _path(node.node, aliases)
        return f"{base}.{node.arg.value}" if base else None
    return None


def _resolve(path: str, sample: dict[str, Any]) -> str | None:
    """The part of `path` that names context data (string methods etc. trimmed), or None if it names nothing."""
    value: Any = sample
    steps: list[str] = []
    for step in path.split("."):
        if not isinstance(value, dict):
            break  # past a leaf: a string method or a Listing, which the trial render checks
        name = step.removesuffix("[]")
        if name not in value:
            return None
        value = value[name]
        if step.endswith("[]"):
            value = value[0] if isinstance(value, list) and value else ""
        steps.append(step)
    return ".".join(steps)


def _walk(ast: nodes.Template) -> tuple[set[str], list[str]]:
    """The attribute paths a template reads and its sandbox problems."""
    aliases: dict[str, str] = {}
    for loop in ast.find_all(nodes.For):
        base = _path(loop.iter, aliases)
        if base and isinstance(loop.target, nodes.Name):
            aliases[loop.target.name] = f"{base}[]"
    paths: set[str] = set()
    problems: list[str] = []
    for node in ast.find_all(nodes.Node):
        problem = _sandbox_problem(node)
        if problem:
            problems.append(problem)
        if isinstance(node, nodes.Getattr | nodes.Name):
            path = _path(node, aliases)
            if path:
                paths.add(path)
    return paths, problems


# -- the check ----------------------------------------------------------------------------------------------


def _open(data: bytes) -> DocxTemplate:
    if len(data) > MAX_TEMPLATE_BYTES:
        raise _fail(f"The file is larger than {MAX_TEMPLATE_BYTES // (1024 * 1024)} MB.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            uncompressed = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise _fail("The file is not a Word document (.docx): it is not a ZIP package.") from None
    if "word/document.xml" not in names:
        raise _fail("The file is not a Word document (.docx): it has no word/document.xml.")
    if uncompressed > MAX_UNCOMPRESSED_BYTES:
        raise _fail("The document is too large once uncompressed.")
    template = DocxTemplate(io.BytesIO(data))
    try:
        template.init_docx()
    except (PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError) as error:
        raise _fail(f"The file is not a readable Word document (.docx): {error}") from None
    return template


def validate_template(data: bytes, language: str) -> TemplateCheck:
    """Check a .docx template; return the variables it uses.

    :raise Invalid: with the reason under `file`: not a .docx, Jinja syntax error (with the line), unknown
        variables (named), sandbox violations, or a trial render that fails or leaves a tag behind.
    """
    template = _open(data)
    env = environment()
    sample = sample_context(language)
    paths: set[str] = set()
    unknown: set[str] = set()
    problems: list[str] = []
    for part, source in _parts(template):
        source = _with_lines(source)
        try:
            ast = env.parse(source)
        except TemplateSyntaxError as error:
            # Line 1 holds the part's opening tag and every paragraph starts a line: line n is paragraph n - 1.
            line = max((error.lineno or 1) - 1, 1) if part in ("body", "header", "footer", "footnotes") else 1
            text = _line_text(source, error.lineno)
            where = f"{part}, line {line}" + (f" “{text}”" if text else "")
            raise Invalid(
                f"Template syntax error in the {where}: {error.message}",
                {"file": [f"{error.message} ({where})"], "line": [str(line)]},
            ) from None
        found, sandbox = _walk(ast)
        problems.extend(sandbox)
        names = meta.find_undeclared_variables(ast)
        unknown |= {name for name in names if name not in CONTEXT_NAMES and name not in env.globals}
        for path in found:
            resolved = _resolve(path, sample)
            if resolved is None:
                unknown.add(path)
            else:
                paths.add(resolved)
    if problems:
        listed = "; ".join(sorted(set(problems)))
        raise _fail(f"The template breaks the sandbox rules: {listed}.")
    if unknown:
        listed = ", ".join(sorted(unknown))
        raise Invalid(
            f"The template uses variables the DPA context does not have: {listed}.",
            {"file": [f"Unknown variables: {listed}."], "variables": sorted(unknown)},
        )
    _trials_with_deadline(data, language)
    used = {p for p in paths if not any(o.startswith(p + ".") or o.startswith(p + "[]") for o in paths)}
    return TemplateCheck(sorted(used))


TRIAL_SECONDS = 10.0
"""How long the trial renders of an upload may take: a template can loop without bound, the sandbox cannot stop it."""


def _trials_with_deadline(data: bytes, language: str) -> None:
    """Render the template with the full and the empty sample context in a child process, killed at the deadline."""
    context = process_context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_trials_in_child, args=(data, language, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(TRIAL_SECONDS):
            child.kill()
            raise _fail(f"The template takes longer than {TRIAL_SECONDS:g} s to render a sample agreement.")
        outcome = receiver.recv()
    except EOFError:
        outcome = _fail("The template's trial render crashed.")
    finally:
        receiver.close()
        child.join()
    if outcome is not None:
        raise outcome


def _trials_in_child(data: bytes, language: str, sender: Connection) -> None:
    try:
        for full in (True, False):
            _trial(data, sample_context(language, full=full))
        sender.send(None)
    except Invalid as error:
        sender.send(error)
    finally:
        sender.close()


def _trial(data: bytes, context: dict[str, Any]) -> None:
    kind = "full" if context["subprocessors"] else "empty"
    try:
        document = render(data, context)
    except SecurityError as error:
        raise _fail(f"The template breaks the sandbox: {error}") from None
    except UndefinedError as error:
        raise _fail(f"The template uses something the DPA context does not have ({kind} sample): {error}") from None
    except TemplateError as error:
        raise _fail(f"The template fails to render ({kind} sample): {error}") from None
    except RenderError as error:
        raise _fail(f"The template cannot be rendered ({kind} sample): {error}") from None
    except Exception as error:  # any failure of a trial render makes the template unusable
        raise _fail(f"The template fails to render ({kind} sample): {type(error).__name__}: {error}") from None
    leftover = _leftover_tags(document)
    if leftover:
        raise _fail(
            f"A template tag was left in the rendered document ({leftover!r}): a tag split by Word formatting "
            "or typed with a space inside its braces?"
        )


def document_text(document: bytes) -> str:
    """All the text of a .docx's main parts (body, headers, footers, footnotes), markup stripped."""
    chunks: list[str] = []
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        for name in archive.namelist():
            if _TEXT_PART.fullmatch(name):
                root = etree.fromstring(archive.read(name))
                chunks.append("".join(root.itertext()))
    return "\n".join(chunks)


def _leftover_tags(document: bytes) -> str:
    match = _LEFTOVER.search(document_text(document))
    return match.group(0) if match else ""
