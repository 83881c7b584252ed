using System.Collections.Concurrent;
using System.Text;
using OpenDesign.Workflows.Activities.Providers;

namespace OpenDesign.Workflows.Api.Tests.MediaTasks;

/// <summary>
/// A stand-in for every media provider, scripted by the task's prompt, so each scenario is one generate call and no
/// network is touched. It records every call and the bytes it wrote, so tests derive what to expect from the script,
/// not from the service.
/// </summary>
public sealed class ScriptedProviders : IMediaProviders, IMediaProvider
{
    /// <summary>Finishes at once with <see cref="BytesFor"/>.</summary>
    public const string Finish = "finish";
    /// <summary>429 with Retry-After on the first start, then finishes.</summary>
    public const string RateLimitedOnce = "rate-limited-once";
    /// <summary>5xx at every start.</summary>
    public const string TransientForever = "transient-forever";
    /// <summary>A 400 from the provider.</summary>
    public const string Reject = "reject";
    /// <summary>Pending at start and at the first poll (with progress), finished at the second poll.</summary>
    public const string PendingTwice = "pending-twice";
    /// <summary>Pending forever, reporting "queued" once: what a cancel interrupts.</summary>
    public const string Hold = "hold";

    /// <summary>Pending (reporting "queued" once) until <see cref="Release"/>, then finished at the next poll.</summary>
    public const string UntilReleased = "until-released";

    public const string RejectMessage = "Your request was rejected by the safety system (prompt flagged)";

    private readonly ConcurrentDictionary<string, int> _starts = new();
    private readonly ConcurrentDictionary<string, int> _polls = new();

    private volatile bool _released;

    public string Id => "openai";

    /// <summary>Lets <see cref="UntilReleased"/> jobs finish.</summary>
    public void Release() => _released = true;

    public ConcurrentQueue<(string Call, string TaskId)> Calls { get; } = new();

    public ConcurrentQueue<string> Cancelled { get; } = new();

    public IMediaProvider Get(string providerId) => this;

    /// <summary>What the provider writes for a task: a PNG signature and text naming the task.</summary>
    public static byte[] BytesFor(string taskId) => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Encoding.UTF8.GetBytes("pixels of " + taskId)];

    public static string JobFor(string taskId) => "job-" + taskId;

    public int StartsOf(string taskId) => _starts.GetValueOrDefault(taskId);

    public int PollsOf(string taskId) => _polls.GetValueOrDefault(taskId);

    public async Task<ProviderStep> StartAsync(ProviderJob job, Stream output, CancellationToken cancellationToken)
    {
        var attempt = _starts.AddOrUpdate(job.TaskId, 1, (_, n) => n + 1);
        Calls.Enqueue(("start", job.TaskId));
        switch (job.Prompt)
        {
            case RateLimitedOnce when attempt == 1:
                throw new ProviderException(ProviderFailureKind.RateLimited, Id, "rate limited (429)", 429, TimeSpan.FromMilliseconds(200));
            case TransientForever:
                throw new ProviderException(ProviderFailureKind.Transient, Id, "the provider answered 503", 503);
            case Reject:
                throw new ProviderException(ProviderFailureKind.Rejected, Id, RejectMessage, 400);
            case PendingTwice:
                return new ProviderStep.Pending(JobFor(job.TaskId), "queued", 0, TimeSpan.FromMilliseconds(100));
            case Hold or UntilReleased:
                return new ProviderStep.Pending(JobFor(job.TaskId), "queued", PollAfter: TimeSpan.FromMilliseconds(100));
            default:
                await output.WriteAsync(BytesFor(job.TaskId), cancellationToken);
                return new ProviderStep.Finished("image/png");
        }
    }

    public async Task<ProviderStep> PollAsync(ProviderJob job, string jobId, Stream output, CancellationToken cancellationToken)
    {
        Assert.Equal(JobFor(job.TaskId), jobId);
        var poll = _polls.AddOrUpdate(job.TaskId, 1, (_, n) => n + 1);
        Calls.Enqueue(("poll", job.TaskId));
        if (job.Prompt == PendingTwice && poll == 1) return new ProviderStep.Pending(jobId, "rendering", 50, TimeSpan.FromMilliseconds(100));
        if (job.Prompt == Hold || (job.Prompt == UntilReleased && !_released)) return new ProviderStep.Pending(jobId, PollAfter: TimeSpan.FromMilliseconds(100));
        await output.WriteAsync(BytesFor(job.TaskId), cancellationToken);
        return new ProviderStep.Finished("image/png");
    }

    public Task CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        Cancelled.Enqueue(jobId);
        return Task.CompletedTask;
    }
}
