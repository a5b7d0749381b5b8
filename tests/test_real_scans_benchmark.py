"""The real print-and-scan benchmark's scoring and page making (benchmarks/real_scans.py)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from benchmarks.real_scans import REAL_DIR, _spread, load_truth, printed_pages, score_invoice

TRUTH = {
    "file": "x.pdf",
    "invoice_type": "e_normal",
    "invoice_code": "044031900211",
    "invoice_number": "37820761",
    "issue_date": "2020-07-06",
    "check_code": "05660235979008260151",
    "buyer_name": "个人",
    "buyer_tax_id": "",
    "seller_name": "深圳市白云航空旅游有限公司",
    "seller_tax_id": "91440300192478382J",
    "total_amount": "37990.57",
    "total_tax": "2279.43",
    "amount_with_tax": "40270.00",
}


def _invoice(**changes) -> dict:
    inv = {k: v for k, v in TRUTH.items() if k != "file"}
    inv["invoice_type"] = "e_normal"
    inv["buyer_tax_id"] = None
    inv["total_tax"] = "2279.430"
    inv["seller_name"] = "深圳市白云 航空旅游有限公司"
    inv.update(changes)
    return inv


def test_scoring_follows_the_truth_conventions():
    # amounts as Decimal, names without whitespace, an empty truth cell wants an empty field
    right = score_invoice(TRUTH, _invoice(), "verified")
    assert (right.scored, right.right, right.all_right, right.silent) == (12, 12, True, False)
    wrong = score_invoice(TRUTH, _invoice(buyer_tax_id="91440300192478382J", total_tax=None), "verified")
    assert wrong.right == 10 and wrong.silent
    assert wrong.wrong == ["buyer_tax_id: ∅ → 91440300192478382J", "total_tax: 2279.43 → ∅"]
    assert not score_invoice(TRUTH, None, None).verified


def test_a_quick_run_spreads_its_files_over_the_kinds():
    files = [f"einv_{i}" for i in range(14)] + [f"sd_{i}" for i in range(9)] + [f"toll_{i}" for i in range(3)]
    picked = _spread(files, 4)
    assert len(picked) == 4 and {f.split("_")[0] for f in picked} == {"einv", "sd", "toll"}
    assert _spread(files, None) == files


def test_a_real_invoice_is_printed_and_scanned_at_the_asked_resolution():
    if not (REAL_DIR / "truth.tsv").exists():
        pytest.skip(f"the real-invoice set is not at {REAL_DIR.resolve()}")
    truth = load_truth()
    pages = printed_pages(truth, [72], 0.0, 1)
    assert len(pages) == 1 and pages[0].truth["file"].endswith(".pdf") and pages[0].profile == "scan"
    img = cv2.imdecode(np.frombuffer(pages[0].data, np.uint8), cv2.IMREAD_COLOR)
    assert 500 < max(img.shape[:2]) < 800  # a 215 mm page at 72 dpi, on the scanner's lid


def test_only_picks_pages_by_file_and_resolution():
    from benchmarks.real_scans import selected

    assert selected("sd_006.pdf@150", ["sd_006@150"]) and selected("sd_006.pdf@200", ["sd_006"])
    assert selected("toll_002.pdf@150", ["sd_00*", "toll_*@150"]) and selected("img_001.png", ["img_001.png"])
    assert not selected("sd_006.pdf@300", ["sd_006@150"]) and not selected("sd_0061.pdf@150", ["sd_006"])
    assert selected("einv_001.pdf@150", [])  # no pattern: every page
