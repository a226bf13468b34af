# Shell helpers shared by bench/profile.sh and bench/gui_cpu.sh (sourced; bash).

# wait_line FILE REGEX: prints REGEX's first capture group from the first matching line of FILE, waiting for it
# for at most 15 s.
wait_line() {
    local i line
    for ((i = 0; i < 150; i++)); do
        if [[ -f $1 ]]; then
            while IFS= read -r line; do
                if [[ $line =~ $2 ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; return 0; fi
            done <"$1"
        fi
        sleep 0.1
    done
    echo "${0##*/}: timed out waiting for /$2/ in $1" >&2
    return 1
}

# ticks PID [TID]: CPU time (user + system, clock ticks) of a process, or of one of its threads.
ticks() {
    local s f
    s=$(<"/proc/$1${2:+/task/$2}/stat")
    read -r -a f <<<"${s##*) }"
    echo $((f[11] + f[12]))
}
