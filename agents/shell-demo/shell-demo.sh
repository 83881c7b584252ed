#!/bin/sh
# shell-demo: the smallest agent that follows the service's media contract. The service starts it for a run with
# OD_BIN, OD_PROMPT_FILE, OD_TOOL_TOKEN and the rest of the run's environment (docs/agents.md). It reads the run's
# mode and task from its prompt and asks for one image with "$OD_BIN" media generate. In enabled mode that starts a
# media task: it reads generate's last stdout line and, while the task is still running, follows it with
# "$OD_BIN" media wait. In request-only and external mode it waits for the media request to end. It says what
# happened and exits 0 when a file exists (or, in disabled mode, after describing the brief instead), 1 when there
# is none, or od's exit code when od itself failed.
#
# Settings (through Agents:shell-demo:Env): SHELL_DEMO_OUTPUT (file name, default poster.png),
# SHELL_DEMO_WAIT_SECONDS (how long to wait for a request, default 600), SHELL_DEMO_POLL_SECONDS (default 1),
# SHELL_DEMO_WAIT_TRIES (od media wait calls for a task still running, each up to 25 s, default 24).
set -u
: "${OD_PROMPT_FILE:?OD_PROMPT_FILE is not set: shell-demo runs inside a run}"
: "${OD_BIN:?OD_BIN is not set: shell-demo runs inside a run}"

say() { printf 'shell-demo: %s\n' "$*"; }
status_of() { printf '%s' "$1" | sed -n 's/.*"status":"\([a-z-]*\)".*/\1/p'; }
field_of() { printf '%s' "$2" | sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

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

if [ "$mode" = "enabled" ]; then
    # od prints progress on stderr (streamed as this run's stderr events) and "# line" copies on stdout; the last
    # stdout line is the outcome: {"file":...}, a failed task, or a task still running with its nextSince.
    out=$("$OD_BIN" media generate --surface image --prompt "$brief" --output "$output")
    code=$?
    last=$(printf '%s\n' "$out" | tail -n 1)
    command="od media generate"
    tries="${SHELL_DEMO_WAIT_TRIES:-24}"
    while :; do
        case "$last" in
            '{"file":'*)
                file=$(field_of name "$last")
                say "done: $file is in the project ($OD_PROJECT_DIR/$file), sha256 $(field_of sha256 "$last")"
                exit 0
                ;;
            *'"status":"failed"'*)
                say "media task $(field_of taskId "$last") failed: $(field_of message "$last"); there is no file"
                exit 1
                ;;
            *'"nextSince":'*)
                task=$(field_of taskId "$last")
                since=$(printf '%s' "$last" | sed -n 's/.*"nextSince":\([0-9]*\).*/\1/p')
                say "media task $task is still $(status_of "$last") (progress lines seen: $since)"
                if [ "$tries" -le 0 ]; then
                    say "gave up following $task: it is still running, so there is no file yet"
                    exit 1
                fi
                tries=$((tries - 1))
                # Exit 2 is "still running" and 0 or 5 carry their outcome line; 3 (service unreachable) is tried
                # again with the same since. Anything else is od's own failure.
                command="od media wait"
                out=$("$OD_BIN" media wait "$task" --since "$since")
                code=$?
                if [ "$code" -eq 3 ]; then
                    say "the service could not be reached; following $task again"
                    sleep "${SHELL_DEMO_POLL_SECONDS:-1}"
                    continue
                fi
                last=$(printf '%s\n' "$out" | tail -n 1)
                ;;
            *)
                say "$command failed with exit code $code"
                [ "$code" -ne 0 ] || code=1
                exit "$code"
                ;;
        esac
    done
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
