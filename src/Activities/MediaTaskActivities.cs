using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.MediaTasks;
using OpenDesign.Workflows.Workflows;
using Temporalio.Activities;
using Temporalio.Exceptions;

namespace OpenDesign.Workflows.Activities;

/// <summary>
/// The media-task workflow's side effects. A provider writes its bytes straight into a staging file; they reach the
/// project only through <see cref="FulfillmentService"/>'s sealing (size, sha256, kind) and no-overwrite placement.
/// Provider failures become activity failures whose type tells the workflow's retry policy what to do.
/// </summary>
public sealed class MediaTaskActivities(
    MediaTaskStore tasks,
    MediaTaskTransitions transitions,
    FulfillmentService fulfillment,
    IMediaProviders providers,
    TimeProvider clock,
    ILogger<MediaTaskActivities> logger) : IMediaTaskActivities
{
    public async Task<ProviderOutcome> StartAsync(string taskId)
    {
        var task = Open(taskId);
        await transitions.MarkRunningAsync(taskId);
        return await CallAsync(task, (provider, output, ct) => provider.StartAsync(JobOf(task), output, ct));
    }

    public Task<ProviderOutcome> PollAsync(string taskId, string jobId)
    {
        var task = Open(taskId);
        return CallAsync(task, (provider, output, ct) => provider.PollAsync(JobOf(task), jobId, output, ct));
    }

    public Task RecordProgressAsync(string taskId, int sequence, string line) =>
        transitions.AppendProgressAsync(taskId, $"{taskId}:progress:{sequence}", line);

    public async Task<string> CommitAsync(string taskId, StagedFile file)
    {
        try
        {
            var task = tasks.Get(taskId);
            // Already done (a retry after the record was written) or ended another way: nothing left to commit.
            if (MediaTaskStatuses.IsTerminal(task.Status)) return task.Status;
            return await fulfillment.PlaceAndRecordAsync(file, task.ProjectId, task.RequestedOutput, async name =>
            {
                var meta = new MediaTaskFile(name, file.Size, clock.GetUtcNow().ToUnixTimeMilliseconds(), MediaTypes.KindOf(file.Mime) ?? task.Surface,
                    file.Mime, task.Model, task.Surface, task.ProviderId, file.Sha256);
                var (done, _) = await transitions.CompleteAsync(taskId, meta);
                return (done.Status, done.File?.Name);
            });
        }
        catch (DomainException e) when (e.Kind is DomainErrorKind.Invalid or DomainErrorKind.Conflict)
        {
            // The task ended another way meanwhile, or the staged bytes are gone: the task fails with the reason.
            logger.LogWarning("Media task {TaskId} could not be committed: {Reason}", taskId, e.Message);
            return (await transitions.FailOnceAsync(taskId, new MediaTaskError(e.Message, Code: e.Code))).Status;
        }
        finally
        {
            fulfillment.Discard(file);
        }
    }

    public async Task<string> FailAsync(string taskId, MediaTaskError error) => (await transitions.FailOnceAsync(taskId, error)).Status;

    public async Task CancelAtProviderAsync(string taskId, string jobId)
    {
        var task = tasks.Get(taskId);
        try
        {
            await providers.Get(task.ProviderId).CancelAsync(jobId, ActivityExecutionContext.Current.CancellationToken);
        }
        catch (ProviderException e)
        {
            throw new ApplicationFailureException($"the provider could not be told to cancel: {e.Message}", MediaTaskFailureTypes.Transient);
        }
    }

    /// <summary>The task, unless it has already ended: then no provider is called again.</summary>
    private MediaTask Open(string taskId)
    {
        var task = tasks.Get(taskId);
        if (MediaTaskStatuses.IsTerminal(task.Status))
        {
            throw new ApplicationFailureException($"the media task is already {task.Status}", MediaTaskFailureTypes.Unusable, nonRetryable: true);
        }
        return task;
    }

    private async Task<ProviderOutcome> CallAsync(MediaTask task, Func<IMediaProvider, Stream, CancellationToken, Task<ProviderStep>> call)
    {
        var ct = ActivityExecutionContext.Current.CancellationToken;
        var (name, path) = fulfillment.NewStagedPath();
        ProviderStep step;
        try
        {
            var provider = providers.Get(task.ProviderId);
            await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            // A provider call can take minutes (image generation, a download). Heartbeats while it runs let the engine
            // notice a worker that died mid-call within the heartbeat timeout and retry it on another, instead of
            // waiting out the whole start-to-close timeout (see ActivityPolicies.Provider).
            using var heartbeats = new CancellationTokenSource();
            var beating = HeartbeatUntilAsync(heartbeats.Token);
            try
            {
                step = await call(provider, output, ct);
            }
            finally
            {
                await heartbeats.CancelAsync();
                await beating;
            }
        }
        catch (ProviderException e)
        {
            File.Delete(path);
            throw Failure(e);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        if (step is ProviderStep.Pending pending)
        {
            File.Delete(path);
            return new ProviderOutcome(null, pending.JobId, pending.Progress, pending.Percent, pending.PollAfter);
        }
        var finished = (ProviderStep.Finished)step;
        try
        {
            return new ProviderOutcome(await fulfillment.SealWrittenAsync(name, finished.MimeType, task.RequestedOutput, task.Surface, ct));
        }
        catch (DomainException e)
        {
            throw new ApplicationFailureException($"the provider's result was refused: {e.Message}", MediaTaskFailureTypes.Unusable, nonRetryable: true);
        }
    }

    /// <summary>Well inside the provider activities' 30 s heartbeat timeout (ActivityPolicies.Provider).</summary>
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(5);

    /// <summary>Heartbeats every <see cref="HeartbeatEvery"/> until stopped (the SDK throttles what it sends).</summary>
    private static async Task HeartbeatUntilAsync(CancellationToken stop)
    {
        var context = ActivityExecutionContext.Current;
        using var timer = new PeriodicTimer(HeartbeatEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) context.Heartbeat();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private ApplicationFailureException Failure(ProviderException e)
    {
        logger.LogWarning("Provider {Provider} failed ({Kind}): {Reason}", e.ProviderId, e.Kind, e.Message);
        return e.Kind switch
        {
            ProviderFailureKind.NotConfigured => new ApplicationFailureException(e.Message, MediaTaskFailureTypes.NotConfigured, nonRetryable: true),
            ProviderFailureKind.Rejected => new ApplicationFailureException(e.Message, MediaTaskFailureTypes.Rejected, nonRetryable: true),
            ProviderFailureKind.RateLimited => new ApplicationFailureException(e.Message, MediaTaskFailureTypes.RateLimited, nextRetryDelay: e.RetryAfter),
            _ => new ApplicationFailureException(e.Message, MediaTaskFailureTypes.Transient),
        };
    }

    private static ProviderJob JobOf(MediaTask task) =>
        new(task.TaskId, task.Surface, task.Model, task.Prompt, task.Aspect, task.Length, task.Duration, task.Voice, task.AudioKind, task.Language);
}
