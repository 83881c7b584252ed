using System.Net;
using OpenDesign.Workflows.Temporal.Testing;

namespace OpenDesign.Workflows.Cli.Tests.Agents;

/// <summary>
/// A real service whose workflows (external requests, media tasks) run on the in-process Temporal test server, for
/// the agent-run rows that need Temporal; the shared <see cref="AgentServiceFixture"/> runs without it.
/// </summary>
internal static class TemporalAgentService
{
    public static async Task<ServiceProcess> StartAsync(TemporalTestEnvironment temporal, Dictionary<string, string> settings, Action<string>? prepare = null)
    {
        settings["Temporal__Address"] = temporal.TargetHost;
        settings["Temporal__Namespace"] = temporal.Namespace;
        settings["Temporal__TaskQueue"] = TemporalTestEnvironment.NewTaskQueue("od-agents");
        var service = await ServiceProcess.StartAsync(settings, prepare);
        using var http = new HttpClient { BaseAddress = new Uri(service.Url) };
        await UntilAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "Temporal ready");
        return service;
    }

    /// <summary>Polls <paramref name="condition"/> for at most a minute.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"never: {what}");
            await Task.Delay(50);
        }
    }
}
