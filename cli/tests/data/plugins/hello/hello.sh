#!/bin/sh
# Prints what helm-rs (or Helm) gave the plugin; exits with $HELLO_EXIT.
echo "args: $*"
echo "name=$HELM_PLUGIN_NAME dir=$HELM_PLUGIN_DIR"
echo "ns=$HELM_NAMESPACE ctx=$HELM_KUBECONTEXT debug=$HELM_DEBUG plugins=$HELM_PLUGINS"
echo "data=$HELM_DATA_HOME repos=$HELM_REPOSITORY_CONFIG max=$HELM_MAX_HISTORY qps=$HELM_QPS"
echo "bin=$HELM_BIN"
echo "to stderr" >&2
exit "${HELLO_EXIT:-0}"
