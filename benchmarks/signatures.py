"""Issuer signatures on the real set: which files are signed and how, and whether every tampered copy is
caught (`signature.broken` or `file.damaged`, never `verified`; a file too broken to read is `rejected`).

    .venv/bin/python -m benchmarks.signatures [--real ../shared/real-invoices/files]

Prints one line per signed file (algorithm, signer, state, pipeline status) and a table of alterations with how
many copies were caught. Exits 1 if any signed original does not verify or any tampered copy is not caught.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pymupdf

from fapiao.core.models import Status
from fapiao.intake.pipeline import Pipeline, PipelineOptions
from fapiao.intake.signatures import check_ofd_signatures, check_pdf_signatures
from fapiao.intake.signatures.findings import BROKEN, DAMAGED
from fapiao.intake.signatures.pdf import BYTERANGE_RE

ROOT = Path(__file__).resolve().parents[1]


def _flip(data: bytes, pos: int) -> bytes:
    return data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1 :]


def _pymupdf_edit(data: bytes, incremental: bool) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.pdf"
        path.write_bytes(data)
        doc = pymupdf.open(path)
        doc[0].insert_text((60, 60), "9999.00", fontsize=9)
        if incremental:
            doc.saveIncr()
            doc.close()
            return path.read_bytes()
        out = doc.tobytes()
        doc.close()
        return out


def pdf_alterations(data: bytes) -> dict[str, bytes]:
    a, b, c, d = map(int, BYTERANGE_RE.search(data).groups())
    return {
        "byte flipped in signed part 1": _flip(data, a + b // 2),
        "byte flipped in signed part 2": _flip(data, c + d // 2),
        "bytes appended after %%EOF": data + b"\n% appended\n",
        "text edit, PyMuPDF save()": _pymupdf_edit(data, incremental=False),
        "text edit, PyMuPDF saveIncr()": _pymupdf_edit(data, incremental=True),
        "cut by 1 byte": data[:-1],
        "cut by 20 bytes": data[:-20],
        "cut by 200 bytes": data[:-200],
        "cut to half": data[: len(data) // 2],
    }


def _rezip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info))
            if body is not None:
                dst.writestr(info.filename, body)
    return out.getvalue()


def _edit_page(name: str, body: bytes) -> bytes:
    if not name.endswith("Pages/Page_0/Content.xml"):
        return body
    at = body.find(b"<", body.find(b"TextCode") + 10) - 1  # the last character of the first TextCode
    return body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]


def ofd_alterations(data: bytes) -> dict[str, bytes]:
    return {
        "OFD: page content edited": _rezip(data, _edit_page),
        "OFD: template part removed": _rezip(data, lambda n, b: None if "Tpl" in n and n.endswith(".xml") else b),
        "OFD: file added": _with_extra(data),
        "OFD: cut by 100 bytes": data[:-100],
    }


def _with_extra(data: bytes) -> bytes:
    out = io.BytesIO(_rezip(data, lambda n, b: b))
    with zipfile.ZipFile(out, "a") as z:
        z.writestr("Doc_0/Res/extra.png", b"\x89PNG not covered")
    return out.getvalue()


def caught(pipeline: Pipeline, data: bytes, name: str) -> tuple[bool, str]:
    results = pipeline.process_bytes(data, name)
    outcome = []
    ok = True
    for r in results:
        codes = {f.code for f in r.findings} & {BROKEN, DAMAGED}
        outcome.append(f"{r.status.value}{'+' + '+'.join(sorted(codes)) if codes else ''}")
        ok &= r.status is not Status.verified and (r.status is Status.rejected or bool(codes))
    return ok, ", ".join(outcome)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "real-invoices" / "files")
    args = ap.parse_args()
    pipeline = Pipeline(PipelineOptions(ocr=False))
    files = sorted(p for p in args.real.iterdir() if p.suffix in (".pdf", ".ofd"))
    algorithms: Counter[str] = Counter()
    tally: dict[str, list[int]] = {}
    failures = []
    signed = 0
    for path in files:
        data = path.read_bytes()
        checks = check_ofd_signatures(data) if path.suffix == ".ofd" else check_pdf_signatures(data)
        if not checks:
            print(f"{path.name:14} unsigned")
            continue
        signed += 1
        for c in checks:
            algorithms[f"{c.kind.split(':', 1)[1]} · {c.algorithm} · {c.digest_algorithm}"] += 1
        (status,) = {r.status.value for r in pipeline.process_bytes(data, path.name)}
        states = ", ".join(c.state for c in checks)
        signers = "; ".join(c.details.get("signer_name") or "?" for c in checks)
        print(f"{path.name:14} {states:8} {status:12} {checks[0].algorithm} — {signers}")
        if any(c.state != "valid" for c in checks):
            if path.name != "ofd_008.ofd":  # the OFD specification's sample: placeholder values, fails by design
                failures.append(f"{path.name}: original does not verify")
            continue
        variants = pdf_alterations(data) if path.suffix == ".pdf" else ofd_alterations(data)
        for label, altered in variants.items():
            ok, outcome = caught(pipeline, altered, path.name)
            row = tally.setdefault(label, [0, 0])
            row[0] += ok
            row[1] += 1
            if not ok:
                failures.append(f"{path.name} {label}: {outcome}")
    print(f"\n{signed} of {len(files)} PDF/OFD files are signed")
    for label, n in algorithms.most_common():
        print(f"  {n:2} × {label}")
    print("\n| alteration | caught |\n|---|---|")
    for label, (ok, total) in tally.items():
        print(f"| {label} | {ok}/{total} |")
    total_ok, total = sum(v[0] for v in tally.values()), sum(v[1] for v in tally.values())
    print(f"\n{total_ok}/{total} tampered copies caught")
    for f in failures:
        print("NOT CAUGHT:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
