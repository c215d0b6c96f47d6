"""An installed wheel carries the built-in templates, found through the lookup the app uses."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from registry.i18n import LANGUAGES
from tests.contracts.text_copy import CONTRACTS, ROOT

_ANYWHERE = shutil.ignore_patterns("__pycache__", "*.egg-info", ".*_cache")


def _not_source(folder: str, names: list[str]) -> set[str]:
    top = {".git", ".venv", "build", "dist", "instance"} if Path(folder) == ROOT else set()
    return top.intersection(names) | _ANYWHERE(folder, names)


_PROBE = """
import hashlib, json, registry
from registry.dpas.services import builtin_template_file
from registry.i18n import LANGUAGES
print(json.dumps({
    "registry": registry.__file__,
    "files": {lang: hashlib.sha256(builtin_template_file(lang).read_bytes()).hexdigest() for lang in LANGUAGES},
}))
"""


def _run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=240, check=False)  # noqa: S603 (our own commands)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_installed_wheel_has_the_templates(tmp_path: Path) -> None:
    # Build from a copy of the working tree, so that no build/ is left in the checkout (a stale build/lib would
    # leak removed files into later wheels).
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=_not_source)
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, ".", cwd=source)
    (wheel,) = wheels.glob("registry-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = sorted(name for name in archive.namelist() if name.startswith("registry/contracts/"))
    expected_files = [f"registry/contracts/dpa.{lang}.docx" for lang in sorted(LANGUAGES)]
    assert shipped == expected_files, "the wheel must carry contracts/dpa.*.docx only (package-data in pyproject.toml)"

    # A fresh virtualenv with just the wheel; the dependencies are read from this one (a .pth line adds its
    # site-packages, without running its .pth files, so the editable install of the checkout stays out).
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel, cwd=tmp_path
    )
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip())
    (site / "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    found = json.loads(_run(python, "-I", "-c", _PROBE, cwd=outside).splitlines()[-1])  # -I: no PYTHONPATH, no cwd
    assert Path(found["registry"]).is_relative_to(site), f"registry imported from {found['registry']}, not the wheel"
    expected = {lang: hashlib.sha256((CONTRACTS / f"dpa.{lang}.docx").read_bytes()).hexdigest() for lang in LANGUAGES}
    assert found["files"] == expected
