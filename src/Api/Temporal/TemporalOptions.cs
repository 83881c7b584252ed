namespace OpenDesign.Workflows.Api.Temporal;

/// <summary>The <c>Temporal</c> configuration section.</summary>
public sealed class TemporalOptions
{
    /// <summary>host:port of a Temporal frontend. Empty: start the SDK's local dev server (when <see cref="Embedded"/>).</summary>
    public string? Address { get; set; }

    public string Namespace { get; set; } = "default";

    public string TaskQueue { get; set; } = "od-media";

    /// <summary>A <c>temporal</c> CLI (or a compatible dev server) to launch instead of letting the SDK download one.</summary>
    public string? CliPath { get; set; }

    /// <summary>Whether to start a local dev server when no address is configured.</summary>
    public bool Embedded { get; set; } = true;

    /// <summary><c>on</c> (default): this process hosts the worker; <c>off</c>: another process does; <c>only</c>: this process is just a worker.</summary>
    public string Worker { get; set; } = "on";

    public bool RunsWorker => !Worker.Equals("off", StringComparison.OrdinalIgnoreCase);

    public bool WorkerOnly => Worker.Equals("only", StringComparison.OrdinalIgnoreCase);
}
