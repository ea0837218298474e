#!/usr/bin/env python3
"""calib_fit.py - is the confidence after decoding calibrated, and would a
refit of rec_lm_calibrate() help? (issue 13, point 5; docs/eval-real.md,
"Confidence after decoding").

    tools/calib_fit.py NAMES_DIR [--pages DIR ...]

NAMES_DIR is the names folder of `make eval-real` (build/eval-real/names:
gold.tsv = file<TAB>text, inkpipe/*.hocr). Each reading's glyphs (hOCR
x_confs, case and spaces ignored) are aligned to the gold by edit distance
(as tools/eval_real.sh does); a glyph is right when aligned to the same
letter; a field (the whole reading) is right when it equals the gold, its
confidence is the product of its glyphs' (docs/forms.md).

The refit is honest: the gold crops are split by line parity (even / odd
line of gold.tsv); temp and bias of sigmoid(logit(p) / temp + bias) are
fitted by log loss on one half (glyphs, grid temp 0.25..3 by 0.05, bias
-4..6 by 0.1) and reported on the other half, glyph and field level. The
raw posterior p is recovered from the written confidence by inverting the
current mapping (temp 0.5, bias 2.7). --pages DIR (a folder of composed
pages: grey/page-NNN.gt.txt, hocr/page-NNN.hocr) reports the composed-page
ECE of the current and the fitted mappings (whole page aligned, spaces
removed, case kept). Pure standard library; prints tables, writes nothing.
"""
import glob
import html
import math
import re
import sys

T0, B0 = 0.5, 2.7
EDGES = [i / 10 for i in range(11)]


def logit(p):
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def sig(z):
    return 1 / (1 + math.exp(-z))


def raw(c):
    return sig((logit(c) - B0) * T0)


def cal(p, t, b):
    return sig(logit(p) / t + b)


def glyphs(path):
    s = open(path, encoding="utf-8").read()
    out = []
    for p, c in re.findall(r"x_confs ([0-9.]+)[^>]*>([^<]*)</span>", s):
        c = html.unescape(c)
        if c.strip():
            out.append((c, float(p) / 100))
    return out


def align(gold, rd):
    """Per glyph of rd: True if aligned to the same character of gold."""
    n, m = len(gold), len(rd)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (gold[i - 1] != rd[j - 1]))
    ok = [False] * m
    i, j = n, m
    while i > 0 and j > 0:
        if d[i][j] == d[i - 1][j - 1] + (gold[i - 1] != rd[j - 1]):
            ok[j - 1] = gold[i - 1] == rd[j - 1]
            i, j = i - 1, j - 1
        elif d[i][j] == d[i][j - 1] + 1:
            j -= 1
        else:
            i -= 1
    return ok


def table(name, pairs, rows=True):
    n = len(pairs)
    ece = 0.0
    lines = []
    for lo, hi in zip(EDGES, EDGES[1:]):
        b = [(c, o) for c, o in pairs if lo <= c < hi or (hi == 1 and c == 1)]
        if not b:
            continue
        mc = sum(c for c, _ in b) / len(b)
        acc = sum(o for _, o in b) / len(b)
        ece += len(b) / n * abs(mc - acc)
        lines.append(f"| {lo:.1f}-{hi:.1f} | {len(b)} | {mc:.3f} | {acc:.3f} |")
    print(f"{name}: n={n} right {sum(o for _, o in pairs) / n:.3f} "
          f"mean conf {sum(c for c, _ in pairs) / n:.3f} ECE {ece:.3f}")
    if rows:
        print("| bin | n | mean conf | right |\n|---|---:|---:|---:|")
        print("\n".join(lines))


def fields(crops, t, b):
    out = []
    for gl, exact in crops:
        fc = 1.0
        for p, _ in gl:
            fc *= cal(p, t, b)
        out.append((fc, exact))
    return out


def fit(pairs):
    best = None
    for ti in range(5, 61):
        t = ti * 0.05
        for bi in range(-40, 61):
            b = bi * 0.1
            s = 0.0
            for p, o in pairs:
                c = min(max(cal(p, t, b), 1e-9), 1 - 1e-9)
                s -= math.log(c if o else 1 - c)
            if best is None or s < best[0]:
                best = (s, t, b)
    return best[1], best[2]


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    nd = argv[1]
    pages = [argv[i + 1] for i, a in enumerate(argv) if a == "--pages"]
    crops = []  # per gold line: ([(raw p, right)], exact)
    for line in open(f"{nd}/gold.tsv", encoding="utf-8"):
        f, text = line.rstrip("\n").split("\t")
        gl = glyphs(f"{nd}/inkpipe/{f.rsplit('.', 1)[0]}.hocr")
        g = text.replace(" ", "").upper()
        r = "".join(c.upper() for c, _ in gl)
        ok = align(g, r)
        crops.append(([(raw(p), o) for (_, p), o in zip(gl, ok)], r == g))
    allg = [(cal(p, T0, B0), o) for gl, _ in crops for p, o in gl]
    table("name crops, glyphs, current mapping", allg)
    table("name crops, fields, current mapping", fields(crops, T0, B0))
    fitted = []
    for half in (0, 1):
        train = [x for k, x in enumerate(crops) if k % 2 == half]
        test = [x for k, x in enumerate(crops) if k % 2 != half]
        t, b = fit([g for gl, _ in train for g in gl])
        fitted.append((t, b))
        print(f"\nfit on the {'even' if half == 0 else 'odd'} lines: "
              f"temp {t:.2f} bias {b:.1f}; reported on the other half")
        tg = [g for gl, _ in test for g in gl]
        table(" glyphs, current", [(cal(p, T0, B0), o) for p, o in tg])
        table(" glyphs, fitted", [(cal(p, t, b), o) for p, o in tg])
        table(" fields, current", fields(test, T0, B0))
        table(" fields, fitted", fields(test, t, b))
    for d in pages:
        pp = []
        for h in sorted(glob.glob(f"{d}/hocr/*.hocr")):
            gt = h.replace("/hocr/", "/grey/").replace(".hocr", ".gt.txt")
            gl = glyphs(h)
            g = "".join(open(gt, encoding="utf-8").read().split())
            ok = align(g, "".join(c for c, _ in gl))
            pp += [(raw(p), o) for (_, p), o in zip(gl, ok)]
        print(f"\ncomposed pages {d}:")
        table(" glyphs, current", [(cal(p, T0, B0), o) for p, o in pp], False)
        for t, b in fitted:
            table(f" glyphs, temp {t:.2f} bias {b:.1f}",
                  [(cal(p, t, b), o) for p, o in pp], False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
