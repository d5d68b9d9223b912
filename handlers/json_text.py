"""Text a JSON parser accepts but nothing downstream can carry.

JSON may escape half of a UTF-16 surrogate pair ("\\ud800") on its own;
Python decodes it to a lone surrogate, which no database driver, no UTF-8
encoder and no platform API takes. A body holding one is refused where it
arrives, the JSON twin of a body that is not UTF-8.
"""

from __future__ import annotations

import json
from typing import Any

UNPAIRED_SURROGATE = "a string holds an unpaired surrogate escape (\\ud800-\\udfff), which is not text"


def has_unpaired_surrogate(document: Any) -> bool:
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except (RecursionError, TypeError, ValueError):
        return False  # not something json.loads produced; other checks answer for it
    return False
