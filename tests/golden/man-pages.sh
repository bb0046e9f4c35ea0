# Man pages stay in sync with the programs: every built program has man/<name>.1, it renders
# without warnings, has the standard sections, documents every flag `--help` prints, and
# documents no flag that `--help` does not know.
source "$(dirname "$0")/lib.sh"

# Programs: everything in $BIN except the internal helpers built from scripts/*.cpp.
helpers=" "
for src in "$SRC"/scripts/*.cpp; do
  [[ -e $src ]] && helpers+="$(basename "$src" .cpp) "
done
programs=()
for exe in "$BIN"/*; do
  name=$(basename "$exe")
  [[ -f $exe && -x $exe && $helpers != *" $name "* ]] && programs+=("$name")
done
assert_true "programs found in $BIN" test ${#programs[@]} -gt 0
for must in img-cat img-decode img-save; do
  [[ " ${programs[*]} " == *" $must "* ]] || fail "$must is built" "not in $BIN"
done

# roff_text FILE: the page's source with escapes that split flag names undone (\- \fB \fR \& ...).
roff_text() {
  sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\&//g' -e 's/\\(aq/'"'"'/g' "$1"
}

have_groff=0
command -v groff >/dev/null && have_groff=1
[[ $have_groff == 1 ]] || skip "groff checks" "groff is not installed"

for prog in "${programs[@]}"; do
  page=$SRC/man/$prog.1
  if [[ ! -f $page ]]; then
    fail "$prog: man page man/$prog.1 exists"
    continue
  fi
  pass "$prog: man page man/$prog.1 exists"
  LAST_CMD=""
  roff_text "$page" >"$T/$prog.roff"

  if [[ $have_groff == 1 ]]; then
    groff -man -Tutf8 -ww -z "$page" >"$T/$prog.groff" 2>&1
    assert_empty "$prog: groff -man -ww renders it without warnings" "$T/$prog.groff"
  fi
  assert_grep "$prog: .TH names the program" "^\.TH $(tr a-z A-Z <<<"$prog") 1 " "$page"
  for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ERRORS EXAMPLES "SEE ALSO"; do
    assert_grep "$prog: has section $section" "^\.SH \"?$section\"?\$" "$page"
  done
  assert_grep "$prog: NAME line starts with the program" "^$prog - " "$T/$prog.roff"

  # The EXIT STATUS section documents 0, 1 and 2.
  sed -n '/^\.SH "\{0,1\}EXIT STATUS/,/^\.SH/p' "$T/$prog.roff" >"$T/$prog.exit"
  for code in 0 1 2; do
    assert_grep "$prog: EXIT STATUS documents $code" "^\.B $code\$" "$T/$prog.exit"
  done
  # The ERRORS section names at least one error code (a bold kebab-case word) or says in words
  # why the program makes no error records (reduce-style tools: box-eval, cls-eval).
  sed -n '/^\.SH ERRORS/,/^\.SH/p' "$T/$prog.roff" >"$T/$prog.errors"
  assert_grep "$prog: ERRORS lists error codes" '^\.B [a-z][a-z0-9-]*$|(bad-record|bad-json|corrupt|truncated|unsupported|too-large|unsafe-path|duplicate-name|lossy|io)|error records' "$T/$prog.errors"

  # Every long and short flag of --help is in the page.
  run "$BIN/$prog" --help
  if [[ $RC -ne 0 ]]; then
    fail "$prog: --help exits 0"
    continue
  fi
  grep -oE '^ +(-[a-zA-Z], )?--[a-z0-9][a-z0-9-]*' "$OUT" | grep -oE -- '--[a-z0-9-]+' | sort -u >"$T/$prog.long"
  grep -oE '^ +-[a-zA-Z],' "$OUT" | grep -oE -- '-[a-zA-Z]' | sort -u >"$T/$prog.short"
  assert_true "$prog: --help lists flags" test -s "$T/$prog.long"
  missing=""
  while read -r flag; do
    grep -qE -- "(^|[^a-z0-9-])$flag([^a-z0-9-]|\$)" "$T/$prog.roff" || missing+=" $flag"
  done <"$T/$prog.long"
  while read -r flag; do
    grep -qE -- "(^|[^a-z0-9-])$flag([^a-z0-9-]|\$)" "$T/$prog.roff" || missing+=" $flag"
  done <"$T/$prog.short"
  assert_eq "$prog: every flag of --help ($(wc -l <"$T/$prog.long" | tr -d ' ') long) is in the man page" "" "$missing"

  # Every option the page documents (the tag line of each .TP in OPTIONS) is one --help knows.
  sed -n '/^\.SH OPTIONS/,/^\.SH/p' "$T/$prog.roff" | awk 'prev == ".TP" { print } { prev = $0 }' |
    grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u >"$T/$prog.documented"
  unknown=$(comm -23 "$T/$prog.documented" "$T/$prog.long" | tr '\n' ' ' | sed 's/ $//')
  assert_eq "$prog: the man page documents no flag that --help lacks" "" "$unknown"
done

finish
