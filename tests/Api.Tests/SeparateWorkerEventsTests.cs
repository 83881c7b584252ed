using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>
/// With the worker in another process (Temporal:Worker=off), events that process writes still reach this service's
/// live streams, in order and without gaps.
/// </summary>
public sealed class SeparateWorkerEventsTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task Events_written_by_another_process_reach_live_followers_in_order()
    {
        using var app = new OdApp(_dir.Path, settings: new Dictionary<string, string?> { ["Temporal:Worker"] = "off" });
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        using var stream = await SseClient.OpenAsync(api.Http, $"/api/runs/{run.RunId}/events");

        // "The worker process": the same domain over the same data root, with a writer of its own.
        await using var worker = new ServiceCollection().AddLogging()
            .AddOpenDesignDomain(new OdOptions { DataDir = _dir.Path }).BuildServiceProvider();
        var mine = await api.GenerateOkAsync(run.ToolToken);
        var now = DateTimeOffset.UtcNow;
        var theirs = await worker.GetRequiredService<MediaRequestTransitions>().CreateAsync(mine with { Id = Ids.NewMediaRequestId(), CreatedAt = now, UpdatedAt = now });
        var mineAgain = await api.GenerateOkAsync(run.ToolToken);

        var frames = await SseClient.TakeAsync(stream, 3, TimeSpan.FromSeconds(15));
        Assert.Equal(["1", "2", "3"], frames.Select(f => f.Id));
        Assert.Contains(mine.Id, frames[0].Data, StringComparison.Ordinal);
        Assert.Contains(theirs.Id, frames[1].Data, StringComparison.Ordinal);
        Assert.Contains(mineAgain.Id, frames[2].Data, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
