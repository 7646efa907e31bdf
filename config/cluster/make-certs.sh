#!/usr/bin/env bash
# Makes a private CA and a certificate for each node of a cluster, for cluster.tls (mutual TLS
# between the nodes), with the openssl command.
#   bash config/cluster/make-certs.sh <dir> <node-id>...
# writes <dir>/ca.crt and <dir>/ca.key (the CA; made once, reused when it exists, so a node added
# later gets a certificate of the same CA) and <dir>/<node-id>.crt and <dir>/<node-id>.key for each
# node (made when missing). Each node's config then says:
#   cluster:
#     tls: {cert_file: <dir>/<node-id>.crt, key_file: <dir>/<node-id>.key, ca_file: <dir>/ca.crt}
# A node accepts any peer whose certificate this CA signed: keep ca.key off the nodes (it is only
# needed to make more certificates), and give each node only its own key and ca.crt.
# Keys are ECDSA P-256; node certificates are for TLS client and server use (both ends of a
# connection present one), valid for CERT_DAYS days (default 825), the CA for CA_DAYS (3650).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: bash config/cluster/make-certs.sh <dir> <node-id>..." >&2
  exit 2
fi
dir=$1; shift
cert_days=${CERT_DAYS:-825}
ca_days=${CA_DAYS:-3650}
command -v openssl >/dev/null || { echo "make-certs: the openssl command is missing (Debian package openssl)" >&2; exit 1; }
mkdir -p "$dir"
umask 077

if [ ! -f "$dir/ca.key" ] || [ ! -f "$dir/ca.crt" ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -sha256 -days "$ca_days" -subj "/CN=actorflow cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.crt" 2>/dev/null
  chmod 644 "$dir/ca.crt"
  echo "make-certs: CA $dir/ca.crt"
fi

for node in "$@"; do
  if ! [[ "$node" =~ ^[A-Za-z0-9._-]+$ ]]; then
    echo "make-certs: '$node' is no node id ([A-Za-z0-9._-])" >&2
    exit 2
  fi
  if [ -f "$dir/$node.crt" ] && [ -f "$dir/$node.key" ]; then
    echo "make-certs: $dir/$node.crt exists"
    continue
  fi
  extensions=$(mktemp)
  trap 'rm -f "$extensions" "$dir/$node.csr"' EXIT
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyAgreement" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:$node,DNS:localhost,IP:127.0.0.1" >"$extensions"
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$node.key"
  openssl req -new -key "$dir/$node.key" -subj "/CN=$node" -out "$dir/$node.csr"
  openssl x509 -req -in "$dir/$node.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -sha256 \
    -days "$cert_days" -extfile "$extensions" -out "$dir/$node.crt" 2>/dev/null
  chmod 644 "$dir/$node.crt"
  rm -f "$extensions" "$dir/$node.csr"
  trap - EXIT
  echo "make-certs: $node: $dir/$node.crt, $dir/$node.key"
done
