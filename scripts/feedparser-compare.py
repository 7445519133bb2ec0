#!/usr/bin/env python3
"""Measures firsthand against feedparser's own test suite (issue 17).

Usage: scripts/feedparser-compare.py SUITE [--bin target/release/firsthand] [--json OUT]

SUITE is the `tests/` directory of an unpacked feedparser sdist (or the sdist root). The
suite is not in this repository: fetch it with pip (`pip download --no-binary :all:
--no-deps feedparser==6.0.11`) and unpack it. feedparser itself is pip-installed into
$FIRSTHAND_CACHE/pydeps (default .cache/pydeps) on first use; nothing else is fetched.

Each .xml file (those under an `http` directory are left out: their expectations depend on
HTTP headers) is ingested alone into a fresh database with `firsthand --db X ingest FILE`,
and the stored articles are read from SQLite. feedparser 6 parses the same file.

Figures:
- entries stored: of the entries feedparser finds in well-formed files (feedparser's
  `bozo` is false), how many firsthand stores (per file, at most feedparser's count).
- entry-level expectations: every `entries[N][...] == VALUE` clause of a file's
  `Expect:` line whose field firsthand keeps (title, link, content/summary/description,
  dates) and that feedparser itself satisfies. firsthand keeps text, not markup, so
  values are compared as text: an HTML value is reduced to its text (tags dropped,
  entities decoded, whitespace collapsed), and every href/src in it must be among the
  stored links or images ("links in content"). A date must equal the stored publication
  time (firsthand keeps one date: published, else updated).
- panics (exit code 101 or "panicked" on stderr) and hangs (over 20 s).
"""

import argparse
import html
import html.parser
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

FEEDPARSER = "feedparser==6.0.11"


def feedparser_module():
    cache = os.environ.get("FIRSTHAND_CACHE") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".cache"
    )
    target = os.path.join(cache, "pydeps", "feedparser-6")
    if not os.path.isdir(os.path.join(target, "feedparser")):
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", target, FEEDPARSER],
            check=True,
        )
    sys.path.insert(0, target)
    import feedparser  # noqa: E402

    return feedparser


