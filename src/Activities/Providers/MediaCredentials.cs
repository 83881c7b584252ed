using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Domain.Catalog;

namespace OpenDesign.Workflows.Activities.Providers;

/// <summary>
/// Resolves provider credentials as Open Design does: the provider's environment variable first, then
/// <c>media-config.json</c> in the media config directory (<c>OD_MEDIA_CONFIG_DIR</c> &gt; <c>OD_DATA_DIR</c> &gt;
/// <c>&lt;projectRoot&gt;/.od</c>). The file is read when a credential is asked for and re-read only when its size or
/// write time changes, so a key added while the service runs is used by the next call without a restart.
/// </summary>
public sealed class MediaCredentials(Func<string, string?> settings, string configDir, ILogger<MediaCredentials> logger)
{
    public const string ConfigFileName = "media-config.json";

    /// <summary>Each provider's environment variable, with the names Open Design reads.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentVariables { get; } = new Dictionary<string, string>
    {
        ["openai"] = "OPENAI_API_KEY",
        ["replicate"] = "REPLICATE_API_TOKEN",
    };

    private readonly Lock _gate = new();
    private StoredConfig? _cached;

    public string ConfigDir { get; } = configDir;

    public string ConfigFile => Path.Combine(ConfigDir, ConfigFileName);

    public ProviderCredential For(string providerId)
    {
        var defaultBaseUrl = MediaCatalog.Providers.FirstOrDefault(p => p.Id == providerId)?.DefaultBaseUrl ?? "";
        var stored = Stored().Providers.GetValueOrDefault(providerId);
        var (baseUrl, problem) = BaseUrlOf(providerId, stored?.BaseUrl, defaultBaseUrl);
        var envKey = EnvironmentVariables.TryGetValue(providerId, out var variable) ? NonBlank(settings(variable)) : null;
        if (envKey is not null) return new ProviderCredential(providerId, envKey, CredentialSources.Env, baseUrl, problem);
        if (stored?.ApiKey is { } storedKey) return new ProviderCredential(providerId, storedKey, CredentialSources.Stored, baseUrl, problem);
        return new ProviderCredential(providerId, null, CredentialSources.Unset, baseUrl, problem);
    }

    /// <summary>What to tell an operator when a provider has no usable credentials; it names the provider and where keys go.</summary>
    public string NotConfiguredMessage(ProviderCredential credential)
    {
        if (credential.ApiKey is not null && credential.Problem is not null)
        {
            return $"provider not configured: {credential.ProviderId}. {credential.Problem}";
        }
        var variable = EnvironmentVariables.GetValueOrDefault(credential.ProviderId, "its API key variable");
        return $"provider not configured: {credential.ProviderId}. Set {variable} or add providers.{credential.ProviderId}.apiKey to {ConfigFile}";
    }

    private static (string BaseUrl, string? Problem) BaseUrlOf(string providerId, string? stored, string defaultBaseUrl)
    {
        if (stored is null) return (defaultBaseUrl, null);
        // A gateway URL that cannot be used must not quietly fall back to the public default: the key would go
        // somewhere the operator did not choose. The provider is reported unconfigured instead.
        if (Uri.TryCreate(stored, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return (stored.TrimEnd('/'), null);
        return (defaultBaseUrl, $"providers.{providerId}.baseUrl in {ConfigFileName} must be an absolute http or https URL");
    }

    private StoredConfig Stored()
    {
        var path = ConfigFile;
        var info = new FileInfo(path);
        var stamp = info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1L);
        lock (_gate)
        {
            if (_cached is { } cached && cached.Stamp == stamp) return cached;
            _cached = Read(path, stamp);
            return _cached;
        }
    }

    private StoredConfig Read(string path, (DateTime, long) stamp)
    {
        var providers = new Dictionary<string, StoredProvider>(StringComparer.Ordinal);
        if (stamp.Item2 < 0) return new StoredConfig(stamp, providers);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("providers", out var all) && all.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in all.EnumerateObject())
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) continue;
                    providers[entry.Name] = new StoredProvider(NonBlank(StringOf(entry.Value, "apiKey")), NonBlank(StringOf(entry.Value, "baseUrl")));
                }
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            // The file's content is never logged: it holds keys. Its path and the kind of fault are enough to fix it.
            logger.LogWarning("{File} could not be read ({Fault}); its stored provider settings are ignored", path, e.GetType().Name);
        }
        return new StoredConfig(stamp, providers);
    }

    private static string? StringOf(JsonElement provider, string name) =>
        provider.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private sealed record StoredProvider(string? ApiKey, string? BaseUrl)
    {
        public override string ToString() => "stored provider settings";
    }

    private sealed record StoredConfig((DateTime, long) Stamp, Dictionary<string, StoredProvider> Providers);
}
