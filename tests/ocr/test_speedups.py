"""What makes scans cheaper to read must not change what is read: the fused models and the skipped 密码区 rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fapiao.ocr.engines.cipher import cipher_block, reads_as_cipher
from fapiao.ocr.engines.fuse import fuse_model

pytestmark = pytest.mark.slow  # the OCR models

EXAMPLES = Path(__file__).resolve().parents[2] / "samples" / "examples"


def _quad(x0, y0, x1, y1):
    return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def _page(with_cipher=True, extra=()):
    """Detected boxes of an old-layout header: code block top right, buyer rows left, cipher rows right."""
    quads = [_quad(800, 40, 1000, 60), _quad(800, 70, 960, 90)]  # 发票代码 / 发票号码 lines
    quads += [_quad(60, 200 + 40 * k, 500, 220 + 40 * k) for k in range(4)]  # buyer rows
    if with_cipher:
        quads += [_quad(720, 198 + 40 * k, 1130, 220 + 40 * k) for k in range(4)]
    quads += [_quad(60, 500, 300, 520), _quad(400, 500, 700, 520)]  # items header
    return quads + list(extra)


def test_a_cipher_shaped_stack_is_found_and_nothing_else():
    quads = _page()
    assert cipher_block(quads, 1200, 800) == [6, 7, 8, 9]
    assert cipher_block(_page(with_cipher=False), 1200, 800) == []
    # something detected inside the block (another layout's text between the rows): not a cipher block
    assert cipher_block(_page(extra=[_quad(900, 222, 1000, 236)]), 1200, 800) == []
    # uneven rows, or rows of different lengths, are not one
    uneven = _page(with_cipher=False) + [_quad(720, y, 1130, y + 22) for y in (198, 238, 330, 370)]
    assert cipher_block(uneven, 1200, 800) == []
    ragged = _page(with_cipher=False) + [_quad(720, 198 + 40 * k, 1130 - 90 * k, 220 + 40 * k) for k in range(4)]
    assert cipher_block(ragged, 1200, 800) == []
    # the same stack low on the page (the items table) or on the left (the buyer block) is not the cipher area
    low = [_quad(720, 600 + 40 * k, 1130, 622 + 40 * k) for k in range(4)]
    assert cipher_block(low, 1200, 1000) == []


def test_only_cipher_reads_as_cipher():
    assert reads_as_cipher("<>>72*659<1/27>15679>3/<049")
    assert reads_as_cipher("03-1*<7/6?09>+91-2*4<0/59->")  # one character misread
    assert not reads_as_cipher("91440303018975746D")  # a tax ID
    assert not reads_as_cipher("6215 5800 0123 4567 890")  # an account: digits without operators
    assert not reads_as_cipher("2024-03-30")  # too short
    assert not reads_as_cipher("深圳市福田区高新大道222号0755-8114665")


def _model(section: str) -> bytes:
    import yaml
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, root_dir

    return (root_dir / yaml.safe_load(DEFAULT_CFG_PATH.read_text())[section]["model_path"]).read_bytes()


@pytest.mark.parametrize("section", ["Det", "Rec", "Cls"])
def test_fused_models_compute_the_same(section):
    import onnxruntime as ort

    raw = _model(section)
    fused, report = fuse_model(raw)
    assert report.hard_swishes > 0 and len(fused) < len(raw) * 1.3
    if section != "Cls":
        assert report.affines_into_conv > 0 and report.affines_into_next_conv > 0
    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    a = ort.InferenceSession(raw, opts, providers=["CPUExecutionProvider"])
    b = ort.InferenceSession(fused, opts, providers=["CPUExecutionProvider"])
    shape = {"Det": (1, 3, 320, 480), "Rec": (1, 3, 48, 320), "Cls": (1, 3, 48, 192)}[section]
    x = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    name = a.get_inputs()[0].name
    pa, pb = a.run(None, {name: x})[0], b.run(None, {name: x})[0]
    assert np.abs(pa - pb).max() < 1e-3
    # the character list the recogniser reads from the model's metadata is kept
    assert a.get_modelmeta().custom_metadata_map == b.get_modelmeta().custom_metadata_map


def test_a_model_without_the_patterns_passes_through():
    # a tiny hand-made ONNX graph would need the onnx package; any bytes that are not a graph do as well
    junk = bytes([0x08, 0x07])  # ModelProto.ir_version = 7, no graph
    assert fuse_model(junk)[0] == junk


def test_fused_engine_reads_the_page_as_the_shipped_models_do(page):
    from fapiao.ocr.engines.rapid import RapidOcrEngine
    from fapiao.ocr.read import ocr_page
    from fapiao.ocr.settings import OcrSettings

    img, truth = page
    shipped, fused = RapidOcrEngine(OcrSettings(fuse_models=False)), RapidOcrEngine(OcrSettings())
    try:
        assert fused.fused and not shipped.fused
        a, b = ocr_page(img, engine=shipped), ocr_page(img, engine=fused)
    finally:
        shipped.close()
        fused.close()
    assert len(a.boxes) > 30
    assert [x.text for x in a.boxes] == [y.text for y in b.boxes]
    assert np.allclose([x.bbox for x in a.boxes], [y.bbox for y in b.boxes], atol=1.0)


def test_cipher_rows_of_a_committed_scan_are_skipped_and_every_field_is_right():
    import cv2

    from fapiao.intake.pipeline import Pipeline
    from fapiao.ocr.engines import get_engine
    from fapiao.ocr.read import ocr_page
    from fapiao.ocr.settings import OcrSettings
    from samples.generator.build import load_truth
    from samples.scoring import compare

    path = EXAMPLES / "e_special_scan_upside_down.jpg"
    engine = get_engine(OcrSettings())
    image = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    boxes = ocr_page(image, engine=engine).boxes
    assert engine.skipped_cipher_lines == 3  # four rows: one read to make sure, three left unread
    assert len([b for b in boxes if reads_as_cipher(b.text)]) == 1  # the row read to make sure
    truth = load_truth(path)[0]
    result = next(r for r in Pipeline().process_bytes(path.read_bytes(), path.name) if r.invoice is not None)
    cmp = compare(truth.model_dump(mode="json"), result.invoice, printed=True)
    assert cmp.all_key_fields_right, cmp.wrong


def _tiny_model(scale: float, shift: float, channels: int = 4) -> bytes:
    """x → Mul(scale) → Add(shift) → 3×3 depthwise Conv with zero padding → y: the chain PP-LCNetV3 leaves in
    front of its padded depthwise convolutions, written with fuse's own protobuf helpers (no onnx package)."""
    from fapiao.ocr.engines import fuse as f

    def attr_int(name, value, kind=2):
        return (5, 2, f._encode([(1, 2, name.encode()), (3, 0, value), (20, 0, kind)]))

    def attr_ints(name, values):
        return (5, 2, f._encode([(1, 2, name.encode())] + [(8, 0, v) for v in values] + [(20, 0, 7)]))

    def node(op, ins, outs, *attrs):
        items = [(1, 2, i.encode()) for i in ins] + [(2, 2, o.encode()) for o in outs]
        return (1, 2, f._encode([*items, (3, 2, outs[0].encode()), (4, 2, op.encode()), *attrs]))

    def value_info(name):
        dims = [(1, 2, f._encode([(1, 0, 1)])), (1, 2, f._encode([(1, 0, channels)]))]
        dims += [(1, 2, f._encode([(2, 2, b"h")])), (1, 2, f._encode([(2, 2, b"w")]))]
        tensor_type = f._encode([(1, 0, 1), (2, 2, f._encode(dims))])
        return f._encode([(1, 2, name.encode()), (2, 2, f._encode([(1, 2, tensor_type)]))])

    rng = np.random.default_rng(3)
    weights = rng.normal(size=(channels, 1, 3, 3)).astype(np.float32)
    graph = [
        node("Mul", ["x", "s"], ["m"]),
        node("Add", ["m", "a"], ["z"]),
        node("Conv", ["z", "w", "b"], ["y"], attr_int("group", channels), attr_ints("pads", [1, 1, 1, 1])),
        (5, 2, f._tensor_proto("s", np.float32([scale]))),
        (5, 2, f._tensor_proto("a", np.float32([shift]))),
        (5, 2, f._tensor_proto("w", weights)),
        (5, 2, f._tensor_proto("b", rng.normal(size=channels).astype(np.float32))),
        (11, 2, value_info("x")),
        (12, 2, value_info("y")),
    ]
    opset = f._encode([(1, 2, b""), (2, 0, 13)])
    return f._encode([(1, 0, 8), (8, 2, opset), (7, 2, f._encode(graph))])


