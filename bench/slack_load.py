"""Load on /slack/events against a real `tonewatch run` (kept for its command; see bench/load.py).

    python bench/slack_load.py                      # 50 events/s for 60 s, 10 % redelivered, 2 s analyzer
    python bench/slack_load.py --rate 20 --seconds 10 --json
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import main  # noqa: E402

if __name__ == "__main__":
    main(default_surface="slack")
