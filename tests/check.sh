# check.sh - sourced by the shell tests (install-test.sh, faiss-runpath-test.sh):
# `check WHAT COMMAND...` runs COMMAND and reports WHAT as ok or FAIL,
# counting both; `check_end NAME` prints the counts and fails on any FAIL.
passes=0
failures=0

check() {
    local what=$1
    shift
    if "$@"; then
        echo "ok   $what"
        passes=$((passes + 1))
    else
        echo "FAIL $what"
        failures=$((failures + 1))
    fi
}

check_end() {
    echo "$1: $passes passed, $failures failed"
    [ "$failures" = 0 ]
}
