#!/usr/bin/env bash
# mktoken.sh DIR [LABEL]
#
# Creates, inside DIR and nowhere else, a private SoftHSM2 token store with one token (LABEL,
# default TEST) and a throwaway test PKI made with the openssl CLI. THE CERTIFICATES ARE FOR
# TESTS ONLY: the issuing CA says "(NOT QUALIFIED)" in its name.
#
# Keys, all generated on the token, each with a certificate of the same CKA_ID:
#   01  RSA-3072  qualified e-seal profile, valid from yesterday for ~2 years (the default seal)
#   02  RSA-2048  qualified e-seal profile, EXPIRED
#   03  EC P-256  plain certificate (no QC statements, keyUsage digitalSignature only)
#   04  RSA-2048  CKA_ALWAYS_AUTHENTICATE (PIN per signature), qualified e-seal profile
#   05  EC P-384  qualified e-seal profile, valid from yesterday for ~2 years (ES384)
#   a0  the test CA certificate (certificate only, no key)
#
# Environment: SEALDESK_TEST_PIN (user PIN, default 123456); SOFTHSM2_MODULE (path of
# libsofthsm2.so, discovered when unset). Outputs: DIR/softhsm2.conf, DIR/tokens/, DIR/ca.pem,
# DIR/seal-0N.pem, DIR/token.env (shell exports), DIR/token.json (the same facts, for tests).
# Tool output goes to DIR/mktoken.log; on success one line is printed, on failure the log tail.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 DIR [LABEL]" >&2
    exit 2
fi
mkdir -p "$1"
DIR=$(cd "$1" && pwd)
LABEL=${2:-TEST}
PIN=${SEALDESK_TEST_PIN:-123456}
SO_PIN=12345678
LOG="$DIR/mktoken.log"

if [[ -e "$DIR/tokens" && -n "$(ls -A "$DIR/tokens" 2>/dev/null)" ]]; then
    echo "mktoken: $DIR/tokens already holds a token store; use an empty directory" >&2
    exit 1
fi

MODULE=${SOFTHSM2_MODULE:-}
if [[ -z "$MODULE" ]]; then
    for candidate in /usr/lib/softhsm/libsofthsm2.so \
        /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
        /usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so \
        /usr/local/lib/softhsm/libsofthsm2.so \
        /usr/lib64/pkcs11/libsofthsm2.so \
        /usr/lib/pkcs11/libsofthsm2.so; do
        if [[ -f "$candidate" ]]; then MODULE=$candidate; break; fi
    done
fi
if [[ -z "$MODULE" || ! -f "$MODULE" ]]; then
    echo "mktoken: libsofthsm2.so not found; install softhsm2 or set SOFTHSM2_MODULE" >&2
    exit 1
fi
ENGINE=""
for candidate in /usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so \
    /usr/lib/aarch64-linux-gnu/engines-3/pkcs11.so \
    /usr/lib64/engines-3/pkcs11.so /usr/local/lib/engines-3/pkcs11.so; do
    if [[ -f "$candidate" ]]; then ENGINE=$candidate; break; fi
done
if [[ -z "$ENGINE" ]]; then
    echo "mktoken: the OpenSSL PKCS#11 engine (pkcs11.so) is missing; install libengine-pkcs11-openssl" >&2
    exit 1
fi

: >"$LOG"
exec 3>&2
on_error() {
    echo "mktoken: failed at line $1; last lines of $LOG:" >&3
    tail -n 15 "$LOG" >&3
}
trap 'on_error $LINENO' ERR

mkdir -p "$DIR/tokens" "$DIR/pki/issued"
cat >"$DIR/softhsm2.conf" <<EOF
directories.tokendir = $DIR/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
export SOFTHSM2_CONF="$DIR/softhsm2.conf"
# Keep the openssl CLI away from any system or user configuration except ours. The PKCS#11
# engine is loaded only for the CSR step (loaded everywhere, it disturbs software EC keys).
export OPENSSL_CONF="$DIR/pki/openssl.cnf"
ENGINE_CONF="$DIR/pki/engine.cnf"

# OpenSSL 3.0 `ca` takes dates as YYMMDDHHMMSSZ (UTCTime); all ours are before 2050.
utc() { date -u -d "$1" +%y%m%d%H%M%SZ; }

