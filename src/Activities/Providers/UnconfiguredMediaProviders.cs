namespace OpenDesign.Workflows.Activities.Providers;

/// <summary>
/// The stand-in until provider adapters are registered: every provider is not configured, so a task fails with a clear
/// message naming it instead of the worker failing to build its activities.
/// </summary>
internal sealed class UnconfiguredMediaProviders : IMediaProviders
{
    public IMediaProvider Get(string providerId) =>
        throw new ProviderException(ProviderFailureKind.NotConfigured, providerId, $"provider not configured: {providerId}");
}
