using System.Globalization;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Output;

/// <summary>Invariant, culture-free renderings shared by the human views.</summary>
internal static class Format
{
    public static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? Time(DateTimeOffset? value) => value is { } v ? Time(v) : null;

    public static string? Number(double? value) => value?.ToString(CultureInfo.InvariantCulture);

    /// <summary>"request-only (surfaces: image, video; models: any)", enough to see at a glance what a run may do.</summary>
    public static string Policy(MediaExecutionPolicy policy)
    {
        var surfaces = policy.AllowedSurfaces is { Count: > 0 } s ? string.Join(", ", s) : "any";
        var models = policy.AllowedModels is { Count: > 0 } m ? string.Join(", ", m) : "any";
        var executor = policy.ExternalExecutor is { } e ? $"; executor: {e.Id ?? e.Kind} {e.Endpoint}" : "";
        return $"{policy.Mode} (surfaces: {surfaces}; models: {models}{executor})";
    }
}
