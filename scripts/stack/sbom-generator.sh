#!/bin/sh
# A stand-in of BuildKit's SBOM generator image (docker/buildkit-syft-scanner, on Docker Hub, which
# this offline stack cannot reach), written from moby/buildkit's docs/attestations/sbom-protocol.md
# and what BuildKit does with the result (frontend/attestations/sbom/sbom.go,
# exporter/attestation/unbundle.go): BuildKit runs the image's entrypoint with
# BUILDKIT_SCAN_SOURCE (the build result's root, read-only), BUILDKIT_SCAN_SOURCE_EXTRAS (a folder
# of more roots, optional) and BUILDKIT_SCAN_DESTINATION; the generator writes one
# <scan>.spdx.json per root, each a single in-toto statement whose predicateType is
# https://spdx.dev/Document and whose predicate is an SPDX 2.3 JSON document; BuildKit takes the
# predicate and puts it, with the platform manifest as subject, in the image's attestation
# manifest. This one lists the root's regular files with their SHA-256 (no package catalogue:
# the e2e need a document BuildKit made, not syft's findings). busybox sh, no other tool.
set -eu

# a JSON string's inside: backslashes and quotes escaped (names with control characters are
# not expected in a test's image)
json_text() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

# The statement for the root $1, named $2, on stdout.
scan() {
  root=$1 name=$2 n=0 sep=''
  printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document",'
  printf '"subject":[],"predicate":{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0",'
  printf '"SPDXID":"SPDXRef-DOCUMENT","name":"%s",' "$(json_text "$name")"
  printf '"documentNamespace":"https://docker-publish-action.invalid/sbom-generator/%s",' \
    "$(find "$root" -type f | sort | sha256sum | cut -c1-32)"
  printf '"creationInfo":{"created":"%s","creators":["Tool: dpa-sbom-generator-standin"]},' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf '"files":['
  find "$root" -type f | sort | while read -r file; do
    n=$((n + 1))
    printf '%s{"fileName":"./%s","SPDXID":"SPDXRef-File-%d",' "$sep" \
      "$(json_text "${file#"$root"/}")" "$n"
    printf '"checksums":[{"algorithm":"SHA256","checksumValue":"%s"}]}' \
      "$(sha256sum "$file" | cut -d' ' -f1)"
    sep=','
  done
  printf ']}}\n'
}

out=${BUILDKIT_SCAN_DESTINATION:?BUILDKIT_SCAN_DESTINATION is not set}
src=${BUILDKIT_SCAN_SOURCE:?BUILDKIT_SCAN_SOURCE is not set}
scan "$src" "$(basename "$src")" >"$out/$(basename "$src").spdx.json"
extras=${BUILDKIT_SCAN_SOURCE_EXTRAS:-}
if [ -n "$extras" ] && [ -d "$extras" ]; then
  for root in "$extras"/*; do
    [ -d "$root" ] || continue
    scan "$root" "$(basename "$root")" >"$out/$(basename "$root").spdx.json"
  done
fi
