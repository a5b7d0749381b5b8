"""RapidOCR: the PP-OCRv4 detection/recognition and PP-OCR cls models shipped inside the wheel, on ONNX Runtime.

The default engine: it works offline with zero set-up. We drive RapidOCR's detector, classifier and recogniser
ourselves instead of calling ``RapidOCR.__call__`` because the recogniser's raw per-column probabilities give
us what the packaged pipeline throws away: character positions (to split lines at gaps) and runner-up
characters (alternative readings for the reviewer and the verification rules).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

from fapiao.ocr.engines.base import Capabilities, CharSpan, CropSource, OcrEngine, OcrEngineUnavailable, OcrLine
from fapiao.ocr.engines.cipher import cipher_block, reads_as_cipher
from fapiao.ocr.images import to_bgr
from fapiao.ocr.settings import OcrSettings

log = logging.getLogger(__name__)

_CUDA = "CUDAExecutionProvider"
_NARROW_WIDTH = 0.30
"""Half-width of a Latin letter or digit, in line heights (CJK characters are about twice as wide)."""
_WIDE_WIDTH = 0.50
_ALT_MAX_TOP = 0.97
"""Only characters the recogniser is less sure of than this get alternatives."""
_ALT_MIN_RUNNER_UP = 0.05


class RapidOcrEngine(OcrEngine):
    """PP-OCRv4 via rapidocr_onnxruntime; one instance per process (see ``fapiao.ocr.engines.registry``)."""

    name = "rapidocr"

    def __init__(self, settings: OcrSettings | None = None) -> None:
        settings = settings or OcrSettings()
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # pragma: no cover - it is a direct dependency
            raise OcrEngineUnavailable(
                f"the RapidOCR engine needs the rapidocr_onnxruntime package ({exc})",
                hint="install fapiao with its dependencies (`pip install -e .`) or set FAPIAO_OCR_ENGINE",
            ) from exc
        gpu = _want_cuda(settings.device)
        kwargs: dict = {
            "det_limit_side_len": settings.det_limit_side_len,
            "det_limit_type": settings.det_limit_type,
            "det_use_cuda": gpu,
            "cls_use_cuda": gpu,
            "rec_use_cuda": gpu,
            "use_cls": settings.use_cls,
            "intra_op_num_threads": settings.threads or -1,
        }
        det_model, rec_model = settings.det_model, settings.rec_model
        if settings.models != "ppocrv4":
            det_default, rec_default = model_set_paths(settings.models)
            det_model, rec_model = det_model or det_default, rec_model or rec_default
        for key, path in (
            ("det_model_path", det_model),
            ("rec_model_path", rec_model),
            ("cls_model_path", settings.cls_model),
            ("rec_keys_path", settings.rec_keys),
        ):
            if path is not None:
                if not path.is_file():
                    raise OcrEngineUnavailable(
                        f"the RapidOCR model file {path} does not exist",
                        hint=f"fix or unset FAPIAO_OCR_{key.split('_')[0].upper()}_MODEL",
                    )
                kwargs[key] = str(path)
        self._cores = settings.threads or _usable_cores()
        self.fused = not gpu and settings.fuse_models
        if gpu:
            self._ocr = RapidOCR(**kwargs)
        else:
            # each model loaded once, into the session it keeps: the detector and classifier on every core, the
            # recogniser on one thread per call when lines run one per core (see OcrSettings.threads), each
            # with its scalar affines and hard-swish chains folded (ocr.engines.fuse) unless fuse_models is off
            threads = settings.threads or -1
            rec_threads = 1 if self._cores > 1 else threads
            with _sessions_built_here({"Det": threads, "Cls": threads, "Rec": rec_threads}, self.fused):
                self._ocr = RapidOCR(**kwargs)
        _honour_det_limit(self._ocr.text_det, settings.det_limit_side_len, settings.det_limit_type)
        post = self._ocr.text_det.postprocess_op
        post.box_thresh = settings.det_box_thresh
        post.score_mode = settings.det_score_mode
        post.dilation_kernel = np.array([[1, 1], [1, 1]]) if settings.det_dilation else None
        self._ocr.text_rec.rec_batch_num = settings.rec_batch
        self._rec_pool: ThreadPoolExecutor | None = None
        if not gpu and self._cores > 1:
            # recognition: one single-threaded run per line, as many at once as there are cores; detection keeps
            # one multi-threaded run per page
            self._rec_pool = ThreadPoolExecutor(self._cores, thread_name_prefix="fapiao-rec")
        self._skip_cls_when_upright = settings.skip_cls_when_upright
        self._skip_cipher = settings.skip_cipher
        self.skipped_cipher_lines = 0
        """密码区 lines left unread on the last page (for tests and benchmarks)."""
        self._use_cls = settings.use_cls
        self._text_score = settings.text_score
        self._rec_min_ratio = settings.rec_min_width
        self._max_alternatives = settings.alternatives
        self.split_gap = settings.split_gap
        self._crop_margin = settings.crop_margin
        self.capabilities = Capabilities(
            char_positions=True, alternatives=settings.alternatives > 0, orientation=True, gpu=gpu, source_crops=True
        )
        self._lock = threading.Lock()
        """RapidOCR's detector keeps per-call state; ONNX Runtime already uses every core for one call."""

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        return self._read_lines(image, classify=self._use_cls)

    def read_upright_lines(self, image: np.ndarray) -> list[OcrLine]:
        """The page is known to be upright: the per-line 0/180° classifier (≈ 8 % of the OCR time) is skipped."""
        return self._read_lines(image, classify=self._use_cls and not self._skip_cls_when_upright)

    def read_lines_from(self, image: np.ndarray, crops: CropSource, upright: bool = False) -> list[OcrLine]:
        """Detect on ``image``, recognise crops cut by ``crops`` (sharper: see ``fapiao.ocr.preprocess.crops``)."""
        return self._read_lines(
            image, classify=self._use_cls and not (upright and self._skip_cls_when_upright), source=crops
        )

    def _read_lines(self, image: np.ndarray, classify: bool, source: CropSource | None = None) -> list[OcrLine]:
        img = to_bgr(image)
        margin = self._crop_margin if source is not None else 0.0
        with self._lock:
            dt_boxes, _ = self._ocr.text_det(img)
            if dt_boxes is None or len(dt_boxes) == 0:
                return []
            quads = self._ocr.sorted_boxes(dt_boxes)
            # the 密码区 rows: one is read with the page, the others only when it is not cipher (ocr.engines.cipher)
            block = cipher_block(quads, img.shape[1], img.shape[0]) if self._skip_cipher else []
            held = set(block[1:])
            first = [i for i in range(len(quads)) if i not in held]
            crops: list = [None] * len(quads)
            flipped = [False] * len(quads)
            readings: list = [("", 0.0, (), ())] * len(quads)
            self._read_some(img, quads, first, source, margin, classify, crops, flipped, readings)
            if block and not reads_as_cipher(readings[block[0]][0]):
                self._read_some(img, quads, sorted(held), source, margin, classify, crops, flipped, readings)
                held = set()
            self.skipped_cipher_lines = len(held)
        lines = []
        for i, (quad, _crop, flip, (text, conf, chars, alts)) in enumerate(
            zip(quads, crops, flipped, readings, strict=False)
        ):
            if i in held or conf < self._text_score or not text.strip():
                continue
            q = np.asarray(quad, dtype=np.float64)
            vertical = _is_vertical(q)
            if margin and chars:
                chars = _unwiden(chars, margin / _length_in_heights(q))
            if flip:
                chars = tuple(CharSpan(c.char, 1 - c.end, 1 - c.start, c.confidence) for c in reversed(chars))
            lines.append(
                OcrLine(
                    text=text,
                    quad=tuple(map(tuple, q.tolist())),
                    confidence=conf,
                    chars=() if vertical or flip else chars,
                    alternatives=alts,
                )
            )
        return lines

    def _read_some(
        self,
        img,
        quads,
        idx: list[int],
        source: CropSource | None,
        margin: float,
        classify: bool,
        crops: list,
        flipped: list,
        readings: list,
    ) -> None:
        """Cut, classify and recognise the lines ``idx`` of ``quads``, filling the three lists in place."""
        if not idx:
            return
        if not classify and self._rec_pool is not None and self._ocr.text_rec.rec_batch_num == 1:
            each = self._read_each(img, [quads[i] for i in idx], source, margin)
            for i, (crop, reading) in zip(idx, each, strict=True):
                crops[i], flipped[i], readings[i] = crop, False, reading
            return
        if source is None:
            mine = self._ocr.get_crop_img_list(img, [quads[i] for i in idx])
        else:
            mine = [source.cut(quads[i], margin) for i in idx]
        flips = [False] * len(mine)
        if classify:
            mine, cls_res, _ = self._ocr.text_cls(mine)
            thresh = self._ocr.text_cls.cls_thresh
            flips = [("180" in str(label) and float(score) > thresh) for label, score in cls_res]
        got = self._recover_id_tails(mine, self._recognise(mine))
        for k, i in enumerate(idx):
            crops[i], flipped[i], readings[i] = mine[k], flips[k], got[k]

    def _read_each(self, img, quads, source: CropSource | None, margin: float) -> list:
        """(crop, reading) per quad, each line cut, recognised and tail-checked in one task on the pool, widest
        first.

        Phase by phase, the main thread cut every crop (with its seal suppression) while both cores waited,
        and the tail re-reads of ``_recover_id_tails`` ran after the last line; one task per line overlaps both
        with other lines' recognition. Lines are recognised one per run either way (``rec_batch`` 1), so every
        line reads the same."""

        def one(quad) -> tuple:
            crop = source.cut(quad, margin) if source is not None else self._ocr.get_crop_img_list(img, [quad])[0]
            reading = self._recognise([crop], parallel=False)
            return crop, self._recover_id_tails([crop], reading, parallel=False)[0]

        assert self._rec_pool is not None
        order = sorted(range(len(quads)), key=lambda k: -_read_length(np.asarray(quads[k], dtype=np.float64)))
        done = dict(zip(order, self._rec_pool.map(one, [quads[k] for k in order]), strict=True))
        return [done[k] for k in range(len(quads))]

    def classify_upside_down(self, crops: list[np.ndarray]) -> list[float] | None:
        """P(180°) per text-line crop from the PP-OCR direction classifier."""
        if not crops:
            return []
        cls = self._ocr.text_cls
        with self._lock:
            batch = np.stack([cls.resize_norm_img(to_bgr(c)) for c in crops]).astype(np.float32)
            probs = cls.infer(batch)[0]
        return [float(p[1]) for p in probs]

    def _recognise(
        self, crops: list[np.ndarray], min_ratio: float | None = None, parallel: bool = True
    ) -> list[tuple[str, float, tuple[CharSpan, ...], tuple[str, ...]]]:
        """Recognise crops in width-sorted batches (as PP-OCR does, but widest first), keeping raw probabilities
        per column; on the pool unless ``parallel`` is off (a task already running on it).

        Crops shorter than ``min_ratio`` heights (default ``OcrSettings.rec_min_width``) are padded to it."""
        rec = self._ocr.text_rec
        characters = rec.postprocess_op.character
        ratios = [c.shape[1] / max(c.shape[0], 1) for c in crops]
        # widest first: with one line per core, the last lines to start are then the short ones, so no core
        # waits long for another at the end of the page
        order = np.argsort(ratios)[::-1]
        out: list = [("", 0.0, (), ())] * len(crops)

        def run(idx: np.ndarray) -> None:
            max_ratio = max([min_ratio or self._rec_min_ratio] + [ratios[i] for i in idx])
            batch = np.stack([rec.resize_norm_img(crops[i], max_ratio) for i in idx]).astype(np.float32)
            preds = rec.session(batch)[0]
            for row, i in zip(preds, idx, strict=False):
                out[i] = _decode(row, characters, ratios[i], max_ratio, self._max_alternatives)

        batches = [order[start : start + rec.rec_batch_num] for start in range(0, len(crops), rec.rec_batch_num)]
        if not parallel or self._rec_pool is None or len(batches) < 2:
            for idx in batches:
                run(idx)
        else:
            list(self._rec_pool.map(run, batches))  # list(): re-raises a worker's exception here
        return out

    def _recover_id_tails(self, crops: list[np.ndarray], readings: list, parallel: bool = True) -> list:
        """Re-read the end of lines that end in an ID of an impossible length.

        PP-OCRv4 drops a narrow last character after a long run of digits — most often the final "J" of a
        tax ID, whose hook it takes for a bracket or for nothing — although the glyph is plainly printed. Read
        on its own, with the few characters before it as context, the tail comes out whole. Characters are
        appended only when the tail read repeats the line's last characters and adds exactly the one or two
        that give the run a length IDs have (15, 18 or 20); the tax-ID rules still check the result."""
        todo = []
        for i, (text, _conf, chars, _alts) in enumerate(readings):
            run = short_id_run(text)
            if run is None or len(chars) != len(text):
                continue
            crop = crops[i]
            h, w = crop.shape[:2]
            pad = max(2, int(0.3 * h))
            for k in _TAIL_CONTEXT:
                x0 = max(0, int(chars[-k].start * w - 0.2 * h))
                todo.append((i, run, cv2.copyMakeBorder(crop[:, x0:], 0, 0, pad, pad, cv2.BORDER_REPLICATE)))
        if not todo:
            return readings
        out = list(readings)
        done: set[int] = set()
        for (i, run, _), (tail_text, _, tail_chars, _) in zip(
            todo, self._recognise([t for _, _, t in todo], _PP_OCR_WIDTH, parallel), strict=False
        ):
            tail_text = tail_text.strip()
            # the tail read must be the run's last characters (at least three) plus the one or two that make
            # an ID's length; its first character may differ (the crop starts inside that glyph)
            extra = _ID_LENGTHS_AFTER[len(run)]
            head = tail_text[:-extra]
            repeats = run.endswith(head) or (len(head) >= 4 and run.endswith(head[1:]))
            if (
                i in done
                or len(head) < 3
                or not repeats
                or not re.fullmatch(r"[0-9A-Z]+", tail_text[-extra:])
                or len(tail_chars) != len(tail_text)
            ):
                continue
            done.add(i)
            text, conf, chars, alts = readings[i]
            last = chars[-1]
            step = max(last.end - last.start, 1e-3)
            added = tuple(
                CharSpan(c.char, min(1.0, last.end + k * step), min(1.0, last.end + (k + 1) * step), c.confidence)
                for k, c in enumerate(tail_chars[-extra:])
            )
            chars = (*chars, *added)
            conf = float(np.mean([c.confidence for c in chars]))
            suffix = "".join(c.char for c in added)
            out[i] = (text + suffix, conf, chars, tuple(a + suffix for a in alts))
        return out

    def close(self) -> None:
        if self._rec_pool is not None:
            self._rec_pool.shutdown(wait=True)
            self._rec_pool = None
        self._ocr = None


