#!/usr/bin/env python3
"""Fits the anchor model's logistic regression (src/cluster/score.rs, ANCHOR_REGRESSION).

Developer tool, not used by the build or the tests. Needs numpy and scikit-learn
(pip install numpy scikit-learn). Input: the TSV of examples/pair_features.rs.

    cargo run --release --example pair_features -- ../shared/data/wmt-dev/dev-small.jsonl /tmp/pairs.tsv
    python3 scripts/fit-anchor-model.py /tmp/pairs.tsv

Prints the weights as the Rust constant (one per field of score::Features, by the
column names of the TSV, then the intercept) and
precision/recall of the pairwise decision at several thresholds, in-sample and 5-fold
cross-validated (folds by pair hash).

--pairs cjk fits CJK_ANCHOR_REGRESSION (on the pairs with exactly one side in Chinese or
Japanese), --pairs other ANCHOR_REGRESSION (on the rest); with --json, --pairs other
writes both, the CJK weights under "cjk", as `firsthand eval --anchor-weights` reads them.

With --model (a TSV written with a model directory), fits MODEL_DECISION instead: the
anchor features, the cosine and the cosine across languages, on the pairs that share at
least MIN_SHARED_ANCHORS_MODEL anchors.

For cross-validation by story:

    python3 scripts/fit-anchor-model.py /tmp/pairs.tsv --exclude-fold 0/5 --json /tmp/w0.json
    firsthand eval SET --fold 0/5 --anchor-weights /tmp/w0.json [--world ...]

--exclude-fold K/N leaves out every pair with an article of a story in fold K (stories
hash to folds as `firsthand eval --fold` hashes them: FNV-1a 64 of the story id, modulo
N); --json writes the weights for `firsthand eval --anchor-weights`.
`scripts/cross-validate` runs the whole loop.
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression


MIN_SHARED_ANCHORS_MODEL = 1


def features(r, with_model):
    base = [float(v) for v in r[4:15]]
    if not with_model:
        return base
    cos = float(r[15])
    cross = r[1] != r[2]
    return base + [cos, cos if cross else 0.0]


def rust_constant(header, weights, with_model):
    """The weights as the Rust constant of src/cluster/score.rs."""
    names = header[4:15]
    fields = "".join(f"        {n}: {w},\n" for n, w in zip(names, weights))
    if with_model:
        return (f"pub const MODEL_DECISION: ModelDecision = ModelDecision {{\n    anchors: Features {{\n{fields}    }},\n"
                f"    cosine: {weights[11]},\n    cross_cosine: {weights[12]},\n    intercept: {weights[13]},\n}};")
    return (f"pub const ANCHOR_REGRESSION: AnchorRegression = AnchorRegression {{\n    weights: Features {{\n{fields}    }},\n"
            f"    intercept: {weights[11]},\n}};")


def fnv1a64(text):
    """FNV-1a 64 of the UTF-8 bytes of `text`, as src/dataset.rs hashes story ids."""
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main(path, with_model=False, exclude=None, json_out=None, pairs=None):
    """Fits and prints one regression; returns its weights (None with the model), after
    writing them to json_out when given (with the CJK regression's under "cjk")."""
    lines = [line.rstrip("\n").split("\t") for line in open(path, encoding="utf-8")]
    header, rows = lines[0], lines[1:]
    if pairs is not None:
        col = header.index("one_cjk")
        rows = [r for r in rows if (float(r[col]) > 0.5) == (pairs == "cjk")]
        print(f"{pairs} pairs only: ", end="")
    if exclude is not None:
        k, n = exclude
        col_a, col_b = header.index("cluster_a"), header.index("cluster_b")
        rows = [r for r in rows if fnv1a64(r[col_a]) % n != k and fnv1a64(r[col_b]) % n != k]
        print(f"without fold {k}/{n}: ", end="")
    if with_model:
        rows = [r for r in rows if float(r[15]) > -1 and int(r[16]) >= MIN_SHARED_ANCHORS_MODEL]
    else:
        rows = [r for r in rows if len(r) < 17 or int(r[16]) >= 2]
    y = np.array([r[0] == "1" for r in rows])
    X = np.array([features(r, with_model) for r in rows])
    print(f"{len(rows)} pairs, {int(y.sum())} copies")
    model = LogisticRegression(max_iter=5000).fit(X, y)
    weights = [round(float(c), 4) for c in model.coef_[0]] + [round(float(model.intercept_[0]), 4)]
    print(rust_constant(header, weights, with_model))
    doc = None
    if not with_model:
        doc = dict(zip(header[4:15], weights[:11]))
        doc["intercept"] = weights[11]
    if json_out:
        if with_model:
            sys.exit("--json writes the anchor model's weights only (not with --model)")
        if pairs == "other":
            # Both regressions in one file, as `firsthand eval --anchor-weights` reads it.
            doc["cjk"] = main(path, exclude=exclude, pairs="cjk")
        with open(json_out, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
    # fnv1a64, not hash(): the same folds in every run (Python salts str hashes).
    folds = np.array([fnv1a64("\t".join(r[4:8])) % 5 for r in rows])
    cv = np.zeros(len(rows))
    for k in range(5):
        train = folds != k
        cv[~train] = LogisticRegression(max_iter=5000).fit(X[train], y[train]).predict_proba(X[~train])[:, 1]
    p_in = model.predict_proba(X)[:, 1]
    for name, p in (("in-sample", p_in), ("5-fold", cv)):
        for t in (0.5, 0.6, 0.7, 0.8):
            pred = p >= t
            tp = (pred & y).sum()
            fp = (pred & ~y).sum()
            prec, rec = tp / max(1, tp + fp), tp / max(1, y.sum())
            print(f"{name:9} threshold {t}: P {prec:.3f} R {rec:.3f} F1 {2 * prec * rec / max(1e-9, prec + rec):.3f}")
    return doc


def option(args, name):
    """The value after `name` in args (removing both), else None."""
    if name not in args:
        return None
    i = args.index(name)
    if i + 1 >= len(args):
        sys.exit(f"{name} needs a value")
    value = args[i + 1]
    del args[i : i + 2]
    return value


if __name__ == "__main__":
    args = sys.argv[1:]
    fold = option(args, "--exclude-fold")
    json_out = option(args, "--json")
    pairs = option(args, "--pairs")
    model = "--model" in args
    args = [a for a in args if a != "--model"]
    if len(args) != 1:
        sys.exit(__doc__)
    exclude = None
    if fold is not None:
        try:
            k, n = (int(x) for x in fold.split("/"))
            assert 0 <= k < n
        except (ValueError, AssertionError):
            sys.exit(f"--exclude-fold {fold}: give K/N with 0 <= K < N, e.g. 0/5")
        exclude = (k, n)
    if pairs not in (None, "cjk", "other"):
        sys.exit(f"--pairs {pairs}: give cjk (one side Chinese or Japanese) or other")
    main(args[0], with_model=model, exclude=exclude, json_out=json_out, pairs=pairs)
