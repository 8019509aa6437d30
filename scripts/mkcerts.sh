#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/mkcerts.sh DIR - test PKI for tlsxfer's handshake modes.
#
# Creates in DIR (made if missing), with the openssl CLI only:
#
#   ca-cert.pem ca-key.pem          "Test CA", the trust anchor (--ca)
#   server-cert.pem server-key.pem  CN=localhost; SAN: localhost,
#                                   server.test and the test addresses
#                                   (127.0.0.1, ::1, 198.18.0.1/2,
#                                   2001:db8::1/2)
#   client-cert.pem client-key.pem  CN=Test Client (mTLS)
#   client-expired-cert.pem client-expired-key.pem
#                                   CN=Expired Client, valid 2020-01-01 to
#                                   2021-01-01 (signed by the CA)
#   other-ca-cert.pem other-ca-key.pem
#                                   "Other CA", not trusted by anything
#   client-other-cert.pem client-other-key.pem
#                                   CN=Other Client, signed by the other CA
#   server-other-cert.pem server-other-key.pem
#                                   CN=localhost, signed by the other CA
#
# Keys are EC P-256 (fast handshakes under QEMU/TCG). Certificates are
# signed with `openssl ca`, which (unlike `openssl x509 -days`) takes an
# explicit -startdate/-enddate: that is how the expired certificate gets
# its validity window in the past, without faketime. Subjects follow the
# "kTLS + OpenSSL Hello World" example:
#   /C=US/ST=CA/L=SantaClara/O=TestOrg/CN=...
#
# Idempotent: an existing, complete DIR is left alone (delete it to
# regenerate). Prints one line per file created; exits non-zero on error.

set -Eeuo pipefail

[ $# -eq 1 ] && [ "$1" != -h ] && [ "$1" != --help ] || {
	sed -n '3,32p' "$0" | sed 's/^# \{0,1\}//'
	[ $# -eq 1 ] && exit 0
	exit 2
}
DIR=$1
OPENSSL=${OPENSSL:-openssl}
FILES=(ca server client client-expired other-ca client-other server-other)

complete()
{
	local f
	for f in "${FILES[@]}"; do
		[ -s "$DIR/$f-cert.pem" ] && [ -s "$DIR/$f-key.pem" ] || return 1
	done
}

mkdir -p "$DIR"
if complete; then
	echo "mkcerts: $DIR is complete, nothing to do"
	exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DN="/C=US/ST=CA/L=SantaClara"

# ca_db NAME: an `openssl ca` database and config for CA NAME
ca_db()
{
	local d=$WORK/$1
	mkdir -p "$d/new"
	: >"$d/index.txt"
	echo 1000 >"$d/serial"
	cat >"$d/ca.cnf" <<EOF
[ ca ]
default_ca = this_ca

[ this_ca ]
dir             = $d
database        = \$dir/index.txt
serial          = \$dir/serial
new_certs_dir   = \$dir/new
certificate     = $DIR/$1-cert.pem
private_key     = $DIR/$1-key.pem
default_md      = sha256
default_days    = 3650
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no

[ policy_any ]
countryName            = optional
stateOrProvinceName    = optional
localityName           = optional
organizationName       = optional
commonName             = supplied

[ v3_ca ]
basicConstraints       = critical, CA:true
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_server ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, DNS:server.test, IP:127.0.0.1, IP:::1, IP:198.18.0.1, IP:198.18.0.2, IP:2001:db8::1, IP:2001:db8::2
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid

[ v3_client ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
EOF
}

genkey()
{
	"$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$DIR/$1-key.pem" 2>"$WORK/err" ||
		{ cat "$WORK/err" >&2; return 1; }
	chmod 600 "$DIR/$1-key.pem"
}

# mkca NAME CN ORG: self-signed CA certificate
mkca()
{
	genkey "$1"
	ca_db "$1"
	"$OPENSSL" req -new -key "$DIR/$1-key.pem" -subj "$DN/O=$3/CN=$2" \
		-out "$WORK/$1.csr" 2>"$WORK/err" &&
	"$OPENSSL" ca -batch -notext -selfsign -config "$WORK/$1/ca.cnf" \
		-keyfile "$DIR/$1-key.pem" -extensions v3_ca \
		-in "$WORK/$1.csr" -out "$DIR/$1-cert.pem" 2>"$WORK/err" ||
		{ cat "$WORK/err" >&2; return 1; }
	echo "mkcerts: $DIR/$1-cert.pem: $2"
}

# mkcert NAME CA EXT CN [STARTDATE ENDDATE]: certificate signed by CA
mkcert()
{
	local name=$1 ca=$2 ext=$3 cn=$4 dates=()
	[ $# -ge 6 ] && dates=(-startdate "$5" -enddate "$6")
	genkey "$name"
	"$OPENSSL" req -new -key "$DIR/$name-key.pem" \
		-subj "$DN/O=TestOrg/CN=$cn" -out "$WORK/$name.csr" \
		2>"$WORK/err" &&
	"$OPENSSL" ca -batch -notext -config "$WORK/$ca/ca.cnf" \
		-extensions "$ext" "${dates[@]}" \
		-in "$WORK/$name.csr" -out "$DIR/$name-cert.pem" 2>"$WORK/err" ||
		{ cat "$WORK/err" >&2; return 1; }
	echo "mkcerts: $DIR/$name-cert.pem: $cn (issuer $ca${5:+, $5 - $6})"
}

mkca ca "Test CA" TestCA
mkca other-ca "Other CA" OtherCA
mkcert server ca v3_server localhost
mkcert client ca v3_client "Test Client"
mkcert client-expired ca v3_client "Expired Client" 200101000000Z 210101000000Z
mkcert client-other other-ca v3_client "Other Client"
mkcert server-other other-ca v3_server localhost

# Self-check: what verifies and what must not.
v() { "$OPENSSL" verify -CAfile "$DIR/ca-cert.pem" "$DIR/$1-cert.pem" >/dev/null 2>&1; }
v server && v client && ! v client-expired && ! v client-other &&
	! v server-other || { echo "mkcerts: self-check failed" >&2; exit 1; }
complete