class Text(html.parser.HTMLParser):
    """HTML → text and the URLs it links or shows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.urls, self.skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for k, v in attrs:
            if (k == "href" and tag == "a") or (k == "src" and tag == "img"):
                if v:
                    self.urls.append(v.strip())
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def squash(s):
    return " ".join(s.split())


def as_text(value, kind):
    """(text, urls) of a feedparser value of content type `kind`."""
    if kind and ("html" in kind or "xml" in kind):
        p = Text()
        p.feed(value)
        p.close()
        return squash("".join(p.parts)), p.urls
    return squash(value), []


CLAUSE = re.compile(r"^entries\[(\d+)\](.*?)\s*==\s*(.+)$", re.S)
NO_LINK = re.compile(r"^not entries\[(\d+)\]\.has_key\(['\"]link['\"]\)$")
DATE_KEYS = ("published", "updated", "created", "issued", "modified")


def clauses(expect):
    """Top-level `and` clauses (the suite's expectations do not nest them)."""
    return [c.strip() for c in re.split(r"\s+and\s+(?=(?:not |entries|feed|bozo|len|'))", expect)]


def field_of(path):
    """The firsthand field an `entries[N]…` access path names, or None."""
    keys = re.findall(r"\[['\"]?([\w]+)['\"]?\]|\.(\w+)", path)
    keys = [a or b for a, b in keys]
    if not keys:
        return None
    k = keys[0]
    if k in ("title", "title_detail"):
        return "title" if k == "title" or keys[-1] == "value" else None
    if k in ("link",):
        return "link"
    if k == "links":
        return "links" if keys[-1] == "href" else None
    if k in ("content", "summary", "description", "summary_detail"):
        if k in ("summary", "description") and len(keys) == 1:
            return "content"
        return "content" if keys[-1] == "value" else None
    if any(k == d + "_parsed" for d in DATE_KEYS):
        return "date"
    return None


def fp_entry_value(env, idx, path):
    return eval("entries[%d]%s" % (idx, path), {}, env)  # noqa: S307 (the suite's own code)


def detail_type(env, idx, path):
    """The content type feedparser gave the value at `path`."""
    e = env["entries"][idx]
    head = re.match(r"\[['\"](\w+)['\"]\]", path)
    key = head.group(1) if head else ""
    try:
        if key in ("title", "title_detail"):
            return e["title_detail"]["type"]
        if key == "content":
            n = int(re.match(r"\[['\"]content['\"]\]\[(\d+)\]", path).group(1))
            return e["content"][n]["type"]
        if key in ("summary", "description", "summary_detail"):
            return e["summary_detail"]["type"]
    except (KeyError, IndexError, AttributeError, TypeError):
        pass
    return "text/html"


def utc_tuple(ts):
    return tuple(time.gmtime(ts)[:6]) if ts is not None else None


def judge(env, idx, path, field, rows):
    """Whether firsthand's stored entry agrees with feedparser's value."""
    if idx >= len(rows):
        return False
    row = rows[idx]
    expected = fp_entry_value(env, idx, path)
    if field == "date":
        return expected is not None and utc_tuple(row["published"]) == tuple(expected[:6])
    if field in ("link", "links"):
        if field == "links":
            m = re.match(r"\[['\"]links['\"]\]\[(\d+)\]", path)
            link = env["entries"][idx]["links"][int(m.group(1))] if m else {}
            if link.get("rel", "alternate") != "alternate":
                return None  # an enclosure or a related link: not what firsthand keeps
        return (row["url"] or "") == (expected or "")
    kind = detail_type(env, idx, path)
    text, urls = as_text(expected or "", kind)
    if field == "title":
        return squash(row["title"]) == text
    body = squash(row["body"])
    stored = set(row["links"]) | set(row["images"])
    urls = [u for u in urls if re.match(r"^(https?|file):", u)]
    return body == text and all(canon(u) in stored for u in urls)


def canon(u):
    """Close to firsthand's canonical form (fragment and trailing slash dropped)."""
    u = u.split("#", 1)[0]
    return u


def stored_rows(db):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = []
    for r in con.execute("SELECT url, title, body, links, images, published FROM articles ORDER BY id"):
        rows.append(
            {
                "url": r["url"],
                "title": r["title"],
                "body": r["body"],
                "links": json.loads(r["links"]),
                "images": json.loads(r["images"]),
                "published": r["published"],
            }
        )
    con.close()
    return rows


def run_firsthand(binary, path, tmp):
    db = os.path.join(tmp, "f.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    try:
        p = subprocess.run(
            [binary, "--db", db, "ingest", path], capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        return "hang", [], ""
    err = p.stderr.strip().splitlines()
    if p.returncode == 101 or "panicked" in p.stderr:
        return "panic", [], p.stderr
    rows = stored_rows(db) if os.path.exists(db) else []
    named = [line for line in err if line.startswith("error")]
    return p.returncode, rows, (named or err or [""])[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("suite")
    ap.add_argument("--bin", default="target/release/firsthand")
    ap.add_argument("--json", help="write per-file results here")
    ap.add_argument("--only", help="only files whose path contains this")
    args = ap.parse_args()
    fp = feedparser_module()
    suite = args.suite
    if os.path.isdir(os.path.join(suite, "tests")):
        suite = os.path.join(suite, "tests")
    files = []
    for root, _, names in os.walk(suite):
        for n in names:
            p = os.path.join(root, n)
            if n.endswith(".xml") and "http" not in os.path.relpath(p, suite):
                if not args.only or args.only in p:
                    files.append(p)
    files.sort()
    binary = os.path.abspath(args.bin)
    totals = dict(files=0, wellformed=0, fp_entries=0, stored=0, exp=0, agreed=0, panics=0, hangs=0,
                  exp_where_stored=0, agreed_where_stored=0)
    by_field = {}
    details = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            totals["files"] += 1
            with open(path, "rb") as f:
                data = f.read()
            m = re.search(rb"Expect:\s*(.*?)\s*-->", data, re.S)
            expect = m.group(1).decode("utf-8", "replace") if m else ""
            try:
                env = fp.parse(path)
            except Exception:  # noqa: BLE001 feedparser itself fails on a few files
                continue
            code, rows, msg = run_firsthand(binary, path, tmp)
            if code == "panic":
                totals["panics"] += 1
            if code == "hang":
                totals["hangs"] += 1
            rec = {"file": os.path.relpath(path, suite), "fp": len(env.entries), "fh": len(rows),
                   "bozo": bool(env.bozo), "exit": code, "msg": msg, "failed": []}
            if not env.bozo:
                totals["wellformed"] += 1
                totals["fp_entries"] += len(env.entries)
                totals["stored"] += min(len(rows), len(env.entries))
            ctx = dict(env)
            for c in clauses(expect):
                no_link = NO_LINK.match(c)
                if no_link:
                    idx, field, ok = int(no_link.group(1)), "link", None
                    if "link" in env.entries[idx] if idx < len(env.entries) else False:
                        continue
                    ok = idx < len(rows) and not rows[idx]["url"]
                else:
                    cm = CLAUSE.match(c)
                    if not cm:
                        continue
                    idx, path_, _ = int(cm.group(1)), cm.group(2), cm.group(3)
                    field = field_of(path_)
                    if field is None:
                        continue
                    try:
                        if not eval(c, {}, ctx):  # noqa: S307 feedparser must pass its own clause
                            continue
                    except Exception:  # noqa: BLE001 the suite's expressions vary
                        continue
                    try:
                        ok = judge(env, idx, path_, field, rows)
                    except Exception as e:  # noqa: BLE001
                        ok = False
                        rec["failed"].append("error %s" % e)
                    if ok is None:
                        continue
                totals["exp"] += 1
                f = by_field.setdefault(field, [0, 0])
                f[0] += 1
                if idx < len(rows):
                    totals["exp_where_stored"] += 1
                if ok:
                    totals["agreed"] += 1
                    f[1] += 1
                    if idx < len(rows):
                        totals["agreed_where_stored"] += 1
                else:
                    rec["failed"].append(c)
            details.append(rec)
    t = totals
    print("files: %d (%d well-formed per feedparser)" % (t["files"], t["wellformed"]))
    print("entries stored: %d of %d = %.1f%%" % (t["stored"], t["fp_entries"], 100 * t["stored"] / max(1, t["fp_entries"])))
    print("entry-level expectations agreed: %d of %d = %.1f%% (where an entry was stored: %d of %d = %.1f%%)"
          % (t["agreed"], t["exp"], 100 * t["agreed"] / max(1, t["exp"]),
             t["agreed_where_stored"], t["exp_where_stored"], 100 * t["agreed_where_stored"] / max(1, t["exp_where_stored"])))
    for k in sorted(by_field):
        n, a = by_field[k]
        print("  %-8s %d of %d" % (k, a, n))
    print("panics: %d, hangs: %d" % (t["panics"], t["hangs"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"totals": t, "files": details}, f, indent=1)


if __name__ == "__main__":
    main()
