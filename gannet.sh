#!/bin/sh
# Builds the Gannet distribution if needed, unpacks it to target/gannet and starts the broker in the foreground
# with its default configuration (MQTT on 127.0.0.1:1883). Stop it with Ctrl-C.
#
#   ./gannet.sh            build (skipping tests) if the tarball is missing or older than the sources, then start
#   ./gannet.sh --rebuild  always build first
#   ./gannet.sh -- ARGS    pass ARGS to bin/gannet (for example: -- --config /path/to/gannet.yaml)
set -eu
cd "$(dirname "$0")"

# The project version: the first <version> at the top level of the root pom (two-space indent).
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n 1)
if [ -z "$version" ]; then
  echo "gannet.sh: cannot read the project version from pom.xml" >&2
  exit 1
fi
tarball="dist/target/gannet-$version.tar.gz"
rebuild=false
while [ $# -gt 0 ]; do
  case "$1" in
    --rebuild) rebuild=true; shift ;;
    --) shift; break ;;
    *) echo "usage: ./gannet.sh [--rebuild] [-- bin/gannet arguments]" >&2; exit 2 ;;
  esac
done

if [ "$rebuild" = true ] || [ ! -f "$tarball" ] || \
   [ -n "$(find . -path ./target -prune -o -newer "$tarball" \( -name '*.java' -o -name 'pom.xml' -o -name '*.yaml' -o -name 'gannet' \) -print -quit)" ]; then
  echo "Building the distribution (tests skipped; run 'mvn -B verify' for those)..."
  mvn -B -q -DskipTests install
fi

rm -rf target/gannet
mkdir -p target/gannet
tar xzf "$tarball" -C target/gannet
exec "target/gannet/gannet-$version/bin/gannet" "$@"
