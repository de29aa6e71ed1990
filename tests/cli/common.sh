# Shared by the command-line tests (sourced): failure counting and the check of a bad input.
# Needs $bin (the synthstm binary); the caller has cd'ed into its work directory.
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Bad input: exit code 2, exactly one line on stderr naming the problem, nothing on stdout.
expect_error() {
  local needle=$1; shift
  "$bin" "$@" >out.txt 2>err.txt
  local rc=$?
  [[ $rc == 2 ]] || fail "'$*' exited $rc, expected 2"
  [[ $(wc -l <err.txt) == 1 ]] || fail "'$*' wrote $(wc -l <err.txt) lines to stderr: $(cat err.txt)"
  grep -q -- "$needle" err.txt || fail "'$*': error '$(cat err.txt)' does not name '$needle'"
  [[ ! -s out.txt ]] || fail "'$*' wrote to stdout"
}
