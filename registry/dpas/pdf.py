"""PDF copies of generated documents through LibreOffice, when it is installed."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from registry.errors import NotFound, RegistryError

TIMEOUT_SECONDS = 120
_profiles: set[Path] = set()
_lock = threading.Lock()  # one LibreOffice profile per process, and a profile serves one conversion at a time


class ConversionFailed(RegistryError):
    status = 503


def _profile_dir() -> Path:
    """This process's LibreOffice profile (concurrent soffice processes must not share one), removed at exit."""
    profile = Path(tempfile.gettempdir()) / f"registry-lo-{os.getpid()}"
    if profile not in _profiles:
        _profiles.add(profile)
        atexit.register(shutil.rmtree, profile, ignore_errors=True)
    return profile


def soffice() -> str | None:
    return shutil.which("soffice")


def docx_to_pdf(document: bytes, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Convert a .docx to PDF with `soffice --headless`.

    :raise NotFound: LibreOffice is not installed.
    :raise ConversionFailed: the conversion failed or took longer than `timeout` seconds.
    """
    executable = soffice()
    if executable is None:
        raise NotFound(
            "PDF copies need LibreOffice (soffice), which is not installed on this server: download the .docx."
        )
    with _lock, tempfile.TemporaryDirectory(prefix="registry-pdf-") as workdir:
        profile = _profile_dir()
        source = Path(workdir) / "document.docx"
        source.write_bytes(document)
        command = [
            executable,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            workdir,
            str(source),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)  # noqa: S603 (fixed argv)
        except subprocess.TimeoutExpired:
            raise ConversionFailed(f"The PDF conversion took longer than {timeout:g} seconds.") from None
        except subprocess.CalledProcessError as error:
            detail = (error.stderr or b"").decode(errors="replace").strip()[:300]
            raise ConversionFailed(f"The PDF conversion failed: {detail or error}") from None
        target = source.with_suffix(".pdf")
        if not target.exists():
            raise ConversionFailed("The PDF conversion produced no file.")
        return target.read_bytes()
