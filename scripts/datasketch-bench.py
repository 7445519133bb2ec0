#!/usr/bin/env python3
"""The datasketch baseline for `firsthand bench`: MinHash and LSH only, on the same texts.

Reads texts.jsonl (one {"text": ...} a line, written by `firsthand bench`), and times what
a datasketch user would write to find near-duplicates: MinHash(num_perm=128) over word
3-shingles (lower-cased, split on whitespace, as firsthand shingles), inserted into a
MinHashLSH(threshold=0.3) and queried once per text. No parsing, no storage, no
translation matching: only the part both do. Prints one JSON line on stdout.

datasketch is imported from the environment, else installed with pip into
$FIRSTHAND_CACHE/pydeps (default ~/.cache/firsthand/pydeps) on first use.
"""

import json
import os
import subprocess
import sys
import time


def import_datasketch():
    try:
        import datasketch  # noqa: F401

        return
    except ImportError:
        pass
    cache = os.environ.get("FIRSTHAND_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "firsthand"
    )
    target = os.path.join(cache, "pydeps")
    sys.path.insert(0, target)
    try:
        import datasketch  # noqa: F401

        return
    except ImportError:
        pass
    print("datasketch-bench: installing datasketch into " + target, file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--target", target, "datasketch==2.0.0"],
        check=True,
        stdout=sys.stderr,
    )
    import importlib

    importlib.invalidate_caches()


def shingles(text):
    words = text.lower().split()
    if len(words) < 3:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + 3]).encode("utf-8") for i in range(len(words) - 2)}


def main():
    if len(sys.argv) != 2:
        print("usage: datasketch-bench.py TEXTS.jsonl", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    import_datasketch()
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=0.3, num_perm=128)
    pairs = 0
    for i, t in enumerate(texts):
        m = MinHash(num_perm=128, seed=1)
        m.update_batch(list(shingles(t)))
        pairs += len(lsh.query(m))
        lsh.insert(str(i), m)
    secs = time.perf_counter() - start
    print(
        json.dumps(
            {
                "texts": len(texts),
                "seconds": secs,
                "per_second": len(texts) / secs if secs > 0 else 0.0,
                "candidate_pairs": pairs,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