def test_an_affine_before_a_padded_convolution_becomes_one_pointwise_convolution():
    """It cannot go into the padded convolution's weights (the zero padding would stop being zero); as a 1×1
    depthwise convolution it stays in ONNX Runtime's blocked layout instead of two element-wise passes with
    a layout reorder on either side."""
    import onnxruntime as ort

    raw = _tiny_model(0.63, -0.55)
    fused, report = fuse_model(raw)
    assert report.affines_as_pointwise == 1
    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    x = np.random.default_rng(0).uniform(-4, 4, (1, 4, 9, 13)).astype(np.float32)
    want = ort.InferenceSession(raw, opts, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    got = ort.InferenceSession(fused, opts, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    assert np.abs(want - got).max() < 1e-5  # the border pixels too: the padding still pads z with zeros


@pytest.mark.parametrize("section", ["Det", "Rec"])
def test_no_scalar_affine_is_left_in_front_of_a_convolution(section):
    fused, report = fuse_model(_model(section))
    assert report.affines_as_pointwise >= 10


@pytest.mark.parametrize("limit_type", ["max", "min"])
def test_the_detector_input_is_made_bit_for_bit_as_rapidocr_makes_it(limit_type):
    """rapidocr normalises the page in float64 (its mean and std are float64 arrays) before casting to float32:
    three passes over a megapixel in double precision. A per-channel table of the 256 values it can produce
    gives the very same float32 input."""
    from rapidocr_onnxruntime.ch_ppocr_det.text_detect import DetPreProcess

    from fapiao.ocr.engines.rapid import TableDetPreProcess

    rng = np.random.default_rng(1)
    for shape, mean, std in (
        ((793, 1189, 3), [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
        ((1700, 900, 3), [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ((31, 40, 3), [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
    ):
        img = rng.integers(0, 256, shape, dtype=np.uint8)
        want = DetPreProcess(1216, limit_type, mean, std)(img)
        got = TableDetPreProcess(1216, limit_type, mean, std)(img)
        assert got.dtype == want.dtype == np.float32 and got.shape == want.shape
        assert np.array_equal(got, want)


def test_only_a_whole_run_of_an_impossible_id_length_gets_its_tail_read_again():
    """The tail re-read (two extra recogniser runs at PP-OCR's full padding) is for an ID that lost its last
    character or two. A 20-digit check code or 数电 invoice number is complete: the last 19 of its digits are not
    an ID missing one (on 13 real print-scan pages 16 of the 20 lines re-read were such numbers, none changed)."""
    from fapiao.ocr.engines.rapid import short_id_run

    assert short_id_run("91310114666025597") == "91310114666025597"  # 17: one short of a tax ID
    assert short_id_run("纳税人识别号：9131011466602559") == "9131011466602559"  # 16
    assert short_id_run("校验码：51449280430628915350") is None  # 20 digits: complete
    assert short_id_run("发票号码：25322000000337005189") is None
    assert short_id_run("号：263770000002177995801") is None  # longer than any ID
    assert short_id_run("913101146660255974") is None  # 18: a whole tax ID
    assert short_id_run("开户行及账号：中国工商银行淮安浦东支行1110025419200088807") == "1110025419200088807"  # 19


def test_lines_read_one_task_each_come_out_as_read_phase_by_phase():
    """With a pool, each line is cut, recognised and tail-checked in one task (cutting and the tail re-reads
    overlap with other lines' recognition); the lines read must be those of the phase-by-phase path (all cut,
    then all recognised, then the tails), text, confidence, character positions and alternatives alike."""
    import cv2

    from fapiao.ocr.engines.rapid import RapidOcrEngine
    from fapiao.ocr.preprocess import prepare_page
    from fapiao.ocr.preprocess.crops import OriginalCrops
    from fapiao.ocr.settings import OcrSettings

    engine = RapidOcrEngine(OcrSettings(threads=2))
    path = EXAMPLES / "e_special_scan_upside_down.jpg"
    image = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    prep = prepare_page(image, engine=engine)[0]
    crops = OriginalCrops(image, prep.to_original)
    try:
        calls = []
        each = engine._read_each
        engine._read_each = lambda *a, **k: calls.append(1) or each(*a, **k)
        pipelined = engine.read_lines_from(prep.image, crops, upright=True)
        assert calls  # the one-task-per-line path was taken
        pool, engine._rec_pool = engine._rec_pool, None  # no pool: the phase-by-phase path
        try:
            phased = engine.read_lines_from(prep.image, crops, upright=True)
        finally:
            engine._rec_pool = pool
    finally:
        engine.close()
    assert len(pipelined) > 30
    assert pipelined == phased
