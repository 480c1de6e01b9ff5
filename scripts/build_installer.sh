#!/usr/bin/env bash
# Build the one-folder Support Console app with PyInstaller, then smoke-run the built binary.
#
#   scripts/build_installer.sh              # build into dist/support-console/ and smoke-check it
#   SKIP_SMOKE=1 scripts/build_installer.sh # build only
#
# Needs the dev extra:  .venv/bin/pip install -e '.[dev]'   (pyinstaller)
# Result: dist/support-console/support-console (+ _internal/). Copy the folder anywhere; on Linux,
# install console/resources/support-console.desktop into ~/.local/share/applications and
# console/resources/icons/support-console.svg into ~/.local/share/icons/hicolor/scalable/apps for a menu entry.
# Smoke checks: `support-console --self-check` offscreen (when console/app.py provides it), and
# `support-console serve --demo --port 0` answering /healthz.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
BIN=dist/support-console/support-console

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --workpath build/pyinstaller --distpath dist build_installer.spec
echo "built in $(( $(date +%s) - start )) s; size: $(du -sh dist/support-console | cut -f1)"
[ "${SKIP_SMOKE:-0}" = 1 ] && exit 0

tmp=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export QT_QPA_PLATFORM=offscreen SUPPORT_CONSOLE_CONFIG_DIR="$tmp/config" \
       SUPPORT_CONSOLE_DATA_DIR="$tmp/data" SUPPORT_CONSOLE_LOG_DIR="$tmp/logs"

if grep -q "self_check" console/app.py 2>/dev/null; then
    timeout 180 "$BIN" --self-check
    echo "smoke: --self-check passed"
else
    echo "smoke: console/app.py has no --self-check yet; checking the embedded helpdesk only"
fi

"$BIN" serve --demo --port 0 --tickets 20 --db "$tmp/helpdesk.sqlite" >"$tmp/serve.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 120); do
    url=$(grep -o 'http://[0-9.:]*' "$tmp/serve.log" | head -1 || true)
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
done
if [ -z "$url" ]; then
    echo "smoke: the built helpdesk did not start:"; cat "$tmp/serve.log"; exit 1
fi
"$PY" -c "import sys, urllib.request; b = urllib.request.urlopen(sys.argv[1] + '/healthz', timeout=10).read(); \
assert b'ok' in b, b; print('smoke: healthz', b.decode())" "$url"
"$PY" -c "import base64, sys, urllib.request; r = urllib.request.Request(sys.argv[1] + '/api/v2/users/me.json', \
headers={'Authorization': 'Bearer demo-agent-token'}); b = urllib.request.urlopen(r, timeout=10).read(); \
assert b'agent@demo' in b, b; print('smoke: signed in to the built helpdesk as the demo agent')" "$url"
echo "smoke: passed"
