#!/usr/bin/env bash
# Renders packaging/agentctl.rb.tmpl to stdout.
# Usage: scripts/render-formula.sh <version> <url of the npm package> <sha256 of it> [homepage]
set -euo pipefail

app_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "render-formula: $*" >&2; exit 1; }
(($# >= 3)) || die "usage: render-formula.sh <version> <url> <sha256> [homepage]"
version=$1 url=$2 sha=$3 homepage=${4:-https://github.com/proompteng/agents}

[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || die "version '$version' is not semver (e.g. 1.2.3)"
[[ $sha =~ ^[0-9a-f]{64}$ ]] || die "sha256 '$sha' is not 64 lowercase hex digits"
for u in "$url" "$homepage"; do
  [[ $u =~ ^https://[^[:space:]\"\\]+$ ]] || die "'$u' is not an https URL"
done

# '|' cannot occur in the values checked above except in URLs, where it is escaped.
esc() { printf '%s' "$1" | sed -e 's/[|&\\]/\\&/g'; }
sed -e "s|{{VERSION}}|$(esc "$version")|g" \
  -e "s|{{URL}}|$(esc "$url")|g" \
  -e "s|{{SHA256}}|$(esc "$sha")|g" \
  -e "s|{{HOMEPAGE}}|$(esc "$homepage")|g" \
  "$app_dir/packaging/agentctl.rb.tmpl"
