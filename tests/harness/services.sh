#!/usr/bin/env bash
# services.sh TOKEN_DIR OUT_DIR
#
# Prepares, inside OUT_DIR only, the PKI of the local trust services used by the augmentation
# tests (THE CERTIFICATES ARE FOR TESTS ONLY):
#   - a test TSA CA and a TSA certificate (extendedKeyUsage critical timeStamping) with the
#     `openssl ts -reply` configuration (OUT_DIR/tsa.cnf);
#   - a copy of the harness seal CA database of TOKEN_DIR (made by mktoken.sh), extended with an
#     OCSP responder certificate (extendedKeyUsage OCSPSigning), a software seal key and
#     certificate (seal-soft, good) and a revoked one (seal-revoked), and a CRL of each CA.
# services.py then serves them over HTTP on 127.0.0.1. Tool output goes to OUT_DIR/services.log.
set -Eeuo pipefail
if [[ $# -ne 2 ]]; then
    echo "usage: $0 TOKEN_DIR OUT_DIR" >&2
    exit 2
fi
TOKEN=$(cd "$1" && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
LOG="$OUT/services.log"
: >"$LOG"
exec 3>&2
trap 'echo "services.sh: failed at line $LINENO; last lines of $LOG:" >&3; tail -n 15 "$LOG" >&3' ERR

utc() { date -u -d "$1" +%y%m%d%H%M%SZ; }
export OPENSSL_CONF="$OUT/openssl.cnf"
mkdir -p "$OUT/seal-ca/issued" "$OUT/tsa-ca/issued"
cp "$TOKEN/pki/index.txt" "$OUT/seal-ca/index.txt"
cp "$TOKEN/pki/serial" "$OUT/seal-ca/serial"
echo 01 >"$OUT/seal-ca/crlnumber"
: >"$OUT/tsa-ca/index.txt"
echo 2000 >"$OUT/tsa-ca/serial"
echo 01 >"$OUT/tsa-ca/crlnumber"
echo 01 >"$OUT/tsaserial"

cat >"$OPENSSL_CONF" <<CNF
[ req ]
distinguished_name = dn_empty
prompt = no
[ dn_empty ]
CN = unused

[ seal_ca ]
dir = $OUT/seal-ca
database = \$dir/index.txt
new_certs_dir = \$dir/issued
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $TOKEN/ca.pem
private_key = $TOKEN/pki/ca.key
default_md = sha256
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
[ tsa_ca ]
dir = $OUT/tsa-ca
database = \$dir/index.txt
new_certs_dir = \$dir/issued
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $OUT/tsa-ca.pem
private_key = $OUT/tsa-ca/ca.key
default_md = sha256
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied

[ v3_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_ocsp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_seal ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, nonRepudiation, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ tsa ]
default_tsa = tsa_test
[ tsa_test ]
dir = $OUT
serial = \$dir/tsaserial
crypto_device = builtin
signer_cert = \$dir/tsa.pem
certs = \$dir/tsa-ca.pem
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1.1
other_policies = 1.3.6.1.4.1.99999.1.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF

issue() { # ca subject-cn ext out-stem start end
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$4.key"
    openssl req -new -key "$4.key" -subj "/C=FR/O=Sealdesk Test Services (NOT QUALIFIED)/CN=$2" -out "$4.csr"
    openssl ca -batch -notext -name "$1" -in "$4.csr" -preserveDN -extensions "$3" \
        -startdate "$(utc "$5")" -enddate "$(utc "$6")" -out "$4.pem"
    openssl x509 -in "$4.pem" -outform DER -out "$4.der"
}

{
    # The TSA CA and the TSA.
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OUT/tsa-ca/ca.key"
    openssl req -new -key "$OUT/tsa-ca/ca.key" -out "$OUT/tsa-ca/ca.csr" \
        -subj "/C=FR/O=Sealdesk Test Services (NOT QUALIFIED)/CN=Sealdesk Test TSA CA (NOT QUALIFIED)"
    openssl ca -batch -notext -selfsign -name tsa_ca -keyfile "$OUT/tsa-ca/ca.key" -in "$OUT/tsa-ca/ca.csr" \
        -startdate "$(utc '5 years ago')" -enddate "$(utc '20 years')" -preserveDN -extensions v3_ca \
        -out "$OUT/tsa-ca.pem"
    openssl x509 -in "$OUT/tsa-ca.pem" -outform DER -out "$OUT/tsa-ca.der"
    issue tsa_ca "Sealdesk Test TSA (NOT QUALIFIED)" v3_tsa "$OUT/tsa" "2 days ago" "6 years"

    # Under the harness seal CA: the OCSP responder, a good and a revoked software seal.
    issue seal_ca "Sealdesk Test OCSP responder" v3_ocsp "$OUT/ocsp" "2 days ago" "2 years"
    issue seal_ca "Universite Exemple - soft seal (TEST)" v3_seal "$OUT/seal-soft" "2 days ago" "2 years"
    issue seal_ca "Universite Exemple - revoked seal (TEST)" v3_seal "$OUT/seal-revoked" "2 days ago" "2 years"
    openssl ca -name seal_ca -revoke "$OUT/seal-revoked.pem" -crl_reason keyCompromise

    # CRLs (DER), as served over HTTP.
    openssl ca -name seal_ca -gencrl -out "$OUT/seal-ca.crl.pem"
    openssl crl -in "$OUT/seal-ca.crl.pem" -outform DER -out "$OUT/seal-ca.crl"
    openssl ca -name tsa_ca -gencrl -out "$OUT/tsa-ca.crl.pem"
    openssl crl -in "$OUT/tsa-ca.crl.pem" -outform DER -out "$OUT/tsa-ca.crl"
} >>"$LOG" 2>&1
trap - ERR
echo "services: PKI ready in $OUT"
