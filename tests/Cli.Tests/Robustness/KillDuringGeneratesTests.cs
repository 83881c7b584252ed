using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Tests.Shared;
using static OpenDesign.Workflows.Cli.Tests.ServiceCalls;

namespace OpenDesign.Workflows.Cli.Tests.Robustness;

/// <summary>
/// kill -9 of the real service process in the middle of a burst of generates: every request the service acknowledged
/// (202) is still there after the restart, once, as requested, with exactly one created event; nothing half-written.
/// </summary>
public sealed class KillDuringGeneratesTests
{
    private const int Kills = 3;
    private const int Clients = 16;
    private const int KillAfterAccepted = 80;
    // Bounded, so a service that never dies under the test cannot keep the clients going.
    private const int MaxPerClient = 200;

    [Fact]
    public async Task Every_acknowledged_generate_survives_kill_9_once_as_requested_with_one_created_event()
    {
        var service = await ServiceProcess.StartAsync();
        try
        {
            string runId, token;
            using (var http = new HttpClient { BaseAddress = new Uri(service.Url) })
            {
                var (_, run) = await CreateRunAsync(http, "kill during generates");
                (runId, token) = (run.RunId, run.ToolToken);
            }
            var acknowledged = new List<string>();
            var unexpected = new List<string>();

            for (var kill = 0; kill < Kills; kill++)
            {
                var accepted = new ConcurrentBag<string>();
                var acceptedCount = 0;
                var current = service;
                using (var http = new HttpClient { BaseAddress = new Uri(service.Url) })
                {
                    var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
                    {
                        for (var i = 0; i < MaxPerClient; i++)
                        {
                            HttpAnswer answer;
                            try
                            {
                                answer = await HttpAnswer.ReadAsync(await PostAsync(http, "/api/tools/media/generate", GenerateBody, token));
                            }
                            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                            {
                                // The process died under this call (or before it): not acknowledged.
                                return;
                            }
                            if (answer.Status != HttpStatusCode.Accepted)
                            {
                                lock (unexpected) unexpected.Add($"kill {kill}: {(int)answer.Status} {answer.Body}");
                                return;
                            }
                            accepted.Add(System.Text.Json.JsonSerializer.Deserialize(answer.Body, OdJsonContext.Default.MediaRequest)!.Id);
                            // Killed by the client that saw the answer, at once: an answer given before its commit was
                            // durable would be lost with the process.
                            if (Interlocked.Increment(ref acceptedCount) == KillAfterAccepted) current.Kill();
                        }
                    })).ToList();
                    // Every client still has calls in flight when the kill lands.
                    await Task.WhenAll(clients);
                    await service.KillAsync();
                }
                Assert.True(accepted.Count >= KillAfterAccepted, $"kill {kill}: only {accepted.Count} generates were accepted before the clients stopped");
                acknowledged.AddRange(accepted);
                service = await service.RestartAsync();

                using var after = new HttpClient { BaseAddress = new Uri(service.Url) };
                await AssertIntactAsync(after, runId, acknowledged, $"after kill {kill + 1}");
            }
            Assert.Empty(unexpected);

            // Each acknowledged request on its own, and the run still takes new requests with the same token.
            using var final = new HttpClient { BaseAddress = new Uri(service.Url) };
            foreach (var id in acknowledged)
            {
                var request = await GetRequestAsync(final, id);
                Assert.Equal((id, runId, MediaRequestStatuses.Requested, "poster.png"), (request.Id, request.RunId, request.Status, request.RequestedOutput));
            }
            var fresh = await GenerateAsync(final, token);
            Assert.Equal(MediaRequestStatuses.Requested, fresh.Status);
            TestContext.Current.TestOutputHelper?.WriteLine($"{Kills} kills survived, {acknowledged.Count} acknowledged requests checked");
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    /// <summary>
    /// The run's stored requests include every acknowledged one, each once and requested; its events are exactly one
    /// created event per stored request, numbered 1, 2, 3, … without gaps.
    /// </summary>
    private static async Task AssertIntactAsync(HttpClient http, string runId, IReadOnlyCollection<string> acknowledged, string when)
    {
        var stored = await ListAllAsync(http, runId);
        var storedIds = stored.Select(r => r.Id).ToList();
        Assert.True(storedIds.Count == storedIds.Distinct().Count(), $"{when}: a request is listed twice");
        var missing = acknowledged.Except(storedIds).ToList();
        Assert.True(missing.Count == 0, $"{when}: {missing.Count} acknowledged requests are gone: {string.Join(',', missing.Take(5))}");
        Assert.All(stored, r => Assert.Equal((r.RunId, r.Status, r.Prompt), (runId, MediaRequestStatuses.Requested, "a launch poster")));

        var events = await EventsAsync(http, runId);
        var seqs = events.Select(e => long.Parse(e.EventId!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long)n), seqs);
        var created = events.Select(e => AsRequestEvent(e)).ToList();
        Assert.All(created, e => Assert.Equal(MediaRequestActions.Created, e?.Action));
        var createdIds = created.Select(e => e!.Request.Id).ToList();
        Assert.True(createdIds.Count == createdIds.Distinct().Count(), $"{when}: a request has two created events");
        Assert.Equal(storedIds.Order(StringComparer.Ordinal), createdIds.Order(StringComparer.Ordinal));
    }
}
