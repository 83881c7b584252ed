namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// Ordered migrations; PRAGMA user_version records how many have run. Append, never edit, so a database
/// written by an older build always migrates forward.
/// </summary>
internal static class Schema
{
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE projects (
            id          TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            created_at  TEXT NOT NULL
        );
        CREATE TABLE runs (
            id               TEXT PRIMARY KEY,
            project_id       TEXT NOT NULL REFERENCES projects(id),
            agent_id         TEXT,
            message          TEXT,
            conversation_id  TEXT,
            status           TEXT NOT NULL,
            policy           TEXT NOT NULL,
            created_at       TEXT NOT NULL,
            updated_at       TEXT NOT NULL,
            ended_at         TEXT,
            last_event_seq   INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX runs_by_project ON runs(project_id, created_at);
        CREATE INDEX runs_by_status ON runs(status, created_at);
        CREATE TABLE tool_tokens (
            hash        TEXT PRIMARY KEY,
            run_id      TEXT NOT NULL REFERENCES runs(id),
            project_id  TEXT NOT NULL,
            endpoints   TEXT NOT NULL,
            operations  TEXT NOT NULL,
            issued_at   TEXT NOT NULL,
            expires_at  TEXT NOT NULL,
            revoked_at  TEXT
        );
        CREATE INDEX tool_tokens_by_run ON tool_tokens(run_id);
        CREATE TABLE media_requests (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            id          TEXT NOT NULL UNIQUE,
            run_id      TEXT NOT NULL REFERENCES runs(id),
            project_id  TEXT NOT NULL REFERENCES projects(id),
            status      TEXT NOT NULL,
            body        TEXT NOT NULL
        );
        CREATE INDEX media_requests_by_run ON media_requests(run_id, seq);
        CREATE TABLE events (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id      TEXT NOT NULL REFERENCES runs(id),
            seq         INTEGER NOT NULL,
            event       TEXT NOT NULL,
            data        TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            UNIQUE (run_id, seq)
        );
        """,
        """
        CREATE TABLE callback_tokens (
            hash        TEXT PRIMARY KEY,
            request_id  TEXT NOT NULL UNIQUE REFERENCES media_requests(id)
        );
        CREATE TABLE applied_effects (
            key         TEXT PRIMARY KEY,
            applied_at  TEXT NOT NULL
        );
        """,
        // Event sequences now come from the events index (see WriteContext.NextEventSeq): one write less per event.
        "ALTER TABLE runs DROP COLUMN last_event_seq;",
        // The agent process the service starts for a run (issue 10): null for runs whose orchestrator drives its own.
        """
        ALTER TABLE runs ADD COLUMN agent_state TEXT;
        ALTER TABLE runs ADD COLUMN agent_pid INTEGER;
        ALTER TABLE runs ADD COLUMN agent_exit_code INTEGER;
        ALTER TABLE runs ADD COLUMN agent_reason TEXT;
        ALTER TABLE runs ADD COLUMN agent_started_at TEXT;
        ALTER TABLE runs ADD COLUMN agent_exited_at TEXT;
        CREATE INDEX runs_by_agent_state ON runs(agent_state) WHERE agent_state IS NOT NULL;
        """,
        // Enabled-mode media tasks, stored like media requests: the task as JSON plus the columns queried by. A task
        // made through the legacy project route without a tool token has no run.
        """
        CREATE TABLE media_tasks (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            id          TEXT NOT NULL UNIQUE,
            run_id      TEXT REFERENCES runs(id),
            project_id  TEXT NOT NULL REFERENCES projects(id),
            status      TEXT NOT NULL,
            body        TEXT NOT NULL
        );
        CREATE INDEX media_tasks_by_run ON media_tasks(run_id, seq);
        """,
    ];
}
