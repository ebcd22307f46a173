"""``python -m pipeline.sample_site OUT_DIR``: build the sample site into OUT_DIR.

Prints one line: what was built and where.
``python -m pipeline.sample_site serve-sample [--port N] [--faults RATE] [--dir DIR]``
serves one (server.main).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import DEFAULT_CRAWL_DELAY, build_site
from .plan import DUPLICATES


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["serve-sample"]:
        from .server import main as serve

        return serve(args_in[1:])
    parser = argparse.ArgumentParser(prog="python -m pipeline.sample_site",
                                     description="Build the sample site from the gold corpus.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--corpus", type=Path, default=None,
                        help="corpus directory holding gold/*.jsonl (default: the repo's)")
    parser.add_argument("--crawl-delay", type=float, default=DEFAULT_CRAWL_DELAY,
                        help="Crawl-delay written into robots.txt (seconds, decimals allowed)")
    parser.add_argument("--duplicates", type=int, default=DUPLICATES,
                        help="country releases also copied onto the global site")
    args = parser.parse_args(args_in)
    if args.corpus is not None and not (args.corpus / "gold").is_dir():
        parser.error(f"--corpus {args.corpus}: no gold/ directory in it")
    started = time.perf_counter()
    manifest = build_site(args.out_dir, args.corpus, crawl_delay=args.crawl_delay,
                          duplicates=args.duplicates)
    pages = len(manifest["articles"])
    print(f"built {pages} article pages from {manifest['corpus']['records']} records "
          f"into {args.out_dir} in {time.perf_counter() - started:.2f} s", file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
