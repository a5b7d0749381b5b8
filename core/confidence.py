"""The one default confidence threshold, and the fixed confidence extraction derives from it."""

from __future__ import annotations

DEFAULT_THRESHOLD = 0.90
"""A key field's confidence must be above this for `verified` (``FAPIAO_CONFIDENCE_THRESHOLD``, the CLI's
``--threshold``, ``VerifyOptions``)."""

UNSURE = DEFAULT_THRESHOLD
"""The confidence extraction gives a value it found but cannot vouch for (a masked amount, a title chosen by
its size, a guessed XML title): at the default threshold, not above it, so on a key field a person looks."""
