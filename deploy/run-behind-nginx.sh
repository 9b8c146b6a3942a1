#!/usr/bin/env bash
# N `nn-playground serve` processes on 127.0.0.1 and nginx in front of them, in the foreground.
# Ctrl-C (or SIGTERM) stops them all. Usage, from the repository after `make deps`:
#
#   deploy/run-behind-nginx.sh [N]      # N defaults to the number of cores
#
# LISTEN (127.0.0.1:8080) is nginx's address; FIRST_PORT (8001) the first backend's port.
# Serving a public name? Set NNP_ALLOWED_HOSTS to it (see the README).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-$(nproc)}
LISTEN=${LISTEN:-127.0.0.1:8080}
FIRST_PORT=${FIRST_PORT:-8001}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
VENV_BIN=${VENV_BIN:-.venv/bin}
PREFIX=$(mktemp -d -t nnp-nginx.XXXXXX)
pids=()

cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait || true
  rm -rf "$PREFIX"
}
trap cleanup EXIT INT TERM

backends=()
for ((i = 0; i < N; i++)); do
  port=$((FIRST_PORT + i))
  "$VENV_BIN/nn-playground" serve --host 127.0.0.1 --port "$port" --workers 1 --log-level warning &
  pids+=($!)
  backends+=(--backend "127.0.0.1:$port")
done

conf=$("$VENV_BIN/python" deploy/nginx_conf.py --listen "$LISTEN" --prefix "$PREFIX" "${backends[@]}")
"$NGINX" -p "$PREFIX" -e "$PREFIX/error.log" -c "$conf" -g "daemon off;" &
pids+=($!)
echo "Neural Playground: $N processes behind nginx, open http://$LISTEN/"
wait -n  # one of them ended: stop the rest
