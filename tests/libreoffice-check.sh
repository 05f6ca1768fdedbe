#!/usr/bin/env bash
# Opens the exported CSV files in LibreOffice Calc (headless) and checks that every Japanese product name
# reads back as it was written, quotes and commas included, and that the byte-order mark does not end up
# in the first header cell. Headless conversion has no Text Import dialog (whose character set follows
# the BOM), so the import options say what that dialog picks for a UTF-8 file with a BOM: comma, double
# quote, UTF-8 (76). Skipped (77) when LibreOffice is not installed.
# Usage: libreoffice-check.sh CSV_SAMPLE_PROGRAM
set -euo pipefail
soffice=$(command -v soffice || command -v libreoffice || true)
if [ -z "$soffice" ]; then
  echo "LibreOffice is not installed (apt-get install libreoffice-calc-nogui); skipping"
  exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$1" "$dir" > "$dir/names.txt"
for kind in order-lines products; do
  HOME="$dir" timeout 180 "$soffice" --headless --norestore --infilter="CSV:44,34,76,1" \
    --convert-to html --outdir "$dir/out" "$dir/$kind.csv" >/dev/null 2>&1
  test -s "$dir/out/$kind.html" || { echo "LibreOffice did not convert $kind.csv"; exit 1; }
done
missing=0
# The first header cell is exactly "id": the BOM was read as one, not as text.
grep -qE '<td[^>]*>id</td>' "$dir/out/products.html" || { echo "the BOM shows in the first cell"; missing=$((missing + 1)); }
while IFS= read -r name; do
  # HTML escapes what needs it; the product export has every name.
  escaped=$(printf '%s' "$name" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g')
  if ! grep -qF -- "$escaped" "$dir/out/products.html"; then
    echo "not read back: $name"
    missing=$((missing + 1))
  fi
done < "$dir/names.txt"
grep -qF "たなか" "$dir/out/order-lines.html" || { echo "not read back: たなか (order lines)"; missing=$((missing + 1)); }
echo "$(wc -l < "$dir/names.txt") product names checked, $missing not read back"
[ "$missing" -eq 0 ]
