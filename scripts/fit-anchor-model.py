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

With --model (a TSV written with a model directory), fits MODEL_DECISION instead: the
anchor features, the cosine and the cosine across languages, on the pairs that share at
least MIN_SHARED_ANCHORS_MODEL anchors.
"""
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


def main(path, with_model=False):
    lines = [line.rstrip("\n").split("\t") for line in open(path, encoding="utf-8")]
    header, rows = lines[0], lines[1:]
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
    folds = np.array([hash(tuple(r[4:8])) % 5 for r in rows])
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


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--model"]
    main(args[0], with_model="--model" in sys.argv[1:])
