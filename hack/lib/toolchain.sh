# Node 24 + pnpm for hack/ scripts. Source it after common.sh, then call ensure_toolchain.
# shellcheck shell=bash

NODE_MAJOR=${NODE_VERSION%%.*}

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# npm_install_into <dir> <package@version>: installs one npm package into <dir> atomically (staging dir + rename).
npm_install_into() {
  local dir=$1 spec=$2 stage="$1.partial.$$"
  command -v npm >/dev/null 2>&1 || die "npm is needed once to fetch $spec from the npm registry; install Node.js + npm (apt-get install nodejs npm)"
  rm -rf "$stage"; mkdir -p "$stage"
  if ! npm install --prefix "$stage" --no-save --no-audit --no-fund --loglevel=error "$spec" >"$stage.log" 2>&1; then
    cat "$stage.log" >&2; rm -rf "$stage" "$stage.log"
    die "could not install $spec from the npm registry"
  fi
  rm -f "$stage.log"
  mv -T "$stage" "$dir"
}

# ensure_toolchain: puts Node >= $NODE_MAJOR and the pinned pnpm first on PATH, installing them into the cache if needed.
ensure_toolchain() {
  local node_dir pnpm_dir
  if (($(node_major node) < NODE_MAJOR)); then
    node_dir=$(tool_dir node "$NODE_VERSION")
    if [[ ! -x $node_dir/node_modules/node/bin/node ]]; then
      log "installing Node $NODE_VERSION from the npm registry (machine has $(node --version 2>/dev/null || echo none))"
      npm_install_into "$node_dir" "node@$NODE_VERSION"
    fi
    export PATH="$node_dir/node_modules/node/bin:$PATH"
  fi
  pnpm_dir=$(tool_dir pnpm "$PNPM_VERSION")
  if [[ ! -x $pnpm_dir/node_modules/.bin/pnpm ]]; then
    log "installing pnpm $PNPM_VERSION from the npm registry"
    npm_install_into "$pnpm_dir" "pnpm@$PNPM_VERSION"
  fi
  export PATH="$pnpm_dir/node_modules/.bin:$PATH"
  export COREPACK_ENABLE_STRICT=0
}
