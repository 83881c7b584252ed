namespace OpenDesign.Workflows.Api.OpenApi;

/// <summary>The three bearer credentials of the API, as the document names them.</summary>
internal static class AuthSchemes
{
    public sealed record Scheme(string Id, string Format, string Description);

    public static readonly Scheme Admin = new("adminToken", "OD_API_TOKEN",
        "The service's admin token (`OD_API_TOKEN`). Callers on loopback may send no credential at all; any credential sent is always checked.");

    public static readonly Scheme Tool = new("toolToken", "odtt_…",
        "A run's tool token (`odtt_…`, given once when the run is created): the agent's credential, limited to its own run and to the operations it was granted.");

    public static readonly Scheme Callback = new("callbackToken", "odcb_…",
        "The per-request callback token an external executor received with the submission; valid only on that request's fulfil, fail and progress routes.");

    public static IReadOnlyList<Scheme> All { get; } = [Admin, Tool, Callback];
}
