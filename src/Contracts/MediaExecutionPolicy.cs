using System.Text.Json.Serialization;

namespace OpenDesign.Workflows.Contracts;

/// <summary>The run-scoped media policy, as callers send it and as the service echoes it back.</summary>
public sealed record MediaExecutionPolicy(
    [property: JsonConverter(typeof(LenientStringConverter))] string Mode,
    IReadOnlyList<string>? AllowedSurfaces = null,
    IReadOnlyList<string>? AllowedModels = null,
    ExternalExecutorRef? ExternalExecutor = null)
{
    public static MediaExecutionPolicy Default { get; } = new(MediaExecutionModes.Enabled);
}

/// <summary>A generic HTTP media executor. Secrets never travel here: auth names an environment variable.</summary>
public sealed record ExternalExecutorRef(
    string Kind,
    string Endpoint,
    string? Id = null,
    string? CancelEndpoint = null,
    ExecutorAuth? Auth = null);

public sealed record ExecutorAuth(string Kind, string? Env = null, string? Header = null);

public static class MediaExecutionModes
{
    public const string Enabled = "enabled";
    public const string Disabled = "disabled";
    public const string RequestOnly = "request-only";
    public const string External = "external";

    public static IReadOnlyList<string> All { get; } = [Enabled, Disabled, RequestOnly, External];
}

public static class MediaSurfaces
{
    public const string Image = "image";
    public const string Video = "video";
    public const string Audio = "audio";

    public static IReadOnlyList<string> All { get; } = [Image, Video, Audio];
}

public static class ExecutorAuthKinds
{
    public const string None = "none";
    public const string BearerEnv = "bearer-env";
    public const string HeaderEnv = "header-env";
}
