#!/usr/bin/env bash
# Installs the Debian packages a part of the set-up needs, when they are missing.
#   scripts/system-deps.sh gettext      msgfmt, for compiling translations
#   scripts/system-deps.sh browser      chromium and CJK fonts, for browser tests
#   scripts/system-deps.sh postgresql   PostgreSQL server binaries, for the PostgreSQL run
#   scripts/system-deps.sh pdf          Pango and CJK fonts, for PDFs made by WeasyPrint
set -euo pipefail

need=()
case "${1:-}" in
  gettext) command -v msgfmt >/dev/null || need+=(gettext) ;;
  browser)
    command -v chromium >/dev/null || need+=(chromium)
    fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
    ;;
  postgresql)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || need+=(postgresql)
    ;;
  pdf)
    ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
    fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
    ;;
  *) echo "usage: $0 gettext|browser|postgresql|pdf" >&2; exit 2 ;;
esac

[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "vetq needs the Debian packages: ${need[*]}" >&2
  echo "Install them (sudo apt-get install -y ${need[*]}) and run this again." >&2
  exit 1
fi
echo "installing ${need[*]} …"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
