using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Bench;

/// <summary>
/// Target 4. One run is grown from 1k to 1M stored requests. The service writes the schema and one real request (and
/// its event); the bench stops the service and seeds copies of exactly that row and event (the service's own JSON with
/// a fresh random id) in big transactions, restarts the service and times GET /api/runs/{id}/media-requests?limit=100:
/// the first page, and a page behind a cursor 85% of the way through the run.
/// </summary>
internal static class ListingScenario
{
    public static async Task<ScenarioReport> RunAsync(BenchContext ctx)
    {
        var report = new ScenarioReport("4. Listing a run's media requests, 1k to 1M stored");
        var dir = ctx.NewDir("listing");
        var dataDir = ctx.NewDir("listing-data");
        int[] levels = ctx.Quick ? [1_000, 1_000_000] : [1_000, 10_000, 100_000, 1_000_000];
        var samples = ctx.Quick ? 100 : 300;

        var service = await ServerProcess.StartServiceAsync(ctx, dataDir, Path.Combine(dir, "service-0.log"));
        RunCreated run;
        try
        {
            run = await Api.CreateRequestOnlyRunAsync(service.BaseUri);
            using var client = Api.Client(service.BaseUri);
            using var response = await client.SendAsync(Api.Generate(run.ToolToken));
            if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"generate answered {(int)response.StatusCode}");
        }
        finally
        {
            await service.StopAsync();
        }

        var db = Path.Combine(dataDir, "app.sqlite");
        var seeder = new Seeder(db, run.RunId);
        var results = new List<(int Level, Timing First, Timing Deep)>();
        var stored = 1;
        for (var li = 0; li < levels.Length; li++)
        {
            var level = levels[li];
            var clock = Stopwatch.StartNew();
            seeder.Seed(level - stored);
            stored = level;
            var size = new FileInfo(db).Length + (File.Exists(db + "-wal") ? new FileInfo(db + "-wal").Length : 0);
            report.Detail($"seeded to {level:N0} requests (+ their events) in {clock.Elapsed.TotalSeconds:0.0}s; database {size / 1048576.0:0} MiB");

            var deepCursor = seeder.CursorAt((int)(level * 0.85));
            service = await ServerProcess.StartServiceAsync(ctx, dataDir, Path.Combine(dir, $"service-{li + 1}.log"));
            try
            {
                using var client = Api.Client(service.BaseUri);
                var first = $"/api/runs/{run.RunId}/media-requests?limit=100";
                var deep = $"/api/runs/{run.RunId}/media-requests?limit=100&cursor={deepCursor}";
                await CheckPageAsync(client, first);
                await CheckPageAsync(client, deep);
                // Warm-up: at least 200 requests and 3 s, so tiered JIT has promoted the hot path before timing.
                var warm = Stopwatch.StartNew();
                for (var i = 0; i < 2000 && (i < 200 || warm.Elapsed < TimeSpan.FromSeconds(3)); i++) await TimeAsync(client, (i & 1) == 0 ? first : deep);
                // Three blocks a second apart, each its own median: the machine's speed drifts by a third over seconds (a fixed
                // CPU loop took 1.08-1.82 s in one minute), and drift only ever adds time, so a level's cost is its fastest
                // block's median. p99 is over every sample.
                var firstTimes = new List<double>(samples);
                var deepTimes = new List<double>(samples);
                var firstBlocks = new List<double>();
                var deepBlocks = new List<double>();
                for (var block = 0; block < Blocks; block++)
                {
                    if (block > 0) await Task.Delay(TimeSpan.FromSeconds(1));
                    var firstBlock = new List<double>();
                    var deepBlock = new List<double>();
                    for (var i = 0; i < samples / Blocks; i++)
                    {
                        firstBlock.Add(await TimeAsync(client, first));
                        deepBlock.Add(await TimeAsync(client, deep));
                    }
                    firstTimes.AddRange(firstBlock);
                    deepTimes.AddRange(deepBlock);
                    firstBlocks.Add(Timing.Of(firstBlock).P50);
                    deepBlocks.Add(Timing.Of(deepBlock).P50);
                }
                var f = Timing.Of(firstTimes) with { P50 = firstBlocks.Min() };
                var d = Timing.Of(deepTimes) with { P50 = deepBlocks.Min() };
                results.Add((level, f, d));
                report.Detail($"{level,9:N0}: first page p50 {f.P50:0.00} ms (blocks {Blocks3(firstBlocks)}) p99 {f.P99:0.00} ms | cursor at 85% p50 {d.P50:0.00} ms (blocks {Blocks3(deepBlocks)}) p99 {d.P99:0.00} ms ({samples} sequential requests each)");
            }
            finally
            {
                await service.StopAsync();
            }
        }

