using System.Text.Json;
using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Agents;

namespace OpenDesign.Workflows.Api.Agents;

/// <summary>
/// The credentials the service holds, gathered when an agent starts (a run created since start-up may name a new
/// executor auth variable): the fixed provider and service variables, every variable a run's executor auth names, and
/// every provider's key variable (<see cref="MediaCredentials.EnvironmentVariables"/>), and every key-like value in
/// the providers' <c>media-config.json</c> (read here as JSON: <see cref="ProviderCredential"/> keeps its key to the
/// adapters). Names and values both, so a configured <c>Env</c> can neither name one nor copy its value.
/// </summary>
/// <param name="credentials">Where the providers' media-config.json is; absent only in the start-up check, before the container exists.</param>
internal sealed class AgentSecretsSource(OdOptions options, IConfiguration configuration, MediaCredentials? credentials = null)
{
    /// <param name="executorAuthNames">The variables the runs' executor auth names (<c>RunStore.ExecutorAuthEnvNames</c>).</param>
    public AgentSecrets Current(IEnumerable<string> executorAuthNames)
    {
        var names = new HashSet<string>(AgentSecrets.FixedNames, StringComparer.Ordinal);
        names.UnionWith(MediaCredentials.EnvironmentVariables.Values);
        names.UnionWith(executorAuthNames);
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) values.Add(value);
            if (configuration[name] is { Length: > 0 } configured) values.Add(configured);
        }
        MediaConfigValues(values);
        return new AgentSecrets(names, values);
    }

    /// <summary>Open Design's rule for where media-config.json lives: OD_MEDIA_CONFIG_DIR, else the data root.</summary>
    private string MediaConfigPath() =>
        credentials?.ConfigFile ?? Path.Combine(configuration["OD_MEDIA_CONFIG_DIR"] is { Length: > 0 } dir ? dir : options.DataDir, MediaCredentials.ConfigFileName);

    private void MediaConfigValues(HashSet<string> values)
    {
        var path = MediaConfigPath();
        if (!File.Exists(path)) return;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            Collect(document.RootElement, null, values);
        }
        catch (JsonException)
        {
            // An unreadable config holds no key an agent could be given by name; values from the env are still refused.
        }
    }

    private static void Collect(JsonElement element, string? name, HashSet<string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) Collect(property.Value, property.Name, values);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Collect(item, name, values);
                break;
            case JsonValueKind.String when name is not null && LooksLikeKey(name) && element.GetString() is { Length: > 0 } value:
                values.Add(value);
                break;
        }
    }

    private static bool LooksLikeKey(string name) =>
        name.Contains("key", StringComparison.OrdinalIgnoreCase) || name.Contains("token", StringComparison.OrdinalIgnoreCase)
        || name.Contains("secret", StringComparison.OrdinalIgnoreCase) || name.Contains("password", StringComparison.OrdinalIgnoreCase);
}
