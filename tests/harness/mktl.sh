#!/usr/bin/env bash
# mktl.sh TOKEN_DIR OUT.xml [LOTL.xml]
#
# Makes a TEST trusted list (territory ZZ, TS 119 612 TLv5) that lists the harness test CA
# (TOKEN_DIR/ca.pem, from mktoken.sh) as a granted CA/QC service with ForeSeals and the
# qualifiers QCWithQSCD + QCForESeal for certificates with nonRepudiation, signed (enveloped
# XML-DSig, exclusive C14N, RSA-SHA256) by a throwaway TL signer; and a TEST list of trusted
# lists (LOTL.xml, default: LOTL-test.xml beside OUT.xml) pointing to it with that signer's
# certificate, signed by a second throwaway key. THESE LISTS ARE FOR TESTS ONLY.
#
# Needs openssl and xmlsec1. Keys and certificates go to TOKEN_DIR/tl/. Prints one line on
# success; tool output goes to TOKEN_DIR/tl/mktl.log (tail shown on failure).
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 TOKEN_DIR OUT.xml [LOTL.xml]" >&2
    exit 2
fi
TOKEN_DIR=$(cd "$1" && pwd)
OUT=$2
LOTL=${3:-$(dirname "$OUT")/LOTL-test.xml}
CA="$TOKEN_DIR/ca.pem"
[[ -f "$CA" ]] || { echo "mktl: $CA not found; run mktoken.sh first" >&2; exit 1; }
command -v xmlsec1 >/dev/null || { echo "mktl: xmlsec1 is missing; install the xmlsec1 package" >&2; exit 1; }
W="$TOKEN_DIR/tl"
mkdir -p "$W"
LOG="$W/mktl.log"
: >"$LOG"
exec 3>&2
trap 'echo "mktl: failed at line $LINENO; last lines of $LOG:" >&3; tail -n 15 "$LOG" >&3' ERR
export OPENSSL_CONF=/dev/null

b64() { openssl x509 -in "$1" -outform DER | base64 -w0; }
# The certificate's subject key identifier, base64 (listed beside the certificate, as real lists do).
ski() {
    local hex
    hex=$(openssl x509 -in "$1" -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :\n')
    printf '%b' "$(sed 's/../\\x&/g' <<<"$hex")" | base64 -w0
}
for who in tl-signer lotl-signer; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/$who.key" -out "$W/$who.pem" -days 365 \
        -subj "/C=ZZ/O=Sealdesk TEST/CN=Sealdesk TEST $who" >>"$LOG" 2>&1
done
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
NEXT=$(date -u -d '+180 days' +%Y-%m-%dT%H:%M:%SZ)
NS='xmlns="http://uri.etsi.org/02231/v2#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:ns3="http://uri.etsi.org/02231/v2/additionaltypes#" xmlns:tie="http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"'
SIG='<ds:Signature Id="sig"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature>'
scheme() { # TYPE TERRITORY SEQ
    cat <<EOF
<SchemeInformation><TSLVersionIdentifier>5</TSLVersionIdentifier><TSLSequenceNumber>$3</TSLSequenceNumber><TSLType>$1</TSLType><SchemeOperatorName><Name xml:lang="en">Sealdesk TEST scheme operator</Name></SchemeOperatorName><SchemeTerritory>$2</SchemeTerritory><ListIssueDateTime>$NOW</ListIssueDateTime><NextUpdate><dateTime>$NEXT</dateTime></NextUpdate>
EOF
}

cat >"$W/tl-template.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<TrustServiceStatusList $NS Id="tsl" TSLTag="http://uri.etsi.org/19612/TSLTag">$(scheme http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric ZZ 1)</SchemeInformation>
<TrustServiceProviderList><TrustServiceProvider><TSPInformation><TSPName><Name xml:lang="en">Sealdesk TEST Trust Services</Name><Name xml:lang="fr">Services de confiance TEST Sealdesk</Name></TSPName><TSPTradeName><Name xml:lang="en">VATZZ-0000000000</Name></TSPTradeName><TSPAddress><PostalAddresses><PostalAddress xml:lang="en"><StreetAddress>1 Test Street</StreetAddress><Locality>Testville</Locality><PostalCode>00000</PostalCode><CountryName>ZZ</CountryName></PostalAddress></PostalAddresses><ElectronicAddress><URI xml:lang="en">mailto:tsp@example.invalid</URI></ElectronicAddress></TSPAddress><TSPInformationURI><URI xml:lang="en">https://tsp.example.invalid/</URI></TSPInformationURI></TSPInformation>
<TSPServices><TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier><ServiceName><Name xml:lang="en">Sealdesk Test QTSP (NOT QUALIFIED) Seal CA</Name></ServiceName><ServiceDigitalIdentity><DigitalId><X509Certificate>$(b64 "$CA")</X509Certificate></DigitalId><DigitalId><X509SKI>$(ski "$CA")</X509SKI></DigitalId></ServiceDigitalIdentity><ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</ServiceStatus><StatusStartingTime>2016-07-01T00:00:00Z</StatusStartingTime>
<ServiceInformationExtensions><Extension Critical="false"><AdditionalServiceInformation><URI xml:lang="en">http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSeals</URI></AdditionalServiceInformation></Extension><Extension Critical="true"><tie:Qualifications><tie:QualificationElement><tie:Qualifiers><tie:Qualifier uri="http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCWithQSCD"/><tie:Qualifier uri="http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCForESeal"/></tie:Qualifiers><tie:CriteriaList assert="all"><tie:KeyUsage><tie:KeyUsageBit name="nonRepudiation">true</tie:KeyUsageBit></tie:KeyUsage></tie:CriteriaList></tie:QualificationElement></tie:Qualifications></Extension></ServiceInformationExtensions>
</ServiceInformation></TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList>$SIG</TrustServiceStatusList>
EOF

cat >"$W/lotl-template.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<TrustServiceStatusList $NS Id="lotl" TSLTag="http://uri.etsi.org/19612/TSLTag">$(scheme http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists EU 1)<PointersToOtherTSL><OtherTSLPointer><ServiceDigitalIdentities><ServiceDigitalIdentity><DigitalId><X509Certificate>$(b64 "$W/tl-signer.pem")</X509Certificate></DigitalId></ServiceDigitalIdentity></ServiceDigitalIdentities><TSLLocation>file:$(basename "$OUT")</TSLLocation><AdditionalInformation><OtherInformation><TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</TSLType></OtherInformation><OtherInformation><SchemeTerritory>ZZ</SchemeTerritory></OtherInformation><OtherInformation><ns3:MimeType>application/vnd.etsi.tsl+xml</ns3:MimeType></OtherInformation></AdditionalInformation></OtherTSLPointer></PointersToOtherTSL></SchemeInformation>$SIG</TrustServiceStatusList>
EOF

xmlsec1 --sign --privkey-pem "$W/tl-signer.key,$W/tl-signer.pem" --output "$OUT" "$W/tl-template.xml" >>"$LOG" 2>&1
xmlsec1 --sign --privkey-pem "$W/lotl-signer.key,$W/lotl-signer.pem" --output "$LOTL" "$W/lotl-template.xml" >>"$LOG" 2>&1
xmlsec1 --verify --insecure "$OUT" >>"$LOG" 2>&1
xmlsec1 --verify --insecure "$LOTL" >>"$LOG" 2>&1
echo "mktl: TEST trusted list ZZ in $OUT, TEST LOTL in $LOTL (signers in $W)"
