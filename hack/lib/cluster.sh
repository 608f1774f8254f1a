# Paths and helpers of the local cluster. Source after common.sh.
# shellcheck shell=bash

CLUSTER_DIR="${AGENTS_CLUSTER_DIR:-$REPO_ROOT/.cluster}"
PKI="$CLUSTER_DIR/pki"
ETCD_PORT=${ETCD_PORT:-2379}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-2380}
APISERVER_PORT=${APISERVER_PORT:-6443}
KCM_PORT=${KCM_PORT:-10257}
SCHEDULER_PORT=${SCHEDULER_PORT:-10259}
# kwok's kubelet endpoint (pods/log of the fake node).
KWOK_PORT=${KWOK_PORT:-10247}
KUBE_BIN="$(tool_dir kube "$KUBE_VERSION")/bin"
ETCD_BIN="$(tool_dir etcd "$ETCD_VERSION")/bin"
KWOK_BIN="$(tool_dir kwok "$KWOK_VERSION")/bin"
HELM_BIN="$(tool_dir helm "$HELM_VERSION")/bin"
KUBECONFORM_BIN="$(tool_dir kubeconform "$KUBECONFORM_VERSION")/bin"
BUF_BIN="$(tool_dir buf "$BUF_VERSION")/bin"
ADMIN_KUBECONFIG="$CLUSTER_DIR/admin.kubeconfig"
# Start order; down stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

tools_path() { printf "%s:%s:%s:%s:%s:%s" "$KUBE_BIN" "$ETCD_BIN" "$KWOK_BIN" "$HELM_BIN" "$KUBECONFORM_BIN" "$BUF_BIN"; }

pid_alive() { [[ -f $CLUSTER_DIR/pids/$1 ]] && kill -0 "$(cat "$CLUSTER_DIR/pids/$1")" 2>/dev/null; }

# start_bg <name> <cmd...>: runs a component in its own session, logs to logs/<name>.log, records its PID.
start_bg() {
  local name=$1; shift
  setsid "$@" >"$CLUSTER_DIR/logs/$name.log" 2>&1 < /dev/null &
  echo $! >"$CLUSTER_DIR/pids/$name"
}

# stop_pid <name>: TERM, wait up to 10 s, then KILL; only ever signals a PID this script recorded.
stop_pid() {
  local name=$1 pid i
  [[ -f $CLUSTER_DIR/pids/$name ]] || return 0
  pid=$(cat "$CLUSTER_DIR/pids/$name")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$CLUSTER_DIR/pids/$name"
}

admin_curl() { curl -fsS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$@"; }

kubectl_admin() { "$KUBE_BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }

# write_kubeconfig <out> <user> <crt> <key>
write_kubeconfig() {
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 <"$3")
    client-key-data: $(base64 -w0 <"$4")
contexts:
- name: $2@local
  context: {cluster: local, user: $2}
current-context: $2@local
KC
}
