# Shared helpers for hack/ scripts. Source it; do not execute it.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../versions.env
. "$REPO_ROOT/hack/versions.env"

AGENTS_CACHE="${AGENTS_CACHE:-$HOME/.cache/agents}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# wait_for <seconds> <description> <cmd...>: poll every 0.5 s until cmd succeeds.
wait_for() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
}

# tool_dir <tool> <version>: the cache directory of one pinned tool.
tool_dir() { printf '%s/%s-%s' "$AGENTS_CACHE" "$1" "$2"; }
