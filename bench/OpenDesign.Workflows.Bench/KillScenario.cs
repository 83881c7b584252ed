using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Bench;

/// <summary>
/// Target 2. Virtual users (one HttpClient and one connection each) post generate as fast as they can; every 202's
/// request id is recorded the moment it is read. Mid-load the service gets SIGKILL, is restarted on the same data dir,
/// and every acknowledged id is looked up in the SQLite file (all of them) and over the API (a sample).
/// </summary>
internal static class KillScenario
{
    public static async Task<ScenarioReport> RunAsync(BenchContext ctx)
    {
        var report = new ScenarioReport("2. No acknowledged request lost on kill -9 (HttpClient load generator)");
        var dir = ctx.NewDir("kill9");
        var dataDir = ctx.NewDir("kill9-data");
        var rounds = ctx.Quick ? 1 : 3;
        const int users = 200;

        var service = await ServerProcess.StartServiceAsync(ctx, dataDir, Path.Combine(dir, "service-0.log"));
        var port = service.Port;
        var run = await Api.CreateRequestOnlyRunAsync(service.BaseUri);
        var acked = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        long totalErrors = 0, totalAcks = 0, totalOther = 0;
        var rng = new Random(42);
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                // Kill at a different moment each round: 1.5 s to 4 s into the load.
                var killAfter = TimeSpan.FromMilliseconds(1500 + rng.Next(0, 2500));
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var counters = new Counters();
                var load = Enumerable.Range(0, users).Select(_ => UserAsync(service.BaseUri, run.ToolToken, acked, counters, stop.Token)).ToArray();
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < killAfter) await Task.Delay(50);
                var ackedBeforeKill = Interlocked.Read(ref counters.Acks);
                await service.KillNineAsync();
                Log.Info($"round {round}: kill -9 after {clock.Elapsed.TotalSeconds:0.0}s with {ackedBeforeKill} acks in this round");
                // Let responses already in flight land, then stop the users.
                await Task.Delay(500);
                await stop.CancelAsync();
                await Task.WhenAll(load);
                totalAcks += counters.Acks;
                totalErrors += counters.Errors;
                totalOther += counters.Other;
                report.Detail($"round {round}: killed at {killAfter.TotalSeconds:0.0}s under {users} connections; {counters.Acks} acknowledged (202), {counters.Errors} failed in flight (reset/refused), {counters.Other} other statuses");

                service = await ServerProcess.StartServiceAsync(ctx, dataDir, Path.Combine(dir, $"service-{round}.log"), port);
            }

            // Every acknowledged id, straight from the SQLite file the restarted service recovered.
            var stored = new HashSet<string>(StringComparer.Ordinal);
            long events;
            var db = Path.Combine(dataDir, "app.sqlite");
            using (var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
            {
                connection.Open();
                using (var cmd = connection.CreateCommand())
                {
                    cmd.CommandText = "SELECT id FROM media_requests WHERE run_id = $run";
                    cmd.Parameters.AddWithValue("$run", run.RunId);
                    using var reader = cmd.ExecuteReader();
                    while (reader.Read()) stored.Add(reader.GetString(0));
                }
                using (var cmd = connection.CreateCommand())
                {
                    cmd.CommandText = "SELECT count(*) FROM events WHERE run_id = $run AND event = 'media_request'";
                    cmd.Parameters.AddWithValue("$run", run.RunId);
                    events = (long)cmd.ExecuteScalar()!;
                }
            }
            var missing = acked.Keys.Where(id => !stored.Contains(id)).ToList();
            report.Detail($"{acked.Count} distinct acknowledged ids; {stored.Count} rows stored for the run (stored but never acknowledged: {stored.Count - (acked.Count - missing.Count)}, i.e. committed while the answer was in flight)");
            report.Detail($"created events stored for the run: {events} (one per stored request expected: {(events == stored.Count ? "yes" : "NO")})");

            // A sample through the restarted service's API as well.
            var sample = acked.Keys.OrderBy(_ => rng.Next()).Take(ctx.Quick ? 200 : 1000).ToList();
            var apiMissing = 0;
            using (var client = Api.Client(service.BaseUri))
            {
                foreach (var id in sample)
                {
                    using var response = await client.GetAsync($"/api/media-requests/{id}");
                    if (response.StatusCode != HttpStatusCode.OK) apiMissing++;
                }
            }
            report.Detail($"GET /api/media-requests/{{id}} after restart: {sample.Count - apiMissing}/{sample.Count} sampled acknowledged ids found");

            var pass = !acked.IsEmpty && missing.Count == 0 && apiMissing == 0 && events == stored.Count;
            report.Row("2", $"acknowledged ids present after kill -9 + restart ({rounds} kill{(rounds > 1 ? "s" : "")}, {users} connections)",
                $"{acked.Count - missing.Count}/{acked.Count} present, {missing.Count} lost", "0 lost", pass);
            if (missing.Count > 0) report.Detail("lost: " + string.Join(", ", missing.Take(10)));
        }
        finally
        {
            await service.StopAsync();
        }
        return report;
    }

    private sealed class Counters
    {
        public long Acks;
        public long Errors;
        public long Other;
    }

    private static async Task UserAsync(Uri baseUri, string token, ConcurrentDictionary<string, byte> acked, Counters counters, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(2),
        };
        using var client = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var request = Api.Generate(token);
                // No cancellation token here: a response that is already on its way must be read, not abandoned.
                using var response = await client.SendAsync(request, CancellationToken.None);
                var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    var created = JsonSerializer.Deserialize(body, OdJsonContext.Default.MediaRequest)!;
                    acked.TryAdd(created.Id, 0);
                    Interlocked.Increment(ref counters.Acks);
                }
                else
                {
                    Interlocked.Increment(ref counters.Other);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                Interlocked.Increment(ref counters.Errors);
                try
                {
                    await Task.Delay(50, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
