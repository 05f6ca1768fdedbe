#!/usr/bin/env bash
# `meson install` puts everything where a desktop finds it: installs the build into a temporary prefix
# and checks the list. Usage: install-check.sh BUILD_DIR
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet
prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
root="$dest$prefix"
missing=0
for f in \
  bin/yatai \
  share/applications/io.github.yatai.Yatai.desktop \
  share/metainfo/io.github.yatai.Yatai.metainfo.xml \
  share/icons/hicolor/scalable/apps/io.github.yatai.Yatai.svg \
  share/icons/hicolor/symbolic/apps/io.github.yatai.Yatai-symbolic.svg \
  share/glib-2.0/schemas/io.github.yatai.Yatai.gschema.xml \
  share/locale/ja/LC_MESSAGES/yatai.mo
do
  if [ -e "$root/$f" ]; then echo "ok $f"; else echo "MISSING $f"; missing=$((missing + 1)); fi
done
# The installed program runs.
"$root/bin/yatai" --version
[ "$missing" -eq 0 ]
