#!/bin/sh
# The long fuzzing run: every Jazzer fuzz target of the project for DURATION each (default 10m), one after the
# other, each in a JVM of its own. The build runs the same targets for 10 s each (see docs/security.md).
#
#   ./fuzz.sh                 every target, 10 minutes each
#   ./fuzz.sh 1h              every target, an hour each
#   ./fuzz.sh 30m DecoderFuzzTest TopicFuzzTest    only these
#
# Each run grows the target's corpus in <module>/.cifuzz-corpus (kept between runs, not committed). A finding
# stops that target, is written to src/test/resources/.../<Target>Inputs/<method>/crash-*, and from then on runs
# as a regression test in every build: give it a name that says what it found, fix the bug, and commit both.
# The summary (runs, seconds, result per target) is appended to target/fuzz-summary.txt.
set -eu
cd "$(dirname "$0")"
duration=${1:-10m}
[ $# -gt 0 ] && shift
targets=${*:-"broker-core:DecoderFuzzTest broker-core:TopicFuzzTest broker-core:WebSocketFuzzTest broker-core:ConfigFuzzTest plugin-auth:AclFuzzTest plugin-auth:PasswordFileFuzzTest"}
mkdir -p target
mvn -B -q -o install -DskipTests 2>/dev/null || mvn -B -q install -DskipTests
for t in $targets; do
  case "$t" in
    *:*) module=${t%%:*}; class=${t#*:} ;;
    *) module=$(grep -rl --include="$t.java" "class $t" --exclude-dir=target . | head -n 1 | cut -d/ -f2); class=$t ;;
  esac
  log="target/fuzz-$class.log"
  echo "fuzzing $class ($module) for $duration ..."
  status=passed
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$duration" mvn -B -o -pl "$module" surefire:test -Dtest="$class" \
      -Dfuzz.skip=true -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1 || status=FAILED
  runs=$(grep -h '^Done [0-9]* runs' "$log" | tail -n 1)
  echo "$(date -u +%Y-%m-%dT%H:%MZ) $class $duration: ${runs:-no fuzzing output} -> $status" | tee -a target/fuzz-summary.txt
done
