#!/usr/bin/env bash
# Binary size and cold build time of the tiny programs under tiny/, each with a fresh,
# empty GOCACHE (so the standard library is rebuilt too: compare against "baseline").
# cold_cpu_s is user+sys CPU of the build (steadier than wall time on a shared machine).
# The shared build cache is not touched. Usage: bash measure_build.sh
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
TIMEFORMAT='%R %U %S'
printf '%-14s %12s %14s %10s %12s %10s\n' program size_bytes stripped_bytes cold_wall_s cold_cpu_s relink_s
for p in baseline modernc ncruces ncruces_fts5; do
	cache=$(mktemp -d)
	read -r wall user sys < <({ time GOCACHE=$cache go build -trimpath -o "$out/$p" "./tiny/$p" >/dev/null 2>&1; } 2>&1)
	# Warm relink: the same cache, a changed main package (what an edit-build loop pays).
	cp "tiny/$p/main.go" "$out/main.go.bak"
	echo "var _ = 1" >>"tiny/$p/main.go"
	read -r rwall _ _ < <({ time GOCACHE=$cache go build -trimpath -o "$out/$p.relink" "./tiny/$p" >/dev/null 2>&1; } 2>&1)
	cp "$out/main.go.bak" "tiny/$p/main.go"
	GOCACHE=$cache go build -trimpath -ldflags='-s -w' -o "$out/$p.stripped" "./tiny/$p"
	rm -rf "$cache"
	printf '%-14s %12d %14d %10.1f %12.1f %10.1f\n' "$p" "$(stat -c %s "$out/$p")" "$(stat -c %s "$out/$p.stripped")" \
		"$wall" "$(echo "$user + $sys" | bc)" "$rwall"
done
