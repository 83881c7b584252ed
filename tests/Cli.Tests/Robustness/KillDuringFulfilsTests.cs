using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Tests.Shared;
using static OpenDesign.Workflows.Cli.Tests.ServiceCalls;

namespace OpenDesign.Workflows.Cli.Tests.Robustness;

/// <summary>
/// kill -9 of the real service process while 1 MB uploads are fulfilling request-only requests: every fulfil answered
/// 200 holds exactly the bytes sent, no request is left between states, every file in the project belongs to a
/// fulfilled request, and the staged uploads the crash left behind are swept at the next start.
/// </summary>
public sealed class KillDuringFulfilsTests
{
    private const int Requests = 48;
    private const int Uploaders = 6;
    private const int KillAfterFulfilled = 12;
    // Uploads that send half their bytes and then wait: they are sure to be mid-stream when the kill lands.
    private const int Stalled = 3;
    private const int Size = 1024 * 1024;

    private static readonly Dictionary<string, string> Settings = new()
    {
        // Short, so the staged files the kill leaves are old enough to sweep a few seconds after the restart.
        ["Od__StagingMaxAge"] = "00:00:03",
    };

    [Fact]
    public async Task Fulfils_survive_kill_9_whole_or_not_at_all_and_the_abandoned_staged_uploads_are_swept()
    {
        var ct = TestContext.Current.CancellationToken;
        var service = await ServiceProcess.StartAsync(Settings);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var bytes = new Dictionary<string, byte[]>();
            string projectDir;
            var staging = Path.Combine(service.DataDir, "staging");
            var acknowledged = new ConcurrentDictionary<string, FulfilledFile>();
            var unexpected = new ConcurrentBag<string>();
            List<string> partsAfterKill;
            using (var http = new HttpClient { BaseAddress = new Uri(service.Url), Timeout = Timeout.InfiniteTimeSpan })
            {
                var (projectId, run) = await CreateRunAsync(http, "kill during fulfils");
                projectDir = (await ReadAsync(await http.GetAsync($"/api/projects/{projectId}", ct), HttpStatusCode.OK, OdJsonContext.Default.Project)).Dir;
                var random = new Random(12);
                for (var i = 0; i < Requests; i++)
                {
                    var request = await GenerateAsync(http, run.ToolToken, $$"""{"surface":"image","prompt":"frame {{i}}","output":"frame-{{i}}.png"}""");
                    var data = new byte[Size];
                    random.NextBytes(data);
                    Png.CopyTo(data, 0);
                    bytes[request.Id] = data;
                }
                var ids = bytes.Keys.ToList();

                var stalled = ids.Take(Stalled).Select(id => Task.Run(async () =>
                {
                    try
                    {
                        using var response = await http.PostAsync($"/api/media-requests/{id}/fulfill", new HalfThenWait(bytes[id], release.Task));
                        unexpected.Add($"stalled upload {id} was answered {(int)response.StatusCode}");
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                    {
                        // Cut by the kill, as intended.
                    }
                })).ToList();
                // The half-sent uploads are being staged before anything else happens.
                for (var i = 0; i < 600 && PartFiles(staging).Count < Stalled; i++) await Task.Delay(20, ct);
                Assert.True(PartFiles(staging).Count >= Stalled, "the stalled uploads were never staged");

                var current = service;
                var answered = 0;
                var queue = new ConcurrentQueue<string>(ids.Skip(Stalled));
                var uploaders = Enumerable.Range(0, Uploaders).Select(_ => Task.Run(async () =>
                {
                    while (queue.TryDequeue(out var id))
                    {
                        HttpAnswer answer;
                        try
                        {
                            var content = new ByteArrayContent(bytes[id]);
                            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                            answer = await HttpAnswer.ReadAsync(await http.PostAsync($"/api/media-requests/{id}/fulfill", content));
                        }
                        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                        {
                            return;
                        }
                        if (answer.Status != HttpStatusCode.OK)
                        {
                            unexpected.Add($"fulfil {id}: {(int)answer.Status} {answer.Body}");
                            return;
                        }
                        var file = System.Text.Json.JsonSerializer.Deserialize(answer.Body, OdJsonContext.Default.MediaRequest)!.FulfilledFile!;
                        acknowledged[id] = file;
                        // Killed at once by the uploader that saw the answer, while the others are mid-upload.
                        if (Interlocked.Increment(ref answered) == KillAfterFulfilled) current.Kill();
                    }
                })).ToList();
                await Task.WhenAll(uploaders);
                await service.KillAsync();
                release.TrySetResult();
                await Task.WhenAll(stalled);
                // What the crash left: at least the stalled uploads' staged files.
                partsAfterKill = PartFiles(staging);
            }
            Assert.Empty(unexpected);
            Assert.True(acknowledged.Count >= KillAfterFulfilled, $"only {acknowledged.Count} fulfils were answered before the uploaders stopped");
            Assert.True(partsAfterKill.Count >= Stalled, $"{partsAfterKill.Count} staged files after the kill; the {Stalled} stalled uploads leave one each");

            service = await service.RestartAsync();
            using var after = new HttpClient { BaseAddress = new Uri(service.Url) };
            // The staged files the crash left are swept once they are older than Od:StagingMaxAge, and with them any
            // project name an upload got before the kill let it be recorded.
            for (var i = 0; i < 300 && PartFiles(staging).Count > 0; i++) await Task.Delay(50, ct);
            Assert.Empty(PartFiles(staging));
            var recorded = new Dictionary<string, string>();
            foreach (var (id, sent) in bytes)
            {
                var request = await GetRequestAsync(after, id);
                var sha = Convert.ToHexStringLower(SHA256.HashData(sent));
                if (acknowledged.TryGetValue(id, out var answered))
                {
                    Assert.True(request.Status == MediaRequestStatuses.Fulfilled, $"{id} was answered fulfilled but is {request.Status} after the restart");
                    Assert.Equal(answered, request.FulfilledFile);
                }
                else
                {
                    Assert.Contains(request.Status, new[] { MediaRequestStatuses.Requested, MediaRequestStatuses.Fulfilled });
                }
                if (request.Status != MediaRequestStatuses.Fulfilled)
                {
                    Assert.Null(request.FulfilledFile);
                    continue;
                }
                Assert.Equal((sha, (long)Size, "image/png"), (request.FulfilledFile!.Sha256, request.FulfilledFile.Size, request.FulfilledFile.Mime));
                var stored = await File.ReadAllBytesAsync(Path.Combine(projectDir, request.FulfilledFile.Path), ct);
                Assert.True(sent.AsSpan().SequenceEqual(stored),
                    $"{request.FulfilledFile.Path} does not hold the bytes sent for {id}");
                recorded[request.FulfilledFile.Path] = id;
            }
            // No partial or unrecorded file in the project: each one is a fulfilled request's file.
            var onDisk = Directory.EnumerateFiles(projectDir, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(projectDir, p)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(recorded.Keys.Order(StringComparer.Ordinal), onDisk);

            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{acknowledged.Count} acknowledged fulfils, {recorded.Count} fulfilled after restart, {onDisk.Count} files checked, {partsAfterKill.Count} staged files after the kill, all swept");
        }
        finally
        {
            release.TrySetResult();
            await service.DisposeAsync();
        }
    }

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static List<string> PartFiles(string staging) =>
        Directory.Exists(staging) ? Directory.EnumerateFiles(staging, "*.part").ToList() : [];

    /// <summary>An image/png body of known length that sends its first half, then waits until released.</summary>
    private sealed class HalfThenWait : HttpContent
    {
        private readonly byte[] data;
        private readonly Task release;

        public HalfThenWait(byte[] data, Task release)
        {
            this.data = data;
            this.release = release;
            Headers.ContentType = new MediaTypeHeaderValue("image/png");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(data.AsMemory(0, data.Length / 2));
            await stream.FlushAsync();
            await release;
            throw new IOException("released after the kill");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }
}