_ID_TAIL = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{13,19}$")
"""A whole run of ID characters at the end of a line (not the last 19 of a longer one)."""
_ID_LENGTHS_AFTER = {13: 2, 14: 1, 16: 2, 17: 1, 19: 1}
"""Run length → characters missing to a tax ID's length (15, 18, 20); runs of those lengths are left alone."""


def short_id_run(text: str) -> str | None:
    """The run of ID characters ending ``text`` when it is one or two characters short of an ID's length.

    The whole run counts: the last 19 digits of a 20-digit check code or 数电 invoice number are not an ID
    missing its last character (before, every such line was read twice more for nothing)."""
    m = _ID_TAIL.search(text)
    return m.group(0) if m is not None and len(m.group(0)) in _ID_LENGTHS_AFTER else None


_PP_OCR_WIDTH = 320 / 48
"""PP-OCR's own padding (in line heights). A tail is re-read with it: the final J of an ID needs blank space
after it to be read (3 of 150 benchmark pages lost it with the tail padded to 4 heights only)."""
_TAIL_CONTEXT = (4, 6)
"""Characters before the end read again with the tail (two tries: character positions are approximate)."""


def _decode(probs: np.ndarray, characters: list[str], ratio: float, max_ratio: float, max_alts: int):
    """Greedy CTC decoding with character positions (0..1 along the crop) and single-substitution alternatives.

    ``ratio`` is the crop's width/height; the batch was padded to ``max_ratio``, so the crop fills
    ``ratio / max_ratio`` of the columns.
    """
    width_frac = min(1.0, ratio / max_ratio)
    best = probs.argmax(axis=1)
    top = probs.max(axis=1)
    cols = len(best)
    keep = best != 0
    keep[1:] &= best[1:] != best[:-1]
    positions = np.flatnonzero(keep)
    if len(positions) == 0:
        return "", 0.0, (), ()
    line_height_frac = 1.0 / max(ratio, 1e-6)
    """The crop's height as a fraction of its length."""
    chars: list[CharSpan] = []
    for t in positions:
        ch = characters[best[t]]
        center = (t + 0.5) / cols / width_frac
        half = (_WIDE_WIDTH if _is_wide(ch) else _NARROW_WIDTH) * line_height_frac
        chars.append(CharSpan(ch, float(max(0.0, center - half)), float(min(1.0, center + half)), float(top[t])))
    text = "".join(c.char for c in chars)
    conf = float(np.mean([c.confidence for c in chars]))
    return text, conf, tuple(chars), _alternatives(probs, best, positions, characters, text, max_alts)


