namespace OpenDesign.Workflows.Cli.Http;

/// <summary>The query part of a service URL; the paths themselves come from <see cref="Contracts.ApiRoutes"/>.</summary>
internal static class QueryString
{
    /// <summary>Builds <c>?a=1&amp;b=2</c> from the pairs whose value is set.</summary>
    public static string Of(params (string Name, string? Value)[] parameters)
    {
        var parts = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return parts.Length == 0 ? "" : "?" + string.Join('&', parts);
    }
}
