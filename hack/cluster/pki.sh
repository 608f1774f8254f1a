#!/usr/bin/env bash
# Creates the local cluster's CA, serving and client certificates and the service-account signing key (openssl).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$REPO_ROOT/hack/lib/cluster.sh"

[[ -f $PKI/admin.crt ]] && exit 0
mkdir -p "$PKI"; cd "$PKI"
cat > ca.cnf <<'CNF'
[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
CNF
openssl req -x509 -new -nodes -newkey rsa:2048 -days 3650 -keyout ca.key -out ca.crt \
  -subj "/CN=agents-local-ca" -config ca.cnf -extensions v3_ca 2>/dev/null

leaf() { # name subject eku [san]
  openssl req -new -nodes -newkey rsa:2048 -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$3"; if [[ -n ${4:-} ]]; then echo "subjectAltName=$4"; fi; } > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -out "$1.crt" -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
leaf apiserver "/CN=kube-apiserver" serverAuth \
  "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1"
leaf admin "/O=system:masters/CN=kube-admin" clientAuth
leaf kcm "/CN=system:kube-controller-manager" clientAuth
leaf scheduler "/CN=system:kube-scheduler" clientAuth
openssl genrsa -out sa.key 2048 2>/dev/null && openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null

write_kubeconfig "$ADMIN_KUBECONFIG" kube-admin "$PKI/admin.crt" "$PKI/admin.key"
write_kubeconfig "$CLUSTER_DIR/kcm.kubeconfig" kcm "$PKI/kcm.crt" "$PKI/kcm.key"
write_kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" scheduler "$PKI/scheduler.crt" "$PKI/scheduler.key"