def _alternatives(probs, best, positions, characters, text: str, max_alts: int) -> tuple[str, ...]:
    if max_alts <= 0:
        return ()
    candidates = []
    for k, t in enumerate(positions):
        if probs[t, best[t]] >= _ALT_MAX_TOP:
            continue
        row = probs[t].copy()
        row[best[t]] = -1.0
        second = int(row.argmax())
        if second == 0 or row[second] < _ALT_MIN_RUNNER_UP:
            continue
        candidates.append((float(row[second]), k, characters[second]))
    candidates.sort(reverse=True)
    alts: list[str] = []
    for _, k, ch in candidates:
        alt = text[:k] + ch + text[k + 1 :]
        # "：" vs ":" or "８" vs "8" is the same reading; only real alternatives help a reviewer.
        if unicodedata.normalize("NFKC", alt) != unicodedata.normalize("NFKC", text) and alt not in alts:
            alts.append(alt)
        if len(alts) >= max_alts:
            break
    return tuple(alts)


def _length_in_heights(quad: np.ndarray) -> float:
    width = max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3]), 1.0)
    height = max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1]), 1.0)
    return float(width / height)


def _read_length(quad: np.ndarray) -> float:
    """A detected line's length in line heights as it will be read (a vertical line is read lying down)."""
    width = max(float(np.linalg.norm(quad[1] - quad[0])), float(np.linalg.norm(quad[2] - quad[3])), 1.0)
    height = max(float(np.linalg.norm(quad[3] - quad[0])), float(np.linalg.norm(quad[2] - quad[1])), 1.0)
    return height / width if height >= 1.5 * width else width / height


