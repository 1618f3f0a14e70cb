#!/usr/bin/env bash
# Retrieval quality on the Python 3.11 documentation (Debian package python3.11-doc): fetches the package once into a
# cache, unpacks it, and runs
#   ./ragtune eval retrieval --docs <html> --questions docs/eval/python-docs-questions.jsonl [your options]
# Extra arguments go to the command (e.g. --json, --per-question, --index-dir .ragtune/eval/python-index, --modes bm25).
#
# Environment: RAGTUNE_EVAL_CACHE  where the .deb and its unpacked tree are kept (default .ragtune/eval/python3.11-doc)
#              PYTHON_DOC_PACKAGE  the package to fetch (default python3.11-doc)
#
# Left out of the corpus (and explained in docs/rag-service.md): Sphinx's generated navigation pages — the general index
# genindex*.html, the module index py-modindex.html, the search page search.html — and contents.html, the 2.5 MB table
# of contents that repeats every heading of the documentation. They hold no answers, only links to the pages that do,
# and would otherwise crowd the top 10 with pages no question can name as relevant.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PACKAGE="${PYTHON_DOC_PACKAGE:-python3.11-doc}"
CACHE="${RAGTUNE_EVAL_CACHE:-$ROOT/.ragtune/eval/$PACKAGE}"
VERSION="${PACKAGE#python}"; VERSION="${VERSION%-doc}"
HTML="$CACHE/root/usr/share/doc/python$VERSION/html"
QUESTIONS="$ROOT/docs/eval/python-docs-questions.jsonl"

fail() { echo "python-docs.sh: $*" >&2; exit 2; }

download() {
  # stdout too goes to stderr: the command's stdout is its result (--json)
  (cd "$CACHE" && apt-get download "$PACKAGE" 2> >(grep -v "unsandboxed as root" >&2) >&2)
}

if [ ! -f "$HTML/index.html" ]; then
  command -v dpkg >/dev/null || fail "dpkg is needed to unpack $PACKAGE (a Debian or Ubuntu machine)"
  mkdir -p "$CACHE"
  deb="$(ls "$CACHE/${PACKAGE}"_*.deb 2>/dev/null | head -n 1 || true)"
  if [ -z "$deb" ]; then
    command -v apt-get >/dev/null || fail "apt-get is needed to fetch $PACKAGE (a Debian or Ubuntu machine)"
    echo "python-docs.sh: fetching $PACKAGE into $CACHE" >&2
    if ! download; then
      # a fresh machine or container often has no package lists yet
      if [ "$(id -u)" -eq 0 ]; then
        echo "python-docs.sh: apt-get download failed; running apt-get update and trying again" >&2
        apt-get update -qq
      elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        echo "python-docs.sh: apt-get download failed; running sudo apt-get update and trying again" >&2
        sudo apt-get update -qq
      else
        fail "apt-get download $PACKAGE failed; run 'sudo apt-get update' (or put ${PACKAGE}_*.deb into $CACHE) and try again"
      fi
      download || fail "apt-get download $PACKAGE failed after apt-get update: is $PACKAGE in this distribution's archive?"
    fi
    deb="$(ls "$CACHE/${PACKAGE}"_*.deb | head -n 1)"
  fi
  echo "python-docs.sh: unpacking $(basename "$deb")" >&2
  rm -rf "$CACHE/root.partial"
  dpkg -x "$deb" "$CACHE/root.partial"
  rm -rf "$CACHE/root"
  mv "$CACHE/root.partial" "$CACHE/root"
  [ -f "$HTML/index.html" ] || fail "$(basename "$deb") has no $HTML/index.html"
fi

echo "python-docs.sh: $(ls "$CACHE/${PACKAGE}"_*.deb 2>/dev/null | xargs -r -n 1 basename), documents in $HTML" >&2
exec "$ROOT/ragtune" eval retrieval --docs "$HTML" --questions "$QUESTIONS" \
  --exclude 'genindex*.html,py-modindex.html,search.html,contents.html' "$@"