        var low = results[0];
        var high = results[^1];
        var firstRatio = high.First.P50 / low.First.P50;
        var deepRatio = high.Deep.P50 / low.Deep.P50;
        report.Row("4a", $"list first page (limit=100) p50, {low.Level:N0} -> {high.Level:N0} requests",
            $"{low.First.P50:0.00} -> {high.First.P50:0.00} ms (x{firstRatio:0.00}; p99 {low.First.P99:0.00} -> {high.First.P99:0.00})", "flat: <= x1.5", firstRatio <= 1.5);
        report.Row("4b", $"list deep cursor page (85% in) p50, {low.Level:N0} -> {high.Level:N0} requests",
            $"{low.Deep.P50:0.00} -> {high.Deep.P50:0.00} ms (x{deepRatio:0.00}; p99 {low.Deep.P99:0.00} -> {high.Deep.P99:0.00})", "flat: <= x1.5", deepRatio <= 1.5);
        return report;
    }

    private const int Blocks = 3;

    private static string Blocks3(List<double> p50s) => string.Join(" / ", p50s.Select(v => v.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task<double> TimeAsync(HttpClient client, string path)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(path);
        await response.Content.ReadAsByteArrayAsync();
        var ms = Stats.Ms(Stopwatch.GetTimestamp() - start);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}");
        return ms;
    }

    private static async Task CheckPageAsync(HttpClient client, string path)
    {
        var list = JsonSerializer.Deserialize(await client.GetStringAsync(path), OdJsonContext.Default.MediaRequestList)!;
        if (list.Requests.Count != 100 || list.NextCursor is null)
        {
            throw new InvalidOperationException($"{path} returned {list.Requests.Count} requests, nextCursor {list.NextCursor ?? "null"}; expected a full page with more behind it");
        }
    }

    private sealed record Timing(double P50, double P99)
    {
        public static Timing Of(List<double> values)
        {
            values.Sort();
            return new Timing(Stats.Percentile(values, 50), Stats.Percentile(values, 99));
        }
    }

    /// <summary>
    /// Writes what MediaRequestService.CreateAsync writes (the media_requests row, the run's next event and the run's
    /// event counter), cloned from the row the service itself stored, in transactions of 100k units, journal off while the service is stopped.
    /// </summary>
    private sealed class Seeder
    {
        private readonly string _db;
        private readonly string _runId;
        private readonly string _templateHex;
        private readonly string _projectId;
        private readonly string _body;
        private readonly string _eventData;
        private readonly string _eventAt;

        public Seeder(string db, string runId)
        {
            _db = db;
            _runId = runId;
            using var connection = Open();
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT id, project_id, body FROM media_requests WHERE run_id = $run ORDER BY seq LIMIT 1";
                cmd.Parameters.AddWithValue("$run", runId);
                using var reader = cmd.ExecuteReader();
                if (!reader.Read()) throw new InvalidOperationException("the service stored no template request");
                _templateHex = reader.GetString(0)["mreq_".Length..];
                _projectId = reader.GetString(1);
                _body = reader.GetString(2);
            }
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT data, created_at FROM events WHERE run_id = $run AND event = 'media_request' ORDER BY seq LIMIT 1";
                cmd.Parameters.AddWithValue("$run", runId);
                using var reader = cmd.ExecuteReader();
                if (!reader.Read()) throw new InvalidOperationException("the service stored no template event");
                _eventData = reader.GetString(0);
                _eventAt = reader.GetString(1);
            }
            if (!_body.Contains(_templateHex, StringComparison.Ordinal) || !_eventData.Contains(_templateHex, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("the template row does not carry its own id");
            }
        }

        private SqliteConnection Open()
        {
            var connection = new SqliteConnection($"Data Source={_db};Pooling=False");
            connection.Open();
            using var cmd = connection.CreateCommand();
            // Seeding only: the service is stopped, so durability per transaction does not matter here.
            cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=ON;";
            cmd.ExecuteNonQuery();
            return connection;
        }

        public void Seed(int count)
        {
            using var connection = Open();
            // The service is stopped: write pages straight to the file (no WAL copy, no rollback journal), then hand the
            // file back in WAL mode as the service left it.
            using (var fast = connection.CreateCommand())
            {
                fast.CommandText = "PRAGMA journal_mode=DELETE; PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=OFF;";
                fast.ExecuteNonQuery();
            }
            long seq;
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = $run";
                cmd.Parameters.AddWithValue("$run", _runId);
                seq = (long)cmd.ExecuteScalar()!;
            }
            var random = new Random(count);
            var hex = new byte[12];
            var done = 0;
            while (done < count)
            {
                var chunk = Math.Min(100_000, count - done);
                using var tx = connection.BeginTransaction();
                using var request = connection.CreateCommand();
                request.Transaction = tx;
                request.CommandText = "INSERT INTO media_requests (id, run_id, project_id, status, body) VALUES ($id, $run, $project, 'requested', $body)";
                var pId = request.Parameters.Add("$id", SqliteType.Text);
                request.Parameters.AddWithValue("$run", _runId);
                request.Parameters.AddWithValue("$project", _projectId);
                var pBody = request.Parameters.Add("$body", SqliteType.Text);
                request.Prepare();
                using var evt = connection.CreateCommand();
                evt.Transaction = tx;
                evt.CommandText = "INSERT INTO events (run_id, seq, event, data, created_at) VALUES ($run, $seq, 'media_request', $data, $at)";
                evt.Parameters.AddWithValue("$run", _runId);
                var pSeq = evt.Parameters.Add("$seq", SqliteType.Integer);
                var pData = evt.Parameters.Add("$data", SqliteType.Text);
                evt.Parameters.AddWithValue("$at", _eventAt);
                evt.Prepare();
                for (var i = 0; i < chunk; i++)
                {
                    random.NextBytes(hex);
                    var newHex = Convert.ToHexStringLower(hex);
                    pId.Value = "mreq_" + newHex;
                    pBody.Value = _body.Replace(_templateHex, newHex, StringComparison.Ordinal);
                    request.ExecuteNonQuery();
                    pSeq.Value = ++seq;
                    pData.Value = _eventData.Replace(_templateHex, newHex, StringComparison.Ordinal);
                    evt.ExecuteNonQuery();
                }
                tx.Commit();
                done += chunk;
            }
            using var back = connection.CreateCommand();
            back.CommandText = "PRAGMA journal_mode=DELETE; PRAGMA locking_mode=NORMAL; PRAGMA journal_mode=WAL;";
            back.ExecuteNonQuery();
        }

        /// <summary>The list cursor (the row's seq) after the first <paramref name="offset"/> requests of the run.</summary>
        public long CursorAt(int offset)
        {
            using var connection = Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT seq FROM media_requests WHERE run_id = $run ORDER BY seq LIMIT 1 OFFSET $offset";
            cmd.Parameters.AddWithValue("$run", _runId);
            cmd.Parameters.AddWithValue("$offset", offset - 1);
            return (long)cmd.ExecuteScalar()!;
        }
    }
}