def _unwiden(chars: tuple[CharSpan, ...], margin_frac: float) -> tuple[CharSpan, ...]:
    """Character positions along a crop widened by ``margin_frac`` of the line's length at each end →
    positions along the detected line."""
    total = 1.0 + 2.0 * margin_frac

    def pos(p: float) -> float:
        return float(min(1.0, max(0.0, p * total - margin_frac)))

    return tuple(CharSpan(c.char, pos(c.start), pos(c.end), c.confidence) for c in chars)


def _is_wide(ch: str) -> bool:
    return ord(ch) > 0x2E80


def _is_vertical(quad: np.ndarray) -> bool:
    width = max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3]))
    height = max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1]))
    return height >= 1.5 * width


def _honour_det_limit(text_det, limit: int, limit_type: str) -> None:
    """rapidocr_onnxruntime 1.3 ignores ``det_limit_side_len`` for ``limit_type='max'`` (it picks 960, 1500
    or 2000 from the image size, so a 1200 px crop was detected at full size); use the configured size, with
    the input normalised through a table (``TableDetPreProcess``)."""
    if _DetPreProcess is object or not hasattr(text_det, "get_preprocess"):  # pragma: no cover - other layout
        return
    pre = TableDetPreProcess(limit, limit_type, text_det.mean, text_det.std)
    text_det.get_preprocess = lambda max_wh: pre


