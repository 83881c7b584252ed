using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace OpenDesign.Workflows.Bench;

/// <summary>
/// Target 3. 1,000 subscribers (one connection each) follow one run's /api/runs/{id}/events. Once every one has seen
/// the stream open (the service subscribes before it writes ": connected"), a poster sends generate requests at a fixed
/// pace. Each subscriber timestamps each frame when its bytes are read; latency is frame received minus the poster's
/// 202 (the commit acknowledgement), and, as a stricter upper bound, minus the moment the POST was sent.
/// </summary>
internal static class SseScenario
{
    private static readonly byte[] IdMarker = "\"id\":\"mreq_"u8.ToArray();
    private static readonly byte[] Connected = ": connected"u8.ToArray();

    public static async Task<ScenarioReport> RunAsync(BenchContext ctx)
    {
        var report = new ScenarioReport("3. SSE fan-out to 1,000 subscribers of one run");
        var dir = ctx.NewDir("sse");
        const int subscribers = 1000;
        // Ten events a second to 1,000 subscribers is 10,000 frames a second: a busy run watched by a crowd.
        var events = ctx.Quick ? 30 : 100;
        var interval = TimeSpan.FromMilliseconds(100);

        Phase serviced;
        var service = await ServerProcess.StartServiceAsync(ctx, ctx.NewDir("sse-data"), Path.Combine(dir, "service.log"));
        try
        {
            var run = await Api.CreateRequestOnlyRunAsync(service.BaseUri);
            serviced = await MeasureAsync(report, "service", service, $"/api/runs/{run.RunId}/events",
                () => Api.Generate(run.ToolToken), subscribers, events, interval);
        }
        finally
        {
            await service.StopAsync();
        }

        // The bare reference, same run of the bench: same subscriber code, same counts and pace, same CPU measure,
        // frames padded to the size of the service's media_request frame.
        Phase bare;
        var baseline = await ServerProcess.StartBaselineAsync(ctx, Path.Combine(dir, "baseline.log"));
        try
        {
            bare = await MeasureAsync(report, "bare Kestrel SSE", baseline, "/events", () =>
            {
                var request = Api.Generate("bench-token");
                request.RequestUri = new Uri($"/publish?frameBytes={serviced.FrameBytes}", UriKind.Relative);
                return request;
            }, subscribers, events, interval);
        }
        finally
        {
            await baseline.StopAsync();
        }

        var ratio = serviced.CpuPerEvent / bare.CpuPerEvent;
        report.Detail($"CPU per event fanned out to {subscribers}: service {serviced.CpuPerEvent:0.00} ms, bare Kestrel SSE {bare.CpuPerEvent:0.00} ms (frames of {bare.FrameBytes} and {serviced.FrameBytes} bytes): x{ratio:0.00}");
        report.Row("3a", $"SSE: every subscriber gets every event ({subscribers} subscribers x {events} events)",
            $"{serviced.Complete}/{subscribers} complete", "all", serviced.Complete == subscribers);
        report.Row("3b", "SSE p99 delivery latency, 202 ack -> frame received",
            $"{serviced.P99:0.00} ms (from POST sent: {serviced.P99FromSend:0.00} ms)", "< 50 ms", serviced.P99 < 50 && serviced.Complete == subscribers);
        report.Row("3c", "SSE fan-out CPU vs bare Kestrel SSE",
            $"x{ratio:0.00} ({serviced.CpuPerEvent:0.00} vs {bare.CpuPerEvent:0.00} ms per event to {subscribers})", "<= x1.5",
            ratio <= 1.5 && serviced.Complete == subscribers && bare.Complete == subscribers);
        return report;
    }

    private sealed record Phase(double CpuPerEvent, int Complete, double P99, double P99FromSend, int FrameBytes);

