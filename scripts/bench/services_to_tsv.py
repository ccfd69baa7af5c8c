#!/usr/bin/env python3
"""Turns a data·inclusion v1 services.json into a TSV for PostgreSQL's COPY (text format).

Columns: id, name, description, themes (space-separated slugs, for the full text),
theme_parents (a PostgreSQL array literal of the slugs and their parents), lat, lon.
Standard library only: the bench machines have no psycopg.
"""
import json
import sys


def clean(s):
    # COPY text format: backslash, tab and newlines must be escaped.
    return (s or "").replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        services = json.load(f)
    n = 0
    with open(dst, "w", encoding="utf-8") as out:
        for s in services:
            themes = s.get("thematiques") or []
            parents = sorted({t for t in themes} | {t.split("--")[0] for t in themes})
            lat, lon = s.get("latitude"), s.get("longitude")
            out.write("\t".join([
                clean(s["id"]),
                clean(s["nom"]),
                clean(s.get("description")),
                clean(" ".join(t.replace("-", " ") for t in themes)),
                "{" + ",".join(parents) + "}",
                "\\N" if lat is None else repr(lat),
                "\\N" if lon is None else repr(lon),
            ]) + "\n")
            n += 1
    print(f"{n} services written to {dst}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