try:
    from rapidocr_onnxruntime.ch_ppocr_det.text_detect import DetPreProcess as _DetPreProcess
except ImportError:  # pragma: no cover - another layout of the package: keep its own behaviour
    _DetPreProcess = object


class TableDetPreProcess(_DetPreProcess):
    """rapidocr's detector input (resized to a multiple of 32, normalised, CHW float32), the normalisation
    looked up instead of computed.

    rapidocr computes ``(x·1/255 − mean) / std`` with float64 ``mean`` and ``std`` over the whole page and
    casts to float32 at the end: three double-precision passes over a megapixel (≈ 20 ms a page). A uint8
    pixel has 256 values, so a per-channel table of exactly those results gives the same float32 input bit for
    bit in one lookup per channel."""

    def __init__(self, limit_side_len: int, limit_type: str, mean=None, std=None) -> None:
        super().__init__(limit_side_len, limit_type, mean, std)
        levels = np.arange(256, dtype=np.uint8).reshape(256, 1)
        # rapidocr's own arithmetic on every level, so rounding is the same as on a page
        self._table = np.ascontiguousarray(super().normalize(np.repeat(levels, 3, axis=1)).astype(np.float32).T)

    def __call__(self, img: np.ndarray) -> np.ndarray | None:
        if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
            return super().__call__(img)
        resized = self.resize(img)
        if resized is None:
            return None
        h, w = resized.shape[:2]
        out = np.empty((1, 3, h, w), np.float32)
        for c in range(3):
            np.take(self._table[c], resized[:, :, c], out=out[0, c])
        return out


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


_BUILD_LOCK = threading.Lock()


