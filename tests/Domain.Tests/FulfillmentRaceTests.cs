using System.Security.Cryptography;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>
/// Parallel fulfilments on the real file system: placing a file never replaces another one, every request keeps its
/// own bytes, and a fulfilment that loses removes only the file it placed itself.
/// </summary>
public sealed class FulfillmentRaceTests : IAsyncLifetime
{
    private const int Parallel = 50;
    private const int Rounds = 10;
    private readonly DomainHarness _h = new();
    private Project _project = null!;
    private RunCreated _run = null!;

    public async ValueTask InitializeAsync() => (_project, _run) = await _h.NewRunAsync();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private string ProjectDir => _h.ProjectDir(_project.Id);

    [Fact]
    public async Task Fifty_requests_for_one_output_name_each_keep_exactly_their_own_bytes()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var output = $"shared-{round}.png";
            var requests = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => _h.NewRequestAsync(_run, output: output)));
            var bytes = Enumerable.Range(0, Parallel).Select(i => Distinct((round * 1000) + i)).ToArray();

            // Stage every upload first, then commit all at once: the placements meet at the same names together,
            // as uploads that finish at the same moment do.
            var staged = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(i =>
                _h.Fulfillment.StageAsync(requests[i], new MemoryStream(bytes[i]), "image/png", null, CancellationToken.None)));
            var fulfilled = await AllAtOnceAsync(Parallel, i => _h.Fulfillment.CommitStagedAsync(requests[i].Id, staged[i]));

            for (var i = 0; i < Parallel; i++)
            {
                var recorded = _h.Requests.Get(requests[i].Id).FulfilledFile!;
                Assert.True(fulfilled[i].Changed);
                Assert.Equal(fulfilled[i].Request.FulfilledFile, recorded);
                Assert.Equal(Sha(bytes[i]), recorded.Sha256);
                Assert.Equal(Sha(bytes[i]), Sha(await File.ReadAllBytesAsync(Path.Combine(ProjectDir, recorded.Path))));
            }
            var stem = Path.GetFileNameWithoutExtension(output);
            string[] expected = [output, .. Enumerable.Range(2, Parallel - 1).Select(n => $"{stem}-{n}.png")];
            Assert.Equal(expected.Order(StringComparer.Ordinal), requests.Select(r => _h.Requests.Get(r.Id).FulfilledFile!.Path).Order(StringComparer.Ordinal));
            Assert.Equal(Parallel * (round + 1), _h.ProjectFiles(_project.Id).Length);
            Assert.Empty(_h.StagingFiles());
        }
    }

    [Fact]
    public async Task Fifty_fulfilments_of_one_request_leave_the_winners_file_and_nothing_else()
    {
        var kept = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var request = await _h.NewRequestAsync(_run, output: $"race-{round}.png");
            var bytes = Enumerable.Range(0, Parallel).Select(i => Distinct((round * 1000) + i)).ToArray();

            var staged = await Task.WhenAll(bytes.Select(b => _h.Fulfillment.StageAsync(request, new MemoryStream(b), "image/png", null, CancellationToken.None)));
            var attempts = await AllAtOnceAsync(Parallel, async i =>
            {
                try
                {
                    return (Ok: (await _h.Fulfillment.CommitStagedAsync(request.Id, staged[i])).Changed, Code: (string?)null);
                }
                catch (DomainException e)
                {
                    return (Ok: false, Code: e.Code);
                }
            });

            var winner = Assert.Single(Enumerable.Range(0, Parallel), i => attempts[i].Ok);
            Assert.All(attempts.Where((_, i) => i != winner), a => Assert.Equal(ErrorCodes.MediaRequestTerminal, a.Code));
            var recorded = _h.Requests.Get(request.Id).FulfilledFile!;
            Assert.Equal(Sha(bytes[winner]), recorded.Sha256);
            Assert.Equal(bytes[winner], await File.ReadAllBytesAsync(Path.Combine(ProjectDir, recorded.Path)));
            // Every loser placed a file too (race-N-2.png, …) and must have removed exactly that one.
            kept.Add(recorded.Path);
            Assert.Equal(kept.Order(StringComparer.Ordinal), _h.ProjectFiles(_project.Id));
            Assert.Empty(_h.StagingFiles());
        }
    }

    [Fact]
    public async Task A_commit_retried_after_a_crash_between_placing_and_recording_recognises_its_own_file()
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");
        var png = Distinct(1);
        var staged = await _h.Fulfillment.StageAsync(request, new MemoryStream(png), "image/png", null, CancellationToken.None);
        // The first attempt got as far as the hard link, then the process died.
        Assert.Equal(0, UnixFiles.LinkNoReplace(Path.Combine(_h.Options.StagingDir, staged.Name), Path.Combine(ProjectDir, "poster.png")));

        var (fulfilled, changed) = await _h.Fulfillment.CommitStagedAsync(request.Id, staged);

        Assert.True(changed);
        Assert.Equal("poster.png", fulfilled.FulfilledFile!.Path);
        Assert.Equal(["poster.png"], _h.ProjectFiles(_project.Id));
        Assert.Equal(png, await File.ReadAllBytesAsync(Path.Combine(ProjectDir, "poster.png")));
        Assert.Empty(_h.StagingFiles());
    }

    [Fact]
    public async Task An_identical_file_placed_by_someone_else_is_never_taken_over()
    {
        var png = Distinct(2);
        await File.WriteAllBytesAsync(Path.Combine(ProjectDir, "poster.png"), png);
        var request = await _h.NewRequestAsync(_run, output: "poster.png");

        var (fulfilled, _) = await Upload(request.Id, png);

        Assert.Equal("poster-2.png", fulfilled.FulfilledFile!.Path);
        Assert.Equal(["poster-2.png", "poster.png"], _h.ProjectFiles(_project.Id));
    }

    /// <summary>Starts every call on its own thread behind one gate, so they really run at the same time.</summary>
    private static async Task<T[]> AllAtOnceAsync<T>(int count, Func<int, Task<T>> call)
    {
        using var gate = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, count)
            .Select(i => Task.Factory.StartNew(() => { gate.Wait(); return call(i); }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())
            .ToArray();
        gate.Set();
        return await Task.WhenAll(tasks);
    }

    private Task<(MediaRequest Request, bool Changed)> Upload(string id, byte[] bytes) =>
        _h.Fulfillment.FulfillWithUploadAsync(id, new MemoryStream(bytes), "image/png", null, CancellationToken.None);

    /// <summary>PNG-looking bytes that differ for every seed.</summary>
    private static byte[] Distinct(int seed) => [0x89, (byte)'P', (byte)'N', (byte)'G', .. BitConverter.GetBytes(seed), .. new byte[64 + (seed % 7)]];

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
