#!/usr/bin/env bash
# Prints the size of every zip template.yaml deploys (CodeUri / ContentUri), after `mvn -B package`.
# Lambda limits: 50 MB zipped per direct upload, 250 MB unzipped for a function with all its layers.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
total=0
missing=0
printf '%-52s %12s %12s %8s\n' "zip (template.yaml)" "zipped" "unzipped" "entries"
while read -r path; do
  if [[ ! -f "$path" ]]; then
    printf '%-52s %12s\n' "$path" "NOT BUILT"
    missing=1
    continue
  fi
  zipped=$(stat -c %s "$path")
  read -r unzipped entries < <(unzip -l "$path" | awk 'END { print $1, $2 }')
  printf '%-52s %9.1f KiB %9.1f KiB %8s\n' "$path" "$(echo "$zipped/1024" | bc -l)" "$(echo "$unzipped/1024" | bc -l)" "$entries"
  total=$((total + zipped))
done < <(grep -E '^\s+(CodeUri|ContentUri):\s' template.yaml | awk '{ print $2 }' | sort -u)
printf '%-52s %9.1f KiB\n' "total uploaded by sam deploy" "$(echo "$total/1024" | bc -l)"
if [[ -f layers/shared/target/flashsale-layer.sha256 ]]; then
  echo "layer sha256 (in every function zip as META-INF/flashsale-layer.sha256): $(cat layers/shared/target/flashsale-layer.sha256)"
fi
exit $missing
