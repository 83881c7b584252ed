namespace OpenDesign.Workflows.Activities.Providers;

/// <summary>Where a provider's key came from, as the catalog reports it (Open Design's words).</summary>
public static class CredentialSources
{
    public const string Env = "env";
    public const string Stored = "stored";
    public const string Unset = "unset";
}

/// <summary>
/// One provider's resolved credentials. A class, not a record, so that no generated <c>ToString</c> or equality ever
/// prints the key: formatting it shows only where it came from.
/// </summary>
public sealed class ProviderCredential
{
    /// <summary>Below this length a key's last four characters would give away too much of it, so no tail is shown.</summary>
    private const int MinKeyLengthForTail = 8;

    internal ProviderCredential(string providerId, string? apiKey, string source, string baseUrl, string? problem)
    {
        ProviderId = providerId;
        ApiKey = apiKey;
        Source = source;
        BaseUrl = baseUrl;
        Problem = problem;
    }

    public string ProviderId { get; }

    /// <summary>The secret; only adapters read it, to put it in an Authorization header.</summary>
    internal string? ApiKey { get; }

    /// <summary><see cref="CredentialSources"/>: env, stored or unset.</summary>
    public string Source { get; }

    /// <summary>The base URL requests go to: media-config.json's <c>baseUrl</c>, else the provider's default.</summary>
    public string BaseUrl { get; }

    /// <summary>Why a present key cannot be used (a malformed stored baseUrl), else null.</summary>
    public string? Problem { get; }

    public bool Configured => ApiKey is not null && Problem is null;

    /// <summary>The last four characters of a stored key, as Open Design shows them; never for keys from the environment.</summary>
    public string? ApiKeyTail =>
        Source == CredentialSources.Stored && ApiKey is { Length: >= MinKeyLengthForTail } key ? key[^4..] : null;

    public override string ToString() => $"{ProviderId} credentials ({Source})";
}
