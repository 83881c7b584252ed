using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>
/// Issue 13's probe against the real service process: SSE readers that never read must not make the service hold
/// the events it cannot send them. Each is cut off with a <c>resume</c> frame once it is too far behind.
/// </summary>
public sealed class StalledEventReadersTests
{
    private const int Readers = 40;
    private const int Events = 600;
    private const int PromptChars = 30_000;
    private const int Producers = 6;

    /// <summary>
    /// Growth allowed over the service before the readers connect. Before the fix this load grew it by 912 MB (each
    /// stalled stream held its own page of up to 500 events); after it, by 75 to 111 MB. The bound docs/configuration.md
    /// states for 40 readers and these events is about 170 MB, before the garbage collector's slack.
    /// </summary>
    private const long MaxGrowthBytes = 250L * 1024 * 1024;

    [Fact]
    public async Task Forty_stalled_global_feed_readers_keep_memory_bounded_and_are_ended_with_a_resume_frame()
    {
        await using var service = await ServiceProcess.StartAsync();
        var url = new Uri(service.Url);
        using var http = new HttpClient { BaseAddress = url };
        var token = await CreateRunAsync(http);
        // The prompt's letter tells the events written before the readers connected from those written after.
        var before = $$"""{"surface":"image","prompt":"{{new string('a', PromptChars)}}","output":"poster.png"}""";
        var during = $$"""{"surface":"image","prompt":"{{new string('b', PromptChars)}}","output":"poster.png"}""";
        await ProduceAsync(http, token, before, Events / 2, _ => Task.CompletedTask);
        var baseline = service.ResidentBytes();

        // Half start from now (no cursor), half replay everything (after=0): replay pages are held while blocked.
        var readers = new List<StalledReader>();
        try
        {
            for (var i = 0; i < Readers; i++) readers.Add(await StalledReader.OpenAsync(url, i % 2 == 0 ? "/api/events" : "/api/events?after=0"));

            long peak = baseline;
            await ProduceAsync(http, token, during, Events / 2, async n =>
            {
                var now = service.ResidentBytes();
                long seen;
                while (now > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen) { }
                if (n % 50 == 0)
                {
                    using var live = await http.GetAsync("/health/live");
                    Assert.Equal(HttpStatusCode.OK, live.StatusCode);
                }
            });
            var growth = peak - baseline;
            TestContext.Current.TestOutputHelper?.WriteLine($"RSS baseline {baseline / 1048576} MB, peak {peak / 1048576} MB, growth {growth / 1048576} MB");
            Assert.True(growth < MaxGrowthBytes, $"the service grew by {growth / 1048576} MB (baseline {baseline / 1048576} MB) with {Readers} stalled readers");

            // Now read what each stalled stream was sent: events in order, then the resume frame naming the last one.
            var streams = await Task.WhenAll(readers.Select(r => r.ReadToEndAsync()));
            for (var i = 0; i < Readers; i++)
            {
                var frames = streams[i];
                Assert.True(frames.Count >= 1, "a stalled stream ended without any frame");
                var resume = frames[^1];
                Assert.Equal("resume", resume.EventType);
                var delivered = frames.SkipLast(1).ToList();
                Assert.All(delivered, f => Assert.Equal("media_request", f.EventType));
                Assert.True(delivered.Count < Events, "a stalled reader was sent every event: it was never cut off");
                // One run, one event per request: global ids are 1, 2, 3, … with no gaps, in production order.
                var ids = delivered.Select(f => long.Parse(f.EventId!, CultureInfo.InvariantCulture)).ToList();
                var first = i % 2 == 0 ? Events / 2 + 1 : 1;
                Assert.Equal(Enumerable.Range(first, ids.Count).Select(n => (long)n), ids);
                if (i % 2 == 0) Assert.DoesNotContain(delivered, f => f.Data.Contains("aaaaaaaa", StringComparison.Ordinal));
                // The resume frame names the last event delivered (the one to send as Last-Event-ID), in its id and data.
                var resumeAfter = ids.Count > 0 ? ids[^1] : first - 1;
                Assert.Equal(resumeAfter.ToString(CultureInfo.InvariantCulture), resume.EventId);
                Assert.Equal(resumeAfter, JsonDocument.Parse(resume.Data).RootElement.GetProperty("after").GetInt64());
            }
            using var after = await http.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);

            // A cut-off reader that reconnects from the resume id gets every later event exactly once.
            var resumeId = streams[1][^1].EventId!;
            using var reconnect = new HttpRequestMessage(HttpMethod.Get, "/api/events?follow=false");
            reconnect.Headers.Add("Last-Event-ID", resumeId);
            using var rest = await http.SendAsync(reconnect);
            var restIds = (await FramesAsync(rest)).Select(f => long.Parse(f.EventId!, CultureInfo.InvariantCulture));
            var from = long.Parse(resumeId, CultureInfo.InvariantCulture) + 1;
            Assert.Equal(Enumerable.Range((int)from, Events - (int)from + 1).Select(n => (long)n), restIds);
        }
        finally
        {
            foreach (var reader in readers) reader.Dispose();
        }
    }

    /// <summary>Creates <paramref name="count"/> requests from a few concurrent callers, calling <paramref name="after"/> after each.</summary>
    private static async Task ProduceAsync(HttpClient http, string token, string body, int count, Func<int, Task> after)
    {
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) <= count)
            {
                await GenerateAsync(http, token, body);
                await after(n);
            }
        }));
    }

    private static async Task<string> CreateRunAsync(HttpClient http)
    {
        using var project = await http.PostAsync("/api/projects", Json("""{"name":"stalled"}"""));
        var projectId = JsonDocument.Parse(await project.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var run = await http.PostAsync("/api/runs", Json($$$"""{"projectId":"{{{projectId}}}","mediaExecution":{"mode":"request-only"}}"""));
        Assert.Equal(HttpStatusCode.Created, run.StatusCode);
        return JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement.GetProperty("toolToken").GetString()!;
    }

    private static async Task GenerateAsync(HttpClient http, string token, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tools/media/generate") { Content = Json(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<List<SseItem<string>>> FramesAsync(HttpResponseMessage response, CancellationToken ct = default)
    {
        var frames = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(ct)).EnumerateAsync(ct)) frames.Add(item);
        return frames;
    }

    /// <summary>
    /// A reader on its own connection with a tiny receive window that stops reading once the stream is open (the
    /// service writes its headers only after subscribing), and at the end reads everything it was sent.
    /// </summary>
    private sealed class StalledReader : IDisposable
    {
        private readonly HttpClient _http;
        private Socket? _socket;
        private HttpResponseMessage? _response;

        private StalledReader()
        {
            _http = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (context, ct) =>
                {
                    _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
                    await _socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(_socket, ownsSocket: true);
                },
            });
        }

        public static async Task<StalledReader> OpenAsync(Uri url, string path)
        {
            var reader = new StalledReader();
            reader._response = await reader._http.GetAsync(new Uri(url, path), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, reader._response.StatusCode);
            return reader;
        }

        public async Task<List<SseItem<string>>> ReadToEndAsync()
        {
            // A reader that finally reads: a normal window, so the backlog drains quickly.
            _socket!.ReceiveBufferSize = 1 << 20;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            return await FramesAsync(_response!, timeout.Token);
        }

        public void Dispose()
        {
            _response?.Dispose();
            _http.Dispose();
        }
    }
}
