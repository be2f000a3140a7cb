# lfopts.sh - sourced by the fuzz scripts: lf_opts TARGET prints the
# libFuzzer flags of fuzz/TARGET.options ([libfuzzer] key = value) and its
# dictionary, one flag per word.
lf_opts() {
	[ -f "fuzz/$1.dict" ] && printf ' -dict=fuzz/%s.dict' "$1"
	[ -f "fuzz/$1.options" ] && awk -F' *= *' '
	    /^\[/ { on = ($0 == "[libfuzzer]"); next }
	    on && NF == 2 && $1 !~ /^#/ { printf " -%s=%s", $1, $2 }' "fuzz/$1.options"
	return 0
}
