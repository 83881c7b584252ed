#!/bin/sh
# shell-demo: the smallest agent that follows the service's media contract. The service starts it for a run with
# OD_BIN, OD_PROMPT_FILE, OD_TOOL_TOKEN and the rest of the run's environment (docs/agents.md). It reads the run's
# mode and task from its prompt, asks for one image with "$OD_BIN" media generate, waits for the request to end,
# says what happened and exits 0 when a file exists (or, in disabled mode, after describing the brief instead).
#
# Settings (through Agents:shell-demo:Env): SHELL_DEMO_OUTPUT (file name, default poster.png),
# SHELL_DEMO_WAIT_SECONDS (how long to wait for the file, default 600), SHELL_DEMO_POLL_SECONDS (default 1).
set -u
: "${OD_PROMPT_FILE:?OD_PROMPT_FILE is not set: shell-demo runs inside a run}"
: "${OD_BIN:?OD_BIN is not set: shell-demo runs inside a run}"

say() { printf 'shell-demo: %s\n' "$*"; }
status_of() { printf '%s' "$1" | sed -n 's/.*"status":"\([a-z-]*\)".*/\1/p'; }

mode=$(sed -n 's/^## Media [a-z ]*(this run: \([a-z-]*\);.*/\1/p' "$OD_PROMPT_FILE" | head -n 1)
brief=$(awk '/^## Task$/ { task = 1; next } /^## / { task = 0 } task' "$OD_PROMPT_FILE" | sed '/^$/d' | tr '\n' ' ' | sed 's/ *$//')
[ -n "$brief" ] || brief="A launch poster for the project"
output="${SHELL_DEMO_OUTPUT:-poster.png}"
say "run ${OD_RUN_ID:-?} in project ${OD_PROJECT_ID:-?}, media mode ${mode:-unknown}"

if [ "$mode" = "disabled" ]; then
    say "media generation is disabled for this run, so here is the brief instead:"
    say "  surface: image; file name: $output"
    say "  prompt: $brief"
    say "no file was created"
    exit 0
fi

answer=$("$OD_BIN" media generate --surface image --prompt "$brief" --output "$output" --json)
code=$?
if [ "$code" -ne 0 ]; then
    say "od media generate failed with exit code $code"
    exit "$code"
fi
id=$(printf '%s' "$answer" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
status=$(status_of "$answer")
say "media request $id: $status"

limit="${SHELL_DEMO_WAIT_SECONDS:-600}"
poll="${SHELL_DEMO_POLL_SECONDS:-1}"
started=$(date +%s)
while :; do
    case "$status" in fulfilled | failed | cancelled) break ;; esac
    if [ $(($(date +%s) - started)) -ge "$limit" ]; then
        say "gave up waiting for $id after ${limit}s (still $status)"
        exit 1
    fi
    sleep "$poll"
    # A failed read (the service briefly unreachable) is tried again at the next poll.
    answer=$("$OD_BIN" media requests get "$id" --json) || continue
    now=$(status_of "$answer")
    [ "$now" = "$status" ] || say "media request $id: $now"
    status=$now
done

if [ "$status" = "fulfilled" ]; then
    file=$(printf '%s' "$answer" | sed -n 's/.*"fulfilledFile":{"name":"\([^"]*\)".*/\1/p')
    say "done: $file is in the project ($OD_PROJECT_DIR/$file)"
    exit 0
fi
say "media request $id ended $status: there is no file"
exit 1