    /// <summary>
    /// Opens the subscribers' streams, waits until every one has read ": connected", posts the events at the fixed
    /// pace on one keep-alive connection, waits (bounded) until every subscriber holds every event, and measures the
    /// server's CPU over that window.
    /// </summary>
    private static async Task<Phase> MeasureAsync(ScenarioReport report, string label, ServerProcess server, string url,
        Func<HttpRequestMessage> post, int subscribers, int events, TimeSpan interval)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var subs = Enumerable.Range(0, subscribers).Select(_ => new Subscriber()).ToArray();
        Task[] readers = [];
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, ConnectTimeout = TimeSpan.FromSeconds(10) };
        using var sseClient = new HttpClient(handler) { BaseAddress = server.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            // Open the streams, at most 64 handshakes in flight at a time.
            var connectClock = Stopwatch.StartNew();
            using var gate = new SemaphoreSlim(64);
            readers = subs.Select(s => s.RunAsync(sseClient, url, gate, stop.Token)).ToArray();
            var allOpen = Task.WhenAll(subs.Select(s => s.Opened.Task));
            if (await Task.WhenAny(allOpen, Task.Delay(TimeSpan.FromSeconds(60), stop.Token)) != allOpen)
            {
                throw new TimeoutException($"{label}: only {subs.Count(s => s.Opened.Task.IsCompletedSuccessfully)} of {subscribers} streams opened within 60 s");
            }
            await allOpen;
            report.Detail($"{label}: {subscribers} streams open in {connectClock.Elapsed.TotalSeconds:0.0}s");
            await Task.Delay(500);

            // The poster: one keep-alive connection, a fixed pace.
            var sent = new long[events];
            var acked = new long[events];
            var ids = new string[events];
            var serverCpu0 = server.CpuTime;
            var benchCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var postClock = Stopwatch.StartNew();
            using (var poster = Api.Client(server.BaseUri))
            {
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < events; i++)
                {
                    var due = start + (long)(i * interval.TotalSeconds * Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero) await Task.Delay(wait);
                    using var request = post();
                    sent[i] = Stopwatch.GetTimestamp();
                    using var response = await poster.SendAsync(request, stop.Token);
                    var body = await response.Content.ReadAsByteArrayAsync(stop.Token);
                    acked[i] = Stopwatch.GetTimestamp();
                    if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"{label}: publish answered {(int)response.StatusCode}");
                    using var ack = JsonDocument.Parse(body);
                    ids[i] = ack.RootElement.GetProperty("id").GetString()!;
                }
            }

            // Wait (bounded) until every subscriber holds every event.
            var waitClock = Stopwatch.StartNew();
            while (waitClock.Elapsed < TimeSpan.FromSeconds(30) && subs.Any(s => s.Count < events)) await Task.Delay(50);
            var serverCpu = (server.CpuTime - serverCpu0).TotalMilliseconds;
            var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpu0).TotalMilliseconds;
            var window = postClock.Elapsed.TotalMilliseconds;
            report.Detail($"{label}: CPU while posting and delivering ({window / 1000:0.0} s): server {serverCpu:0} ms = {serverCpu / events:0.0} ms per event fanned out to {subscribers} ({serverCpu / window:P0} of one core), i.e. one core fans out at most ~{1000.0 * events / serverCpu:0} events/s to {subscribers} subscribers; bench subscribers {benchCpu:0} ms ({benchCpu / window:P0} of one core)");
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException or TimeoutException)
            {
                // Cancelled on purpose.
            }

            var complete = 0;
            var fromAck = new List<double>(subscribers * events);
            var fromSend = new List<double>(subscribers * events);
            long early = 0;
            foreach (var s in subs)
            {
                var all = true;
                for (var i = 0; i < events; i++)
                {
                    if (!s.Received.TryGetValue(ids[i], out var at))
                    {
                        all = false;
                        continue;
                    }
                    var lat = Stats.Ms(at - acked[i]);
                    if (lat < 0) early++;
                    fromAck.Add(Math.Max(0, lat));
                    fromSend.Add(Stats.Ms(at - sent[i]));
                }
                if (all) complete++;
            }
            fromAck.Sort();
            fromSend.Sort();
            var expected = (long)subscribers * events;
            var frameBytes = subs.Select(s => s.FrameBytes).FirstOrDefault(b => b > 0);
            report.Detail($"{label}: {events} events ({frameBytes}-byte frames) posted every {interval.TotalMilliseconds:0} ms; {fromAck.Count}/{expected} deliveries; {complete}/{subscribers} subscribers got every event; {early} frames arrived before the poster had read its 202 (counted as 0 ms)");
            report.Detail($"{label}: ack -> frame: p50 {Stats.Percentile(fromAck, 50):0.00} ms, p90 {Stats.Percentile(fromAck, 90):0.00} ms, p99 {Stats.Percentile(fromAck, 99):0.00} ms, max {fromAck.LastOrDefault():0.00} ms");
            report.Detail($"{label}: POST sent -> frame (includes the server's POST work, for the service its commit): p50 {Stats.Percentile(fromSend, 50):0.00} ms, p99 {Stats.Percentile(fromSend, 99):0.00} ms, max {fromSend.LastOrDefault():0.00} ms");
            return new Phase(serverCpu / events, complete, Stats.Percentile(fromAck, 99), Stats.Percentile(fromSend, 99), frameBytes);
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private sealed class Subscriber
    {
        private int _count;
        private int _frameBytes;

        public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Dictionary<string, long> Received { get; } = new(StringComparer.Ordinal);
        public int Count => Volatile.Read(ref _count);
        /// <summary>Size of the first media_request frame this subscriber read, blank line included.</summary>
        public int FrameBytes => Volatile.Read(ref _frameBytes);

        public async Task RunAsync(HttpClient client, string url, SemaphoreSlim gate, CancellationToken ct)
        {
            Stream stream;
            HttpResponseMessage response;
            await gate.WaitAsync(ct);
            try
            {
                var request = new HttpRequestMessage(HttpMethod.Get, url);
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                stream = await response.Content.ReadAsStreamAsync(ct);
            }
            catch (Exception e)
            {
                Opened.TrySetException(e);
                throw;
            }
            finally
            {
                gate.Release();
            }
            using (response)
            await using (stream)
            {
                var buffer = new byte[16 * 1024];
                var filled = 0;
                try
                {
                    while (true)
                    {
                        if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                        var n = await stream.ReadAsync(buffer.AsMemory(filled), ct);
                        if (n == 0) return;
                        var at = Stopwatch.GetTimestamp();
                        filled += n;
                        var start = 0;
                        while (true)
                        {
                            var end = buffer.AsSpan(start, filled - start).IndexOf("\n\n"u8);
                            if (end < 0) break;
                            OnFrame(buffer.AsSpan(start, end), at);
                            start += end + 2;
                        }
                        buffer.AsSpan(start, filled - start).CopyTo(buffer);
                        filled -= start;
                    }
                }
                catch (OperationCanceledException)
                {
                    // The bench is done with this stream.
                }
            }
        }

        private void OnFrame(ReadOnlySpan<byte> frame, long at)
        {
            if (frame.StartsWith(Connected))
            {
                Opened.TrySetResult();
                return;
            }
            var i = frame.IndexOf(IdMarker);
            if (i < 0) return;
            var idStart = i + IdMarker.Length - "mreq_".Length;
            var idEnd = frame[idStart..].IndexOf((byte)'"');
            var id = Encoding.ASCII.GetString(frame.Slice(idStart, idEnd));
            if (_frameBytes == 0) Volatile.Write(ref _frameBytes, frame.Length + 2);
            if (Received.TryAdd(id, at)) Interlocked.Increment(ref _count);
        }
    }
}
