# Sourced before the README's examples by scripts/readme-script.mjs. The generated script keeps the README's
# line numbers (lines outside a `sh script` block are blank), so $LINENO names the README line that failed.
set -o pipefail -o errtrace
__readme_failures=$(mktemp)

# A failing command, anywhere (command substitutions included, hence errtrace): noted with its README line.
trap 'echo "README.md:$LINENO: exit $?" >>"$__readme_failures"' ERR
trap '__readme_summary' EXIT

__readme_summary() {
	if [ -s "$__readme_failures" ]; then
		echo "README examples that failed:" >&2
		sort -t: -k2,2n -u "$__readme_failures" >&2
		rm -f "$__readme_failures"
		exit 1
	fi
	rm -f "$__readme_failures"
	echo "README examples: every command answered as the README says." >&2
}

# curl as the README uses it, plus a check of the HTTP status: a 2xx, or the status a trailing `# NNN` comment on
# the command's line names (EXPECT_STATUS, set by the generator). Headers go to a file, so the body still streams.
# Each answer gets a line of its own, and stderr the README line it answers (stderr: $(…) captures stdout only).
curl() {
	local headers status code
	headers=$(mktemp)
	code=0
	printf '\n── README.md:%s\n' "${BASH_LINENO[0]}" >&2
	command curl -D "$headers" -w '\n' "$@" || code=$?
	status=$(awk '/^HTTP\//{s=$2} END{print s}' "$headers")
	rm -f "$headers"
	if [ "$code" -ne 0 ]; then
		echo "README.md:${BASH_LINENO[0]}: curl failed (exit $code)" >&2
		return "$code"
	fi
	case "${EXPECT_STATUS:-2xx}:$status" in
	2xx:2??) return 0 ;;
	"$status:$status") return 0 ;;
	esac
	echo "README.md:${BASH_LINENO[0]}: HTTP $status, expected ${EXPECT_STATUS:-2xx}" >&2
	return 22
}
