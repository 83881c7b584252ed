using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using OpenDesign.Workflows.Contracts;
using static OpenDesign.Workflows.Cli.Tests.ServiceCalls;

namespace OpenDesign.Workflows.Cli.Tests.Robustness;

/// <summary>
/// A run-stream reader that drops its connection mid-burst and comes back with <c>Last-Event-ID</c> while requests keep
/// being created, against the real service process: the two connections together deliver every event once, in order.
/// </summary>
public sealed class LiveStreamResumeTests
{
    private const int Producers = 4;
    private const int ReadBeforeDrop = 40;
    private const int MissedWhileAway = 20;
    private const int ReadAfterResume = 40;
    // Bounded, so a stream that never delivers fails the test instead of running the producers forever.
    private const int MaxGenerates = 2000;

    [Fact]
    public async Task A_stream_resumed_with_Last_Event_ID_during_a_burst_delivers_every_event_once_in_order()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var service = await ServiceProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(service.Url), Timeout = Timeout.InfiniteTimeSpan };
        var (_, run) = await CreateRunAsync(http, "live resume");

        var accepted = new List<string>();
        var stop = new CancellationTokenSource();
        var generated = 0;
        var producers = Enumerable.Range(0, Producers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref generated) <= MaxGenerates)
            {
                var request = await GenerateAsync(http, run.ToolToken);
                lock (accepted) accepted.Add(request.Id);
            }
        }, ct)).ToList();
        int Accepted()
        {
            lock (accepted) return accepted.Count;
        }

        // First connection: from the start, dropped after some events while the producers go on.
        var first = new List<SseItem<string>>();
        using (var response = await http.GetAsync($"/api/runs/{run.RunId}/events", HttpCompletionOption.ResponseHeadersRead, ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(ct)).EnumerateAsync(ct))
            {
                first.Add(item);
                if (first.Count == ReadBeforeDrop) break;
            }
        }
        var lastId = first[^1].EventId!;
        // Events are committed while the reader is away.
        var awayUntil = long.Parse(lastId, CultureInfo.InvariantCulture) + MissedWhileAway;
        while (Accepted() < awayUntil && producers.All(p => !p.IsCompleted)) await Task.Delay(10, ct);
        Assert.True(Accepted() >= awayUntil, "the producers stopped before the reader came back");

        // Second connection: resumes from the last id it saw, reads on while requests keep coming, then to the end.
        var second = new List<SseItem<string>>();
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{run.RunId}/events"))
        {
            request.Headers.Add("Last-Event-ID", lastId);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var ending = Task.CompletedTask;
            await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(ct)).EnumerateAsync(ct))
            {
                second.Add(item);
                if (second.Count == ReadAfterResume)
                {
                    Assert.True(producers.All(p => !p.IsCompleted), "the producers stopped before the resumed stream caught up with them");
                    ending = EndRunAsync(http, run.RunId, stop, producers);
                }
            }
            await ending;
        }

        var stored = await EventsAsync(http, run.RunId, ct);
        Assert.Equal(RunEndPayload.EventName, stored[^1].EventType);
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(n => n.ToString(CultureInfo.InvariantCulture)), stored.Select(e => e.EventId));
        // One created event per accepted generate (the run's end then cancels them, before its end event).
        var created = stored.Select(e => AsRequestEvent(e)).Where(e => e?.Action == MediaRequestActions.Created).Select(e => e!.Request.Id);
        Assert.Equal(accepted.Order(StringComparer.Ordinal), created.Order(StringComparer.Ordinal));
        Assert.Equal(stored.Select(e => (e.EventId, e.EventType, e.Data)), first.Concat(second).Select(e => (e.EventId, e.EventType, e.Data)));
        TestContext.Current.TestOutputHelper?.WriteLine($"{first.Count} events before the drop, {second.Count} after resuming from {lastId}, {stored.Count} stored");
    }

    private static async Task EndRunAsync(HttpClient http, string runId, CancellationTokenSource stop, List<Task> producers)
    {
        stop.Cancel();
        await Task.WhenAll(producers);
        using var finish = await PostAsync(http, $"/api/runs/{runId}/finish", """{"status":"succeeded"}""");
        Assert.Equal(HttpStatusCode.OK, finish.StatusCode);
    }
}
