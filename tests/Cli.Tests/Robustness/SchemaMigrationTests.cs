using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using OpenDesign.Workflows.Contracts;
using static OpenDesign.Workflows.Cli.Tests.ServiceCalls;

namespace OpenDesign.Workflows.Cli.Tests.Robustness;

/// <summary>
/// The real service on a database file an older build wrote: upgraded in place with its data served and usable; and a
/// file from a newer build is refused, untouched.
/// </summary>
public sealed class SchemaMigrationTests
{
    private const string ProjectId = "proj_00000a1b2c3d4e5f60718293";
    private const string RunId = "run_00000a1b2c3d4e5f60718293";
    private const string Token = "odtt_written-by-the-first-schema-version";
    private static readonly string[] RequestIds = ["mreq_00000a1b2c3d4e5f60718291", "mreq_00000a1b2c3d4e5f60718292"];

    /// <summary>
    /// Schema version 1 exactly as the first build created it (commit 5c6bbbd, src/Domain/Storage/Schema.cs), in the WAL
    /// mode that build set. Copied here, not taken from the service, so a later edit of that migration is caught.
    /// </summary>
    private const string VersionOneDdl = """
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
        """;

    [Fact]
    public async Task A_version_one_database_is_upgraded_in_place_and_its_run_requests_and_events_are_served_and_usable()
    {
        var ct = TestContext.Current.CancellationToken;
        var bodies = RequestIds.Select((id, i) => RequestBody(id, $"legacy poster {i}", $"legacy-{i}.png")).ToList();
        var eventData = bodies.Select(b => $$"""{"type":"media_request","action":"created","request":{{b}}}""").ToList();
        await using var service = await ServiceProcess.StartAsync(prepare: dataDir => WriteVersionOne(Path.Combine(dataDir, "app.sqlite"), bodies, eventData));
        using var http = new HttpClient { BaseAddress = new Uri(service.Url) };

        // Upgraded to the newest version this build knows: 5 (the callback tables, the counter column dropped, the agent columns, media tasks).
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(service.DataDir, "app.sqlite")};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var version = connection.CreateCommand();
            version.CommandText = "PRAGMA user_version";
            Assert.Equal(5L, (long)version.ExecuteScalar()!);
            version.CommandText = "SELECT COUNT(*) FROM runs WHERE agent_state IS NOT NULL";
            Assert.Equal(0L, (long)version.ExecuteScalar()!);
            version.CommandText = "SELECT COUNT(*) FROM media_tasks";
            Assert.Equal(0L, (long)version.ExecuteScalar()!);
        }

        // The old data, served as written.
        var run = await ReadAsync(await http.GetAsync($"/api/runs/{RunId}", ct), HttpStatusCode.OK, OdJsonContext.Default.Run);
        Assert.Equal((RunId, ProjectId, RunStatuses.Running, MediaExecutionModes.RequestOnly, "codex", "Design the legacy poster"), (run.Id, run.ProjectId, run.Status, run.MediaExecution.Mode, run.AgentId, run.Message));
        var project = await ReadAsync(await http.GetAsync($"/api/projects/{ProjectId}", ct), HttpStatusCode.OK, OdJsonContext.Default.Project);
        Assert.Equal("Legacy campaign", project.Name);
        var listed = await ListAllAsync(http, RunId);
        Assert.Equal(
            [(RequestIds[0], "legacy poster 0", "legacy-0.png", MediaRequestStatuses.Requested), (RequestIds[1], "legacy poster 1", "legacy-1.png", MediaRequestStatuses.Requested)],
            listed.Select(r => (r.Id, r.Prompt, r.RequestedOutput, r.Status)));
        var events = await EventsAsync(http, RunId, ct);
        Assert.Equal([("1", MediaRequestEvent.EventName, eventData[0]), ("2", MediaRequestEvent.EventName, eventData[1])], events.Select(e => (e.EventId, e.EventType, e.Data)));

        // Usable: the old token still generates, the old requests take a progress report (a version-2 table) and
        // bytes, and the run's event numbering goes on from the old events.
        var added = await GenerateAsync(http, Token);
        var progress = await ReadAsync(await PostAsync(http, $"/api/media-requests/{RequestIds[1]}/progress", """{"message":"rendering","percent":40}""", ct: ct),
            HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal((MediaRequestStatuses.Running, "rendering"), (progress.Status, progress.External?.LastProgress));
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 7, 7, 7 };
        var content = new ByteArrayContent(png);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var fulfilled = await ReadAsync(await http.PostAsync($"/api/media-requests/{RequestIds[0]}/fulfill", content, ct), HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(png)), fulfilled.FulfilledFile?.Sha256);
        Assert.Equal(png, await File.ReadAllBytesAsync(Path.Combine(project.Dir, fulfilled.FulfilledFile!.Path), ct));
        using (var finish = await PostAsync(http, $"/api/runs/{RunId}/finish", """{"status":"succeeded"}""", ct: ct)) Assert.Equal(HttpStatusCode.OK, finish.StatusCode);

        // The run's end cancels the two requests still open, oldest first, then ends the stream.
        var after = await EventsAsync(http, RunId, ct);
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8"], after.Select(e => e.EventId));
        Assert.Equal(
            [
                (MediaRequestActions.Created, RequestIds[0]), (MediaRequestActions.Created, RequestIds[1]), (MediaRequestActions.Created, added.Id),
                (MediaRequestActions.Progress, RequestIds[1]), (MediaRequestActions.Fulfilled, RequestIds[0]),
                (MediaRequestActions.Cancelled, RequestIds[1]), (MediaRequestActions.Cancelled, added.Id),
            ],
            after.Take(7).Select(e => (AsRequestEvent(e)!.Action, AsRequestEvent(e)!.Request.Id)));
        Assert.Equal(RunEndPayload.EventName, after[7].EventType);
        // And new work in the old project.
        var newRun = await ReadAsync(await PostAsync(http, "/api/runs", $$$"""{"projectId":"{{{ProjectId}}}","mediaExecution":{"mode":"request-only"}}""", ct: ct),
            HttpStatusCode.Created, OdJsonContext.Default.RunCreated);
        Assert.Equal(MediaRequestStatuses.Requested, (await GenerateAsync(http, newRun.ToolToken)).Status);
    }

    [Fact]
    public async Task A_database_from_a_newer_build_is_refused_with_one_line_and_exit_code_1_and_left_unchanged()
    {
        var dataDir = ServiceProcess.NewDataDir();
        Directory.CreateDirectory(dataDir);
        try
        {
            var path = Path.Combine(dataDir, "app.sqlite");
            // In rollback-journal mode, as `sqlite3 .backup` or VACUUM INTO leave a copy: the header says so (bytes 18-19).
            using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                using var cmd = connection.CreateCommand();
                cmd.CommandText = VersionOneDdl + "\nINSERT INTO projects VALUES ('" + ProjectId + "', 'From the future', '2027-01-01T00:00:00.0000000Z');\nPRAGMA user_version = 6;";
                cmd.ExecuteNonQuery();
            }
            var before = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);

            var (exitCode, stderr) = await ServiceProcess.RunRefusedAsync(dataDir);

            Assert.Equal(1, exitCode);
            Assert.Equal(
                ["OpenDesign.Workflows refused to start: The database schema is version 6, newer than this build knows (5). Run a newer build or point OD_DATA_DIR elsewhere."],
                stderr);
            Assert.Equal(before, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static string RequestBody(string id, string prompt, string output) => $$"""
        {"id":"{{id}}","runId":"{{RunId}}","projectId":"{{ProjectId}}","surface":"image","prompt":"{{prompt}}","output":"{{output}}","requestedOutput":"{{output}}","status":"requested","policyMode":"request-only","createdAt":"2026-01-02T03:04:05+00:00","updatedAt":"2026-01-02T03:04:05+00:00"}
        """.Trim();

    /// <summary>A version-1 file with a project, a running request-only run, its tool token, two requests and their events.</summary>
    private static void WriteVersionOne(string path, IReadOnlyList<string> bodies, IReadOnlyList<string> eventData)
    {
        const string at = "2026-01-02T03:04:05.0000000Z";
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        var sql = new StringBuilder("PRAGMA journal_mode=WAL;\n").Append(VersionOneDdl).Append('\n');
        sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO projects VALUES ('{ProjectId}', 'Legacy campaign', '{at}');\n");
        sql.Append(CultureInfo.InvariantCulture,
            $$"""INSERT INTO runs VALUES ('{{RunId}}', '{{ProjectId}}', 'codex', 'Design the legacy poster', NULL, 'running', '{"mode":"request-only","allowedSurfaces":["image"]}', '{{at}}', '{{at}}', NULL, 2);""").Append('\n');
        var tokenHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token)));
        sql.Append(CultureInfo.InvariantCulture,
            $"""INSERT INTO tool_tokens VALUES ('{tokenHash}', '{RunId}', '{ProjectId}', '["/api/tools/media/generate","/api/runs/:runId/media-requests","/api/media-requests/:id","/api/media-requests/:id/cancel"]', '["media:generate","media:requests:list","media:requests:get","media:requests:cancel"]', '{at}', '2099-01-01T00:00:00.0000000Z', NULL);""").Append('\n');
        for (var i = 0; i < bodies.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO media_requests (id, run_id, project_id, status, body) VALUES ('{RequestIds[i]}', '{RunId}', '{ProjectId}', 'requested', '{bodies[i]}');\n");
            sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO events (run_id, seq, event, data, created_at) VALUES ('{RunId}', {i + 1}, 'media_request', '{eventData[i]}', '{at}');\n");
        }
        sql.Append("PRAGMA user_version = 1;");
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql.ToString();
        cmd.ExecuteNonQuery();
    }
}
