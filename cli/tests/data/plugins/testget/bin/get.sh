#!/bin/sh
# A getter: ARGS… CERT KEY CA URL. Serves helmrstest://HOST/FILE from $TESTGET_ROOT/FILE on
# standard output; a file that does not exist fails with exit code 7.
for url; do :; done
echo "getter $HELM_PLUGIN_NAME: $# args, first [$1], user [$HELM_PLUGIN_USERNAME], url $url" >&2
file=$(printf '%s' "$url" | sed 's|^[a-z0-9]*://[^/]*/||')
if [ ! -f "$TESTGET_ROOT/$file" ]; then
  echo "no such chart: $file" >&2
  exit 7
fi
cat "$TESTGET_ROOT/$file"
