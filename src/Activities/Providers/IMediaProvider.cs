namespace OpenDesign.Workflows.Activities.Providers;

/// <summary>
/// One media provider (OpenAI, Replicate, ...) behind the service's enabled mode. A provider either finishes at once
/// (images, speech) or hands back a job to poll (video, Replicate predictions). Output bytes are written to the stream
/// the caller gives, never returned, so they never pass through a workflow history. Credentials are the adapter's own
/// business: they are never part of a <see cref="ProviderJob"/>, a step, an exception message or a log line.
/// </summary>
public interface IMediaProvider
{
    /// <summary>The catalog's provider id, e.g. <c>openai</c>.</summary>
    string Id { get; }

    /// <summary>Starts the job. <see cref="ProviderStep.Finished"/> means <paramref name="output"/> now holds the whole result.</summary>
    /// <exception cref="ProviderException">Refused, rate limited, failing upstream, or not configured.</exception>
    Task<ProviderStep> StartAsync(ProviderJob job, Stream output, CancellationToken cancellationToken);

    /// <summary>Asks about a job <see cref="StartAsync"/> left pending; when it has finished, its content is written to <paramref name="output"/>.</summary>
    /// <exception cref="ProviderException">The job failed or was cancelled upstream, or the provider cannot be reached.</exception>
    Task<ProviderStep> PollAsync(ProviderJob job, string jobId, Stream output, CancellationToken cancellationToken);

    /// <summary>Best-effort cancel of a pending job (the task was cancelled).</summary>
    Task CancelAsync(string jobId, CancellationToken cancellationToken);
}

/// <summary>What the provider is asked to make. <see cref="Model"/> is the catalog id; the adapter maps it to its own.</summary>
public sealed record ProviderJob(
    string TaskId,
    string Surface,
    string Model,
    string Prompt,
    string? Aspect = null,
    double? Length = null,
    double? Duration = null,
    string? Voice = null,
    string? AudioKind = null,
    string? Language = null);

/// <summary>Where a provider job stands after a start or a poll.</summary>
public abstract record ProviderStep
{
    private ProviderStep() { }

    /// <summary>The result was written to the output stream. <paramref name="MimeType"/> is what the provider said it is, if it said.</summary>
    public sealed record Finished(string? MimeType) : ProviderStep;

    /// <summary>Still working: poll <paramref name="JobId"/> again, after <paramref name="PollAfter"/> when the provider says.</summary>
    public sealed record Pending(string JobId, string? Progress = null, double? Percent = null, TimeSpan? PollAfter = null) : ProviderStep;
}

/// <summary>Why a provider call did not succeed; the kind decides whether the task retries, and the message is safe to show.</summary>
public enum ProviderFailureKind
{
    /// <summary>No credentials for this provider (a 503-class refusal naming the provider); not retried.</summary>
    NotConfigured,
    /// <summary>The provider refused the job (4xx other than 429, a failed or cancelled job); not retried.</summary>
    Rejected,
    /// <summary>429: retried, after <see cref="ProviderException.RetryAfter"/> when the provider said.</summary>
    RateLimited,
    /// <summary>5xx, a timeout or a broken connection: retried.</summary>
    Transient,
}

/// <summary>A provider failure. The message comes from the provider's answer or names the provider; it never holds a credential.</summary>
public sealed class ProviderException(ProviderFailureKind kind, string providerId, string message, int? providerStatus = null, TimeSpan? retryAfter = null)
    : Exception(message)
{
    public ProviderFailureKind Kind { get; } = kind;
    public string ProviderId { get; } = providerId;
    /// <summary>The provider's HTTP status, when there was one.</summary>
    public int? ProviderStatus { get; } = providerStatus;
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public bool IsRetryable => Kind is ProviderFailureKind.RateLimited or ProviderFailureKind.Transient;
}

/// <summary>The configured providers, looked up by catalog provider id.</summary>
public interface IMediaProviders
{
    /// <summary>The adapter for <paramref name="providerId"/>.</summary>
    /// <exception cref="ProviderException">Kind <see cref="ProviderFailureKind.NotConfigured"/> when it has no credentials.</exception>
    IMediaProvider Get(string providerId);
}
