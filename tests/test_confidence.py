"""One default confidence threshold: the settings, the verifier and both CLI commands take it from core."""

from __future__ import annotations

import inspect

from fapiao.cli.backfill import backfill
from fapiao.cli.main import extract
from fapiao.core.confidence import DEFAULT_THRESHOLD, UNSURE
from fapiao.core.settings import Settings
from fapiao.intake.verify import VerifyOptions


def test_every_default_is_the_one_threshold() -> None:
    defaults = {
        "settings": Settings(_env_file=None).confidence_threshold,
        "verify": VerifyOptions().confidence_threshold,
        "extract": inspect.signature(extract).parameters["threshold"].default,
        "backfill": inspect.signature(backfill).parameters["threshold"].default,
    }
    assert defaults == dict.fromkeys(defaults, DEFAULT_THRESHOLD)


def test_an_unsure_value_is_not_above_the_default_threshold() -> None:
    assert not UNSURE > DEFAULT_THRESHOLD  # verified needs a confidence above the threshold
