#!/bin/sh
# The agent the end-to-end tests configure (Agents:<id>:Env:TEST_AGENT_ACTION says what it does this time).
set -u
case "${TEST_AGENT_ACTION:-}" in
    capture)
        # Everything the agent was given: its environment, its stdin and its working directory.
        env > "$OD_PROJECT_DIR/agent-env.txt"
        cat > "$OD_PROJECT_DIR/agent-stdin.txt"
        pwd > "$OD_PROJECT_DIR/agent-cwd.txt"
        echo "captured"
        ;;
    capture-then)
        # Captures the environment, then becomes the agent in TEST_AGENT_THEN (shell-demo) with the same environment.
        env > "$OD_PROJECT_DIR/agent-env.txt"
        exec "$TEST_AGENT_THEN"
        ;;
    generate)
        # Ignores the prompt and asks for media whatever the mode says.
        "$OD_BIN" media generate --surface image --prompt "made anyway" --output anyway.png
        code=$?
        echo "od media generate exited $code"
        exit "$code"
        ;;
    fail)
        echo "something went wrong" >&2
        exit 3
        ;;
    sleep)
        # A tree: a background child and a foreground one, both in the agent's process group.
        sleep 300 &
        echo "sleeping"
        sleep 300
        ;;
    chatty)
        i=0
        n="${TEST_AGENT_LINES:-1000}"
        # awk prints the lines in one go: as fast as the pipe takes them.
        awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "line %d\n", i }'
        ;;
    long-line)
        awk 'BEGIN { s = ""; for (i = 0; i < 10000; i++) s = s "x"; print s }'
        ;;
    *)
        echo "unknown TEST_AGENT_ACTION" >&2
        exit 64
        ;;
esac
