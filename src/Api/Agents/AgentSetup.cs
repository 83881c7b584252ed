using System.Globalization;
using OpenDesign.Workflows.Api.Hosting;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Agents;

namespace OpenDesign.Workflows.Api.Agents;

/// <summary>Reads the <c>Agents</c> section, refuses a configuration that would hand an agent a credential, and registers the supervisor.</summary>
internal static class AgentSetup
{
    public const string Section = "Agents";

    public static IServiceCollection AddAgents(this IServiceCollection services, IConfiguration configuration, OdOptions options)
    {
        var settings = Read(configuration.GetSection(Section));
        var secrets = new AgentSecretsSource(options, configuration).Current([]);
        foreach (var agent in settings.Agents.Values)
        {
            // Refused here rather than at each launch: a configuration that names a credential is a mistake to fix now.
            if (AgentEnvironment.Check(agent.Id, agent.Env, secrets) is { } refused) throw new StartupRefusedException(refused);
        }
        services.AddSingleton(settings);
        services.AddSingleton<AgentSecretsSource>();
        services.AddSingleton<AgentSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentSupervisor>());
        return services;
    }

    public static AgentSettings Read(IConfigurationSection section)
    {
        var agents = new Dictionary<string, AgentDefinition>(StringComparer.Ordinal);
        foreach (var child in section.GetChildren())
        {
            if (AgentSettings.SettingNames.Contains(child.Key)) continue;
            if (child.Value is not null && !child.GetChildren().Any())
            {
                throw new StartupRefusedException($"{Section}:{child.Key} is not a setting of the Agents section, nor an agent (an agent has a Command)");
            }
            var command = child["Command"];
            if (string.IsNullOrWhiteSpace(command)) throw new StartupRefusedException($"{Section}:{child.Key}:Command is not set");
            // A relative path (agents/shell-demo/shell-demo.sh) is beside the service; a bare name is looked up on PATH.
            if (command.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(command)) command = Path.Combine(AppContext.BaseDirectory, command);
            agents[child.Key] = new AgentDefinition(
                child.Key,
                command,
                [.. child.GetSection("Args").GetChildren().Select(a => a.Value ?? "")],
                child.GetSection("Env").GetChildren().ToDictionary(e => e.Key, e => e.Value ?? "", StringComparer.Ordinal),
                child["WorkingDirectory"] is { Length: > 0 } cwd ? cwd : null,
                Span(child, "Timeout"));
        }
        return new AgentSettings
        {
            Agents = agents,
            OdBin = section["OdBin"] is { Length: > 0 } od ? od : DefaultOdBin(),
            MaxConcurrent = Number(section, "MaxConcurrent", 4, 1),
            KillGrace = Span(section, "KillGrace") ?? TimeSpan.FromSeconds(5),
            MaxLineLength = Number(section, "MaxLineLength", 4096, 80),
            OutputLinesPerSecond = Number(section, "OutputLinesPerSecond", 1000, 1),
            OutputBurst = Number(section, "OutputBurst", 5000, 1),
            DaemonUrl = section["DaemonUrl"] ?? "",
        };
    }

    /// <summary>
    /// The od published beside the service (a NativeAOT build copied next to it), else the od the build places in
    /// <c>od-cli/</c> beside the service, else <c>od</c> on the agent's PATH.
    /// </summary>
    private static string DefaultOdBin()
    {
        foreach (var candidate in new[] { Path.Combine(AppContext.BaseDirectory, "od"), Path.Combine(AppContext.BaseDirectory, "od-cli", "od") })
        {
            if (File.Exists(candidate)) return candidate;
        }
        return "od";
    }

    private static TimeSpan? Span(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero) return span;
        throw new StartupRefusedException($"{section.Path}:{key} must be a positive time span such as 00:10:00, not '{text}'");
    }

    private static int Number(IConfigurationSection section, string key, int fallback, int min)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min) return n;
        throw new StartupRefusedException($"{section.Path}:{key} must be a whole number of at least {min}, not '{text}'");
    }
}
