"""The engine registry: configuration chooses, one instance per process, clear errors for missing engines."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from fapiao.core.errors import NeedsOcr
from fapiao.core.models import FieldSource
from fapiao.ocr.engines import OcrEngineUnavailable, get_engine, registry
from fapiao.ocr.engines.base import CharSpan, NullEngine, OcrLine
from fapiao.ocr.engines.paddle import PaddleOcrEngine
from fapiao.ocr.engines.replay import ReplayEngine, image_key, record
from fapiao.ocr.lines import lines_to_boxes
from fapiao.ocr.settings import OcrSettings


@pytest.fixture
def recording(tmp_path):
    path = tmp_path / "rec.json"
    path.write_text(
        json.dumps(
            {
                "*": [
                    {
                        "text": "发票号码：12345678",
                        "quad": [[10, 10], [200, 10], [200, 30], [10, 30]],
                        "confidence": 0.98,
                        "alternatives": ["发票号码：12345673"],
                    },
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("FAPIAO_OCR_ENGINE", "replay")
    monkeypatch.setenv("FAPIAO_OCR_DET_LIMIT_SIDE_LEN", "1280")
    monkeypatch.setenv("FAPIAO_OCR_USE_CLS", "false")
    s = OcrSettings()
    assert (s.engine, s.det_limit_side_len, s.use_cls) == ("replay", 1280, False)


def test_settings_refuse_unknown_engine_and_bad_booleans(monkeypatch):
    monkeypatch.setenv("FAPIAO_OCR_ENGINE", "tesseract")
    with pytest.raises(ValueError):
        OcrSettings()
    monkeypatch.setenv("FAPIAO_OCR_ENGINE", "rapidocr")
    monkeypatch.setenv("FAPIAO_OCR_USE_CLS", "perhaps")
    with pytest.raises(ValueError):
        OcrSettings()


def test_configuration_selects_the_engine(recording):
    engine = get_engine(OcrSettings(engine="replay", replay_path=recording))
    assert isinstance(engine, ReplayEngine)
    boxes = engine.read(np.zeros((50, 300, 3), np.uint8), page=2)
    assert [b.text for b in boxes] == ["发票号码：12345678"]
    box = boxes[0]
    assert box.source is FieldSource.ocr and box.page == 2 and box.bbox == (10, 10, 200, 30)
    assert box.confidence == pytest.approx(0.98) and box.alternatives == ("发票号码：12345673",)


def test_one_instance_per_process_even_under_concurrent_first_use(recording, monkeypatch):
    settings = OcrSettings(engine="replay", replay_path=recording, split_gap=3.0)
    built = []
    original = registry.ENGINES["replay"]

    def slow_factory(s):
        built.append(s)
        threading.Event().wait(0.05)
        return original(s)

    monkeypatch.setitem(registry.ENGINES, "replay", slow_factory)
    got = []
    threads = [threading.Thread(target=lambda: got.append(get_engine(settings))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1
    assert all(e is got[0] for e in got)
    assert get_engine(settings) is got[0]


def test_rapidocr_is_the_default_and_shared(rapid_engine):
    assert OcrSettings().engine == "rapidocr"
    assert get_engine(OcrSettings(engine="rapidocr")) is rapid_engine
    assert rapid_engine.name == "rapidocr" and rapid_engine.capabilities.char_positions


def test_paddleocr_without_paddle_says_what_is_missing_and_how_to_fix_it():
    with pytest.raises(OcrEngineUnavailable) as info:
        get_engine(OcrSettings(engine="paddleocr"))
    message = str(info.value)
    assert "`paddle` is not installed" in message and "`paddleocr` is not installed" in message
    assert "FAPIAO_OCR_PADDLE_DET_DIR" in message and "FAPIAO_OCR_PADDLE_REC_DIR" in message
    assert "FAPIAO_OCR_ENGINE=rapidocr" in message
    assert isinstance(info.value, NeedsOcr) and info.value.code == "ocr_engine_unavailable"


def test_paddleocr_names_a_model_directory_that_does_not_exist(tmp_path):
    with pytest.raises(OcrEngineUnavailable) as info:
        PaddleOcrEngine(
            OcrSettings(engine="paddleocr", paddle_det_dir=tmp_path / "nope", paddle_rec_dir=tmp_path, use_cls=False)
        )
    assert f"FAPIAO_OCR_PADDLE_DET_DIR={tmp_path / 'nope'} is not a directory" in str(info.value)
    assert "PADDLE_REC_DIR" not in str(info.value)


def test_replay_without_a_recording_is_a_clear_error():
    with pytest.raises(OcrEngineUnavailable, match="FAPIAO_OCR_REPLAY_PATH"):
        ReplayEngine(OcrSettings(engine="replay"))


def test_record_and_replay_round_trip(tmp_path):
    img = np.full((40, 100, 3), 255, np.uint8)
    line = OcrLine(
        "合计 ¥100.00",
        ((0, 0), (100, 0), (100, 20), (0, 20)),
        0.9,
        chars=tuple(CharSpan(c, i / 10, (i + 0.8) / 10, 0.9) for i, c in enumerate("合计 ¥100.00")),
    )
    rec = record(NullEngine(lines=[line]), [img], tmp_path / "r.json")
    assert image_key(img) in rec
    replayed = ReplayEngine(path=tmp_path / "r.json").read_lines(img)
    assert replayed[0].text == line.text and len(replayed[0].chars) == len(line.chars)


def test_lines_are_split_at_wide_gaps_and_keep_alternatives():
    # "日期：2024" then a gap of ~6 line heights, then "校验码"
    chars = [CharSpan(c, 0.02 * i, 0.02 * i + 0.018, 0.99) for i, c in enumerate("日期2024")]
    chars += [CharSpan(c, 0.6 + 0.02 * i, 0.6 + 0.02 * i + 0.018, 0.8) for i, c in enumerate("校验码")]
    text = "日期2024校验码"
    line = OcrLine(
        text, ((0, 0), (1000, 0), (1000, 20), (0, 20)), 0.9, chars=tuple(chars), alternatives=("日期2024校验玛",)
    )
    boxes = lines_to_boxes([line], split_gap=2.5)
    assert [b.text for b in boxes] == ["日期2024", "校验码"]
    assert boxes[0].x1 < boxes[1].x0 and boxes[1].x0 == pytest.approx(600)
    assert boxes[1].confidence == pytest.approx(0.8) and boxes[1].alternatives == ("校验玛",)
    assert boxes[0].alternatives == ()


def _spans(text: str, start: float, step: float, confidence: float = 0.99) -> list[CharSpan]:
    return [CharSpan(c, start + step * i, start + step * i + 0.8 * step, confidence) for i, c in enumerate(text)]


def _line(text: str, x0: float, x1: float, y0: float = 100, y1: float = 120) -> OcrLine:
    step = 1 / len(text)
    return OcrLine(text, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), 0.99, chars=tuple(_spans(text, 0, step)))


def test_a_widely_spaced_label_read_as_two_regions_is_one_label_box_again():
    # real form "名    称：个人": the detector finds "名" alone and "称：个人" 3.5 line heights to its right
    boxes = lines_to_boxes([_line("名", 90, 110), _line("称：个人", 180, 260)])
    assert [b.text for b in boxes] == ["名称：", "个人"]
    assert boxes[0].x0 == pytest.approx(90) and boxes[1].x0 > 215


def test_spaced_label_pieces_join_only_when_alone_on_their_line_and_near():
    far = lines_to_boxes([_line("名", 10, 30), _line("称：深圳市骏合商贸有限公司", 200, 460)])
    assert far[0].text == "名"  # 8.5 line heights apart: not one label
    between = lines_to_boxes([_line("名", 90, 110), _line("X", 130, 150), _line("称：个人", 180, 260)])
    assert "名" in [b.text for b in between]
    other_line = lines_to_boxes([_line("名", 90, 110, 130, 150), _line("称：个人", 180, 260)])
    assert [b.text for b in other_line] == ["名", "称：", "个人"]


def test_three_piece_spaced_label_is_joined():
    boxes = lines_to_boxes([_line("校", 10, 30), _line("验", 60, 80), _line("码：", 110, 150)])
    assert [b.text for b in boxes] == ["校验码："]


def test_yuan_sign_read_as_latin_y_before_an_amount_is_restored():
    assert [b.text for b in lines_to_boxes([_line("Y 37990.57", 800, 900)])] == ["¥ 37990.57"]
    assert [b.text for b in lines_to_boxes([_line("Y2279.43", 800, 900)])] == ["¥2279.43"]
    assert [b.text for b in lines_to_boxes([_line("YX1234", 800, 900)])] == ["YX1234"]


def test_a_spaced_name_label_whose_colon_was_lost_is_cut_off_the_name():
    boxes = lines_to_boxes([_line("名", 90, 110), _line("称滴滴出行科技有限公司", 180, 400)])
    assert [b.text for b in boxes] == ["名称", "滴滴出行科技有限公司"]
    assert boxes[0].x0 == pytest.approx(90) and boxes[1].x0 == pytest.approx(200)
    # only a known spaced label: a lone character before another name is left alone
    kept = lines_to_boxes([_line("个", 90, 110), _line("人民出版社有限公司", 180, 400)])
    assert [b.text for b in kept] == ["个", "人民出版社有限公司"]


def test_a_name_label_whose_second_character_was_lost_is_the_name_label():
    boxes = lines_to_boxes([_line("名：上海科之锐人才咨询有限公司", 66, 340)])
    assert [b.text for b in boxes] == ["名称：", "上海科之锐人才咨询有限公司"]
