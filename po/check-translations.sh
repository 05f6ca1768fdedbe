#!/usr/bin/env bash
# Fails when a message the user can see has no translation (or a fuzzy one) in a language of LINGUAS.
# It extracts the messages from the sources as they are now, so a new string fails here before the
# .pot is regenerated. Usage: check-translations.sh SOURCE_ROOT
set -euo pipefail
root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

xgettext --package-name=yatai --from-code=UTF-8 --directory="$root" --files-from="$root/po/POTFILES.in" \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 --flag=N_:1:pass-c-format \
  --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format --flag=g_dngettext:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_string_printf:2:c-format \
  --flag=g_string_append_printf:2:c-format --flag=g_error_new:3:c-format \
  --flag=g_set_error:4:c-format --flag=g_markup_printf_escaped:1:c-format \
  --output="$tmp/yatai.pot" 2>"$tmp/xgettext.log" || { cat "$tmp/xgettext.log"; exit 1; }

status=0
for lang in $(grep -v '^#' "$root/po/LINGUAS"); do
  msgmerge --quiet --no-fuzzy-matching "$root/po/$lang.po" "$tmp/yatai.pot" -o "$tmp/$lang.po"
  untranslated=$(msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$tmp/$lang.po" | grep -c '^msgid ' || true)
  # msgattrib prints the header entry too when it prints anything.
  [ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
  [ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
  msgfmt --check --output-file=/dev/null "$root/po/$lang.po"
  echo "$lang: $untranslated untranslated, $fuzzy fuzzy"
  if [ "$untranslated" -ne 0 ] || [ "$fuzzy" -ne 0 ]; then
    msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep -A1 '^msgid ' | head -40
    status=1
  fi
done
exit $status
