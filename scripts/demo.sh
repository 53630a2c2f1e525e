#!/bin/sh
# scripts/demo.sh - the README's first command: install what is missing,
# build smtptls, start the embedded lab and probe its good domain.
# The lab keeps running afterwards; stop it with: scripts/lab.sh down
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
make -s
./scripts/lab.sh up
LAB=${SMTPTLS_LAB:-/tmp/smtptls-lab}
echo
echo "\$ smtptls probe --resolver 127.10.0.2 --ca-file $LAB/ca/root.pem --allow-private good.lab.test"
rc=0
./smtptls probe --resolver 127.10.0.2 --ca-file "$LAB/ca/root.pem" --allow-private good.lab.test || rc=$?
echo
echo "(exit status $rc; the lab is still running: try other lab domains from"
echo " testdata/lab/README.md, then stop it with scripts/lab.sh down)"
exit "$rc"