cat >"$ENGINE_CONF" <<EOF
openssl_conf = openssl_init
[ openssl_init ]
engines = engine_section
[ engine_section ]
pkcs11 = pkcs11_section
[ pkcs11_section ]
engine_id = pkcs11
dynamic_path = $ENGINE
MODULE_PATH = $MODULE
init = 0
[ req ]
distinguished_name = dn_empty
prompt = no
[ dn_empty ]
CN = unused
EOF
cat >"$OPENSSL_CONF" <<EOF
[ req ]
distinguished_name = dn_empty
prompt = no
[ dn_empty ]
CN = unused

[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $DIR/pki
database = \$dir/index.txt
new_certs_dir = \$dir/issued
serial = \$dir/serial
certificate = $DIR/ca.pem
private_key = \$dir/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
commonName = supplied

[ v3_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_qseal ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, nonRepudiation, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
certificatePolicies = 0.4.0.194112.1.3
1.3.6.1.5.5.7.1.3 = ASN1:SEQUENCE:qcStatements
[ v3_plain ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ qcStatements ]
qcCompliance = SEQUENCE:qcs_compliance
qcSSCD = SEQUENCE:qcs_sscd
qcType = SEQUENCE:qcs_type
qcPDS = SEQUENCE:qcs_pds
qcSemantics = SEQUENCE:qcs_semantics
[ qcs_compliance ]
statementId = OID:0.4.0.1862.1.1
[ qcs_sscd ]
statementId = OID:0.4.0.1862.1.4
[ qcs_type ]
statementId = OID:0.4.0.1862.1.6
statementInfo = SEQUENCE:qct_list
[ qct_list ]
eseal = OID:0.4.0.1862.1.6.2
[ qcs_pds ]
statementId = OID:0.4.0.1862.1.5
statementInfo = SEQUENCE:pds_list
[ pds_list ]
pds_en = SEQUENCE:pds_en
[ pds_en ]
url = IA5STRING:https://qtsp.example.test/pds_en.pdf
language = PRINTABLESTRING:en
[ qcs_semantics ]
statementId = OID:1.3.6.1.5.5.7.11.2
statementInfo = SEQUENCE:semantics_legal
[ semantics_legal ]
semanticsIdentifier = OID:0.4.0.194121.1.2
EOF
: >"$DIR/pki/index.txt"
echo 1000 >"$DIR/pki/serial"

{
    # 1. the token
    softhsm2-util --init-token --free --label "$LABEL" --so-pin "$SO_PIN" --pin "$PIN"
    P11=(pkcs11-tool --module "$MODULE" --token-label "$LABEL")
    P11L=("${P11[@]}" --login --pin "$PIN")

    # 2. the test CA (software key, self-signed; dates chosen so the expired seal fits inside)
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/pki/ca.key"
    openssl req -new -key "$DIR/pki/ca.key" -utf8 -out "$DIR/pki/ca.csr" \
        -subj "/C=FR/O=Sealdesk Test QTSP (NOT QUALIFIED)/organizationIdentifier=NTRFR-000000000/CN=Sealdesk Test QTSP (NOT QUALIFIED) Seal CA"
    openssl ca -batch -notext -selfsign -keyfile "$DIR/pki/ca.key" -in "$DIR/pki/ca.csr" \
        -startdate "$(utc '5 years ago')" -enddate "$(utc '10 years')" \
        -preserveDN -extensions v3_ca -out "$DIR/ca.pem"
    openssl x509 -in "$DIR/ca.pem" -outform DER -out "$DIR/pki/ca.der"
    "${P11L[@]}" --write-object "$DIR/pki/ca.der" --type cert --id a0 --label test-qtsp-ca

    # 3. key pairs on the token; the CSR is signed by the token key (as one would send to a QTSP)
    SEAL_SUBJ="/C=FR/O=Université Exemple (TEST)/organizationIdentifier=VATFR-12345678901/CN=Université Exemple - Cachet diplômes (TEST)"
    # id  key-type       extra         extensions  start          end            label
    KEYS=(
        "01 rsa:3072 - v3_qseal 1_day_ago 730_days seal-rsa3072"
        "02 rsa:2048 - v3_qseal 3_years_ago 1_year_ago seal-rsa2048-expired"
        "03 EC:prime256v1 - v3_plain 1_day_ago 730_days plain-p256"
        "04 rsa:2048 --always-auth v3_qseal 1_day_ago 730_days seal-rsa2048-alwaysauth"
        "05 EC:secp384r1 - v3_qseal 1_day_ago 730_days seal-p384"
    )
    for spec in "${KEYS[@]}"; do
        read -r id keytype extra ext start end label <<<"$spec"
        extra_args=()
        [[ "$extra" != "-" ]] && extra_args=("$extra")
        "${P11L[@]}" --keypairgen --key-type "$keytype" --id "$id" --label "$label" --usage-sign "${extra_args[@]}"
        if [[ "$extra" != "--always-auth" ]]; then
            OPENSSL_CONF="$ENGINE_CONF" openssl req -new -engine pkcs11 -keyform engine \
                -key "pkcs11:token=$LABEL;id=%$id;type=private;pin-value=$PIN" \
                -subj "$SEAL_SUBJ" -utf8 -sha256 -out "$DIR/pki/seal-$id.csr"
            openssl ca -batch -notext -in "$DIR/pki/seal-$id.csr" -preserveDN -extensions "$ext" \
                -startdate "$(utc "${start//_/ }")" -enddate "$(utc "${end//_/ }")" \
                -out "$DIR/seal-$id.pem"
        else
            # The engine cannot do the per-signature login of an always-authenticate key without a
            # terminal, so this CSR only carries the subject and the token's public key is forced
            # into the certificate (`openssl x509 -req` in OpenSSL 3.0: valid from now, not yesterday).
            "${P11[@]}" --read-object --type pubkey --id "$id" -o "$DIR/pki/pub-$id.der"
            openssl pkey -pubin -inform DER -in "$DIR/pki/pub-$id.der" -out "$DIR/pki/pub-$id.pem"
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
                -subj "$SEAL_SUBJ" -utf8 -out "$DIR/pki/seal-$id.csr"
            openssl x509 -req -in "$DIR/pki/seal-$id.csr" -force_pubkey "$DIR/pki/pub-$id.pem" \
                -CA "$DIR/ca.pem" -CAkey "$DIR/pki/ca.key" -set_serial "0x$(cat "$DIR/pki/serial")" \
                -days "${end%%_*}" -sha256 -extfile "$OPENSSL_CONF" -extensions "$ext" -out "$DIR/seal-$id.pem"
        fi
        openssl x509 -in "$DIR/seal-$id.pem" -outform DER -out "$DIR/pki/seal-$id.der"
        "${P11L[@]}" --write-object "$DIR/pki/seal-$id.der" --type cert --id "$id" --label "$label"
    done
} >>"$LOG" 2>&1

# 4. what tests and `make run` need
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
cat >"$DIR/token.env" <<EOF
export SOFTHSM2_CONF=$(q "$DIR/softhsm2.conf")
export SEALDESK_PKCS11_MODULE=$(q "$MODULE")
export SEALDESK_TOKEN_LABEL=$(q "$LABEL")
export SEALDESK_PIN=$(q "$PIN")
EOF
j() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
cat >"$DIR/token.json" <<EOF
{
  "dir": $(j "$DIR"),
  "softhsm2_conf": $(j "$DIR/softhsm2.conf"),
  "module": $(j "$MODULE"),
  "label": $(j "$LABEL"),
  "pin": $(j "$PIN"),
  "so_pin": $(j "$SO_PIN"),
  "ca_pem": $(j "$DIR/ca.pem"),
  "ca_der": $(j "$DIR/pki/ca.der"),
  "ca_id": "a0",
  "keys": [
    {"id": "01", "cert_pem": $(j "$DIR/seal-01.pem"), "cert_der": $(j "$DIR/pki/seal-01.der"), "key": "rsa3072", "qualified": true, "expired": false, "always_authenticate": false},
    {"id": "02", "cert_pem": $(j "$DIR/seal-02.pem"), "cert_der": $(j "$DIR/pki/seal-02.der"), "key": "rsa2048", "qualified": true, "expired": true, "always_authenticate": false},
    {"id": "03", "cert_pem": $(j "$DIR/seal-03.pem"), "cert_der": $(j "$DIR/pki/seal-03.der"), "key": "ec-p256", "qualified": false, "expired": false, "always_authenticate": false},
    {"id": "04", "cert_pem": $(j "$DIR/seal-04.pem"), "cert_der": $(j "$DIR/pki/seal-04.der"), "key": "rsa2048", "qualified": true, "expired": false, "always_authenticate": true},
    {"id": "05", "cert_pem": $(j "$DIR/seal-05.pem"), "cert_der": $(j "$DIR/pki/seal-05.der"), "key": "ec-p384", "qualified": true, "expired": false, "always_authenticate": false}
  ]
}
EOF
trap - ERR
echo "mktoken: token '$LABEL' ready in $DIR (source $DIR/token.env)"
