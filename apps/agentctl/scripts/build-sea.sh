#!/usr/bin/env bash
# Builds agentctl as one self-contained executable, a Node single executable application: the esbuild bundle
# (dist/agentctl.cjs, written by `pnpm build`) is injected into a copy of the Node binary with postject.
#
# Usage: scripts/build-sea.sh [output]     default output: dist/sea/agentctl
#   NODE_BINARY  the Node 24 binary to copy (default: $(command -v node)); the executable runs on its platform.
set -euo pipefail

app_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$app_dir/dist/sea/agentctl}"
node_bin="${NODE_BINARY:-$(command -v node)}"
bundle="$app_dir/dist/agentctl.cjs"
postject="$app_dir/node_modules/.bin/postject"
fuse=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2

die() { echo "build-sea: $*" >&2; exit 1; }
[[ -f $bundle ]] || die "$bundle is missing: run 'pnpm build' first"
[[ -x $postject ]] || die "$postject is missing: run 'pnpm install'"
node_bin="$(readlink -f "$node_bin")"
grep -q "$fuse" "$node_bin" || die "$node_bin has no single executable application fuse (not an official Node build?)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Tools' chatter goes to a log, shown only when a step fails.
quiet() { "$@" >>"$work/log" 2>&1 || { cat "$work/log" >&2; die "failed: $*"; }; }

# The blob: the bundle plus V8's code cache (the executable starts faster; the blob is tied to this Node version).
"$node_bin" -e '
  const [main, output] = process.argv.slice(1);
  require("fs").writeFileSync(process.argv[3] + ".json", JSON.stringify({
    main, output, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: true,
  }));' "$bundle" "$work/agentctl.blob" "$work/sea-config"
quiet "$node_bin" --experimental-sea-config "$work/sea-config.json"

mkdir -p "$(dirname "$out")"
cp "$node_bin" "$work/agentctl"
chmod u+w "$work/agentctl"
postject_args=()
if [[ $(uname -s) == Darwin ]]; then
  quiet codesign --remove-signature "$work/agentctl"
  postject_args=(--macho-segment-name NODE_SEA)
fi
quiet "$postject" "$work/agentctl" NODE_SEA_BLOB "$work/agentctl.blob" --sentinel-fuse "$fuse" "${postject_args[@]}"
if [[ $(uname -s) == Darwin ]]; then quiet codesign --sign - "$work/agentctl"; fi
mv "$work/agentctl" "$out"

echo "built $out ($("$out" --version), $(du -h "$out" | cut -f1))"
