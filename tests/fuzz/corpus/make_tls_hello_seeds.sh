#!/bin/sh
# make_tls_hello_seeds.sh BUILD - write the seed corpus of fuzz_tls_hello
# (tests/fuzz/corpus/tls_hello): every reader vector of
# tests/unit/test_tls_hello.c, written by the test itself when
# STC_SEED_DIR is set (the vectors are commented field by field there).
set -eu
build=${1:-build}
dir=$(dirname "$0")/tls_hello
rm -rf "$dir"
mkdir -p "$dir"
STC_SEED_DIR=$dir "$build/tests/test_tls_hello" >/dev/null
echo "$(ls "$dir" | wc -l) seeds in $dir"