MODEL_SETS = {"ppocrv6": ("rapidocr", "PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx")}
"""Model set → (the package whose wheel ships the files, detection model, recognition model)."""


def model_set_paths(name: str) -> tuple[Path, Path]:
    """The detection and recognition model files of a model set, from the installed package that ships them.

    The package is located, not imported (``rapidocr`` 3.x would pull in its own pipeline and configuration
    machinery, and this engine only needs its model files)."""
    import importlib.util

    package, det, rec = MODEL_SETS[name]
    spec = importlib.util.find_spec(package)
    folder = Path(next(iter(spec.submodule_search_locations or []), "")) / "models" if spec else None
    if folder is None or not (folder / det).is_file() or not (folder / rec).is_file():
        raise OcrEngineUnavailable(
            f"FAPIAO_OCR_MODELS={name} needs the {package} package, whose wheel ships {det} and {rec}; "
            f"it is not installed here",
            hint="install its wheel (only its model files are used) with `pip install --no-deps rapidocr==3.10.0`, "
            "or set FAPIAO_OCR_MODELS=ppocrv4",
        )
    return folder / det, folder / rec


@contextmanager
def _sessions_built_here(threads: dict[str, int], fuse: bool):
    """While RapidOCR builds its detector, classifier and recogniser, their ONNX Runtime sessions come from
    ``_session`` (intra-op threads per part: -1 for ONNX Runtime's default of every core) instead of
    rapidocr's own loader, so no model is loaded twice (before, the recogniser was loaded multi-threaded by
    rapidocr and then again single-threaded by us)."""
    from rapidocr_onnxruntime.ch_ppocr_cls import text_cls
    from rapidocr_onnxruntime.ch_ppocr_det import text_detect
    from rapidocr_onnxruntime.ch_ppocr_rec import text_recognize

    modules = {"Det": text_detect, "Cls": text_cls, "Rec": text_recognize}
    with _BUILD_LOCK:
        saved = {part: m.OrtInferSession for part, m in modules.items()}
        try:
            for part, module in modules.items():
                module.OrtInferSession = lambda config, n=threads[part]: _session(Path(config["model_path"]), n, fuse)
            yield
        finally:
            for part, module in modules.items():
                module.OrtInferSession = saved[part]


def _session(path: Path, threads: int, fuse: bool):
    """A model in an ONNX Runtime CPU session wrapped as rapidocr's ``OrtInferSession`` (what its detector,
    classifier and recogniser call), optionally rewritten by ``fapiao.ocr.engines.fuse`` first; session options as
    rapidocr sets them.

    ``threads``: intra-op threads (-1: ONNX Runtime's default, every core). Recognition uses 1: a text line
    is a small input, and ONNX Runtime spreading one line over two cores gains little (measured on 8 prepared
    pages, 426 lines, 2 cores: 1.40 s/page of recognition in batches of 3 on two intra-op threads), while two
    lines at once, one per core, take 0.81 s/page. ``InferenceSession.run`` is safe to call from several
    threads."""
    import onnxruntime as ort
    from rapidocr_onnxruntime.utils.infer_engine import OrtInferSession

    from fapiao.ocr.engines.fuse import fuse_model

    if not path.is_file():
        raise OcrEngineUnavailable(
            f"the RapidOCR model file {path} does not exist",
            hint="reinstall rapidocr_onnxruntime or fix the FAPIAO_OCR_*_MODEL setting",
        )
    data = path.read_bytes()
    if fuse:
        data, report = fuse_model(data)
        log.debug("%s: %s", path.name, report)
    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    opts.enable_cpu_mem_arena = False
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads > 0:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    if threads != 1:
        # the detector's worker threads sleep between runs instead of spinning, which takes CPU from the
        # recognition threads that start right after detection (4 paired runs of 20 pages on a shared machine:
        # CPU 4-12 % lower in 3, wall within the noise)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    wrapped = OrtInferSession.__new__(OrtInferSession)  # its methods only use .session
    wrapped.session = ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])
    return wrapped


def _want_cuda(device: str) -> bool:
    """CUDA when asked for (or ``auto``) and onnxruntime-gpu provides it; a warning when asked but absent."""
    if device == "cpu":
        return False
    import onnxruntime

    available = _CUDA in onnxruntime.get_available_providers()
    if device == "cuda" and not available:
        log.warning(
            "FAPIAO_OCR_DEVICE=cuda but onnxruntime has no %s (install onnxruntime-gpu matching your "
            "CUDA/cuDNN); running on the CPU",
            _CUDA,
        )
    return available
