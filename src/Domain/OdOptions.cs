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

    public string ProjectsDir => Path.Combine(DataDir, "projects");

    public string StagingDir => Path.Combine(DataDir, "staging");

    public string DatabasePath => Path.Combine(DataDir, "app.sqlite");
}
