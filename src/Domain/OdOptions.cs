namespace OpenDesign.Workflows.Domain;

/// <summary>Settings with their defaults; see docs/configuration.md for the keys that set them.</summary>
public sealed class OdOptions
{
    /// <summary>Resolved, absolute, writable data root (OD_DATA_DIR, else &lt;projectRoot&gt;/.od).</summary>
    public string DataDir { get; set; } = "";

    public TimeSpan ToolTokenTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A token's stored expiry is rewritten only when it would move by at least this much, so sliding costs at most one write a minute per token.</summary>
    public TimeSpan ToolTokenSlideGranularity { get; set; } = TimeSpan.FromMinutes(1);

    public long MaxUploadBytes { get; set; } = 256L * 1024 * 1024;

    public int MaxJsonBodyBytes { get; set; } = 1024 * 1024;

    public int DefaultPageSize { get; set; } = 100;

    public int MaxPageSize { get; set; } = 500;

    public TimeSpan SseKeepAlive { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Bytes of event data a live SSE subscriber may have waiting; beyond it the stream ends with a resume frame.</summary>
    public long SseMaxBufferedBytes { get; set; } = 1024 * 1024;

    /// <summary>Events a live SSE subscriber may have waiting; beyond it the stream ends with a resume frame.</summary>
    public int SseMaxBufferedEvents { get; set; } = 1024;

    /// <summary>Bytes of event data per page an SSE replay (or the event tail) reads from the store; at least one event.</summary>
    public long SseReplayPageBytes { get; set; } = 256 * 1024;

    /// <summary>How long an external request may take from submission to an outcome before it fails with EXECUTOR_TIMEOUT.</summary>
    public TimeSpan ExternalDeadline { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a workflow polls an executor's statusUrl, so a lost callback does not lose the result.</summary>
    public TimeSpan StatusPollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a callback or cancel call waits for the workflow to record the outcome before answering 202.</summary>
    public TimeSpan CallbackWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a staged upload may sit unwritten before the sweeper removes it (0 turns sweeping off). It must outlast
    /// an external request's wait for its commit (see docs/configuration.md), hence a day by default.
    /// </summary>
    public TimeSpan StagingMaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Attempts of one media provider call (429, 5xx, transport failures) before its task fails with MEDIA_PROVIDER_FAILED.</summary>
    public int MediaProviderAttempts { get; set; } = 5;

    /// <summary>The delay before a provider call's first retry; later ones double, up to a minute. A 429's Retry-After wins.</summary>
    public TimeSpan MediaProviderRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a pending provider job (a video, a Replicate prediction) is polled when the provider does not say.</summary>
    public TimeSpan MediaPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The base URL executors call back on; empty means the service's first listen address.</summary>
    public string PublicBaseUrl { get; set; } = "";

    public string ProjectsDir => Path.Combine(DataDir, "projects");

    public string StagingDir => Path.Combine(DataDir, "staging");

    public string DatabasePath => Path.Combine(DataDir, "app.sqlite");
}
