using OpenDesign.Workflows.Temporal.Testing;

namespace OpenDesign.Workflows.Temporal.TestServer.Tests;

// Uses its own in-process server with time skipping on: the clock jumps to the next timer whenever
// nothing is running and someone awaits a workflow result.
public sealed class TimeSkippingTests : IAsyncLifetime
{
    private TemporalTestEnvironment? _env;

    public async ValueTask InitializeAsync() =>
        _env = await TemporalTestEnvironment.StartAsync(new() { TimeSkipping = true, Kind = TemporalTestServerKind.InProcess });

    public async ValueTask DisposeAsync()
    {
        if (_env is not null)
        {
            await _env.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_one_hour_deadline_passes_in_milliseconds()
    {
        var env = _env!;
        Assert.True(env.SupportsTimeSkipping);
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var handle = await WorkerHarness.RunAsync(env.Client, queue, new TestActivities(), async () =>
        {
            var h = await env.Client.StartWorkflowAsync((DeadlineWorkflow w) => w.RunAsync(TimeSpan.FromHours(1)), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            Assert.Equal("deadline after 60 min", await h.GetResultAsync());
            return h;
        });
        // The server's count of skipped time, not a stopwatch, shows the hour was skipped rather than waited for.
        Assert.True(env.Server!.SkippedTime >= TimeSpan.FromMinutes(59), $"skipped only {env.Server.SkippedTime}");
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task Time_does_not_skip_while_nobody_awaits_a_result_so_a_signal_can_still_win()
    {
        var env = _env!;
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var skippedBefore = env.Server!.SkippedTime;
        await WorkerHarness.RunAsync(env.Client, queue, new TestActivities(), async () =>
        {
            var h = await env.Client.StartWorkflowAsync((DeadlineWorkflow w) => w.RunAsync(TimeSpan.FromHours(1)), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            // Once the workflow's one-hour timer exists, a server that skipped without a result waiter would already
            // have fired it; it must still be pending, with no time skipped, when the signal arrives.
            await ActivityAndSignalTests.WaitUntilAsync(async () =>
                (await h.FetchHistoryAsync()).Events.Any(e => e.EventType == Temporalio.Api.Enums.V1.EventType.TimerStarted));
            Assert.Equal(TimeSpan.Zero, env.Server!.SkippedTime - skippedBefore);
            await h.SignalAsync(w => w.FulfilAsync());
            Assert.Equal("fulfilled", await h.GetResultAsync());
            return 0;
        });
    }
}
