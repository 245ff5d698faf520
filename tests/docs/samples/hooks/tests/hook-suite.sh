set -Eeuo pipefail

before() {
  echo "suite before" >> "$SAMPLE_RECORD"
}

after() {
  echo "suite after" >> "$SAMPLE_RECORD"
}

"$@"
