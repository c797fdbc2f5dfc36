#!/usr/bin/env bash
# Documentation check (CI and local): the site builds with `mkdocs build --strict` — no broken
# links, no missing files — and every page under docs/ is in mkdocs.yml's nav. Needs mkdocs
# (Debian/Ubuntu: apt-get install mkdocs), nothing else: mkdocs.yml uses built-in features only.
set -euo pipefail
cd "$(dirname "$0")/.."

site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
mkdocs build --strict --site-dir "$site"

python3 - "$site" <<'PY'
import pathlib, posixpath, re, sys, yaml

config = yaml.safe_load(pathlib.Path("mkdocs.yml").read_text())

def pages(nav):
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            yield from pages(value)
        else:
            yield value

in_nav = set(pages(config["nav"]))
on_disk = {str(p.relative_to("docs")) for p in pathlib.Path("docs").rglob("*.md")}
problems = [f"docs/{p} is not in mkdocs.yml's nav" for p in sorted(on_disk - in_nav)]
problems += [f"mkdocs.yml's nav names {p}, which does not exist" for p in sorted(in_nav - on_disk)]

# mkdocs 1.4 checks that linked pages exist, not that #anchors do: check them in the built HTML.
site = pathlib.Path(sys.argv[1])
def html_of(page):
    stem = page[:-3]
    if stem == "index" or stem.endswith("/index"):
        return site / (stem + ".html")
    return site / stem / "index.html"
link = re.compile(r"\]\(([^)\s]*)#([^)\s]+)\)")
for page in sorted(on_disk):
    text = pathlib.Path("docs", page).read_text()
    for target, anchor in link.findall(text):
        dest = posixpath.normpath(posixpath.join(posixpath.dirname(page), target)) if target else page
        html = html_of(dest)
        if not html.exists() or f'id="{anchor}"' not in html.read_text():
            problems.append(f"docs/{page}: link to {target or page}#{anchor}: no such anchor")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"docs: {len(on_disk)} pages, all in the nav")
PY
