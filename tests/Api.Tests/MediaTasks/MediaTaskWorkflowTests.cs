using System.Collections.Concurrent;
using OpenDesign.Workflows.Api.Tests.External;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Temporal.Testing;
using OpenDesign.Workflows.Workflows;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace OpenDesign.Workflows.Api.Tests.MediaTasks;

/// <summary>
/// <see cref="MediaTaskWorkflow"/> alone, against stub activities that record what the workflow asked for: the order of
/// side effects for each outcome, and that every recorded history replays.
/// </summary>
[Collection(ExternalModeCollection.Name)]
public sealed class MediaTaskWorkflowTests(ExternalModeFixture fixture)
{
    private static readonly StagedFile Staged = new("0123456789abcdef0123456789abcdef.part", 3, "abc", "image/png");

    private readonly ITemporalClient _client = fixture.Temporal.Client;

    [Fact]
    public async Task A_finished_start_is_committed()
    {
        var stub = new StubActivities { Start = _ => new ProviderOutcome(Staged) };
        var (result, calls) = await RunAsync(stub);
        Assert.Equal(MediaTaskStatuses.Done, result);
        Assert.Equal(["start", "commit:" + Staged.Name], calls);
    }

    [Fact]
    public async Task A_pending_job_is_polled_with_its_progress_recorded_in_order_then_committed()
    {
        var stub = new StubActivities
        {
            Start = _ => new ProviderOutcome(null, "job-1", "queued", null, TimeSpan.FromMilliseconds(50)),
            Poll = n => n == 1 ? new ProviderOutcome(null, "job-1", null, 42.5) : new ProviderOutcome(Staged),
        };
        var (result, calls) = await RunAsync(stub);
        Assert.Equal(MediaTaskStatuses.Done, result);
        Assert.Equal(["start", "progress:1:queued", "poll:job-1", "progress:2:42.5%", "poll:job-1", "commit:" + Staged.Name], calls);
    }

    [Fact]
    public async Task A_rejection_fails_the_task_with_the_providers_message_and_no_retry()
    {
        var stub = new StubActivities
        {
            Start = _ => throw new ApplicationFailureException("prompt flagged", MediaTaskFailureTypes.Rejected, nonRetryable: true),
        };
        var (result, calls) = await RunAsync(stub);
        Assert.Equal(MediaTaskStatuses.Failed, result);
        Assert.Equal(["start", $"fail:{ErrorCodes.MediaProviderRejected}:prompt flagged"], calls);
    }

    [Fact]
    public async Task A_job_failing_while_pending_is_cancelled_upstream_once_and_fails_the_task()
    {
        var stub = new StubActivities
        {
            Start = _ => new ProviderOutcome(null, "job-7", PollAfter: TimeSpan.FromMilliseconds(50)),
            Poll = _ => throw new ApplicationFailureException("the job failed upstream", MediaTaskFailureTypes.Rejected, nonRetryable: true),
        };
        var (result, calls) = await RunAsync(stub);
        Assert.Equal(MediaTaskStatuses.Failed, result);
        Assert.Equal(["start", "poll:job-7", "cancel:job-7", $"fail:{ErrorCodes.MediaProviderRejected}:the job failed upstream"], calls);
    }

    [Fact]
    public async Task Cancelling_a_pending_task_cancels_the_job_once_then_fails_the_task_as_cancelled()
    {
        var stub = new StubActivities { Start = _ => new ProviderOutcome(null, "job-9", "queued", PollAfter: TimeSpan.FromMinutes(5)) };
        var queue = TemporalTestEnvironment.NewTaskQueue("media-task-wf");
        using var worker = new TemporalWorker(_client, new TemporalWorkerOptions(queue).AddWorkflow<MediaTaskWorkflow>().AddAllActivities<IMediaTaskActivities>(stub));
        var calls = await worker.ExecuteAsync(async () =>
        {
            var handle = await _client.StartWorkflowAsync((MediaTaskWorkflow wf) => wf.RunAsync(Input()), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            await Eventually.TrueAsync(() => Task.FromResult(stub.Calls.Contains("progress:1:queued")), "the job to be pending");
            await handle.CancelAsync();
            var failure = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync<string>());
            Assert.True(TemporalException.IsCanceledException(failure.InnerException!));
            await HistoryReplay.AssertReplaysAsync<MediaTaskWorkflow>(handle);
            return stub.Calls.ToList();
        });
        Assert.Equal(["start", "progress:1:queued", "cancel:job-9", $"fail:{ErrorCodes.Cancelled}:the media task was cancelled"], calls);
    }

    private async Task<(string Result, List<string> Calls)> RunAsync(StubActivities stub)
    {
        var queue = TemporalTestEnvironment.NewTaskQueue("media-task-wf");
        using var worker = new TemporalWorker(_client, new TemporalWorkerOptions(queue).AddWorkflow<MediaTaskWorkflow>().AddAllActivities<IMediaTaskActivities>(stub));
        return await worker.ExecuteAsync(async () =>
        {
            var handle = await _client.StartWorkflowAsync((MediaTaskWorkflow wf) => wf.RunAsync(Input()), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            var result = await handle.GetResultAsync<string>();
            await HistoryReplay.AssertReplaysAsync<MediaTaskWorkflow>(handle);
            return (result, stub.Calls.ToList());
        });
    }

    private static MediaTaskInput Input() =>
        new("mtask_wf", "run_wf", "proj_wf", ProviderAttempts: 2, ProviderRetryInterval: TimeSpan.FromMilliseconds(50), PollInterval: TimeSpan.FromMilliseconds(50), UseSearchAttributes: false);

    private sealed class StubActivities : IMediaTaskActivities
    {
        private int _polls;

        public Func<int, ProviderOutcome> Start { get; init; } = _ => throw new InvalidOperationException("no start scripted");
        public Func<int, ProviderOutcome> Poll { get; init; } = _ => throw new InvalidOperationException("no poll scripted");
        public ConcurrentQueue<string> Calls { get; } = new();

        public Task<ProviderOutcome> StartAsync(string taskId)
        {
            Calls.Enqueue("start");
            return Task.FromResult(Start(1));
        }

        public Task<ProviderOutcome> PollAsync(string taskId, string jobId)
        {
            Calls.Enqueue("poll:" + jobId);
            return Task.FromResult(Poll(Interlocked.Increment(ref _polls)));
        }

        public Task RecordProgressAsync(string taskId, int sequence, string line)
        {
            Calls.Enqueue($"progress:{sequence}:{line}");
            return Task.CompletedTask;
        }

        public Task<string> CommitAsync(string taskId, StagedFile file)
        {
            Calls.Enqueue("commit:" + file.Name);
            return Task.FromResult(MediaTaskStatuses.Done);
        }

        public Task<string> FailAsync(string taskId, MediaTaskError error)
        {
            Calls.Enqueue($"fail:{error.Code}:{error.Message}");
            return Task.FromResult(MediaTaskStatuses.Failed);
        }

        public Task CancelAtProviderAsync(string taskId, string jobId)
        {
            Calls.Enqueue("cancel:" + jobId);
            return Task.CompletedTask;
        }
    }
}
