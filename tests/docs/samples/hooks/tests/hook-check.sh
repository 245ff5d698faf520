set -Eeuo pipefail

before() {
  echo "check before" >> "$SAMPLE_RECORD"
}

after() {
  # The hook, not the runner, decides what the output must say.
  [[ "$TEST_OUTPUT" == *"hello from the block"* ]]
  echo "check after: $TEST_OUTPUT" >> "$SAMPLE_RECORD"
}

"$@"
