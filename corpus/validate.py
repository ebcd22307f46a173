"""Check gold corpus files: `python corpus/validate.py [FILE.jsonl …]`.

The checks live in pipeline/gold.py; this script is the command for people
writing the corpus.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.gold import main  # noqa: E402

raise SystemExit(main())
