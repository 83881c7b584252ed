namespace OpenDesign.Workflows.Activities.Providers;

/// <summary>The registered adapters by provider id; <see cref="Get"/> refuses a provider without usable credentials.</summary>
public sealed class MediaProviders(IEnumerable<IMediaProvider> providers, MediaCredentials credentials) : IMediaProviders
{
    private readonly Dictionary<string, IMediaProvider> _byId = providers.ToDictionary(p => p.Id, StringComparer.Ordinal);

    public IMediaProvider Get(string providerId)
    {
        if (!_byId.TryGetValue(providerId, out var provider))
        {
            throw new ProviderException(ProviderFailureKind.Rejected, providerId, $"no media provider {providerId} in this service");
        }
        var credential = credentials.For(providerId);
        if (!credential.Configured)
        {
            throw new ProviderException(ProviderFailureKind.NotConfigured, providerId, credentials.NotConfiguredMessage(credential));
        }
        return provider;
    }

}
