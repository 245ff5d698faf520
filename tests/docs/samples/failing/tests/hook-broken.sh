before() { :; }
after() { echo "hook says no" >&2; exit 7; }
"$@"
