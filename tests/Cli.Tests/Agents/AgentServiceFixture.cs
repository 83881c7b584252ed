using System.Net;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests.Agents;

/// <summary>
/// One real service for the agent-run tests, with the test agent configured under several ids (each id is one
/// behaviour of Agents/test-agent.sh) and provider keys in its own environment that no agent may see.
/// </summary>
public sealed class AgentServiceFixture : IAsyncLifetime
{
    public const string OpenAiKey = "sk-e2e-openai-key-the-agent-must-not-see";
    public const string ReplicateKey = "r8_e2e_replicate_key_the_agent_must_not_see";
    public const int ChattyLines = 2000;
    public const int FloodLines = 30000;
    public const int Burst = 5000;

    public static readonly string TestAgent = Path.Combine(AppContext.BaseDirectory, "Agents", "test-agent.sh");

    /// <summary>The shell-demo script of the repository (the one the service's build copies beside it).</summary>
    public static string ShellDemo([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", "..", "agents", "shell-demo", "shell-demo.sh"));

    public ServiceProcess Service { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public static Dictionary<string, string> Settings(params (string Id, string Action, string? Timeout)[] agents)
    {
        var env = new Dictionary<string, string>
        {
            ["OPENAI_API_KEY"] = OpenAiKey,
            ["REPLICATE_API_TOKEN"] = ReplicateKey,
            ["Agents__shell-demo__Env__SHELL_DEMO_POLL_SECONDS"] = "0.2",
            ["Agents__KillGrace"] = "00:00:02",
            ["Agents__OutputBurst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Agents__OutputLinesPerSecond"] = "100",
        };
        foreach (var (id, action, timeout) in agents)
        {
            env[$"Agents__{id}__Command"] = TestAgent;
            env[$"Agents__{id}__Env__TEST_AGENT_ACTION"] = action;
            if (timeout is not null) env[$"Agents__{id}__Timeout"] = timeout;
        }
        return env;
    }

    public async ValueTask InitializeAsync()
    {
        var settings = Settings(
            ("capture", "capture", null), ("generator", "generate", null), ("failer", "fail", null), ("sleeper", "sleep", null),
            ("slow", "sleep", "00:00:01"), ("chatty", "chatty", null), ("flood", "chatty", null), ("longline", "long-line", null));
        settings["Agents__chatty__Env__TEST_AGENT_LINES"] = ChattyLines.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Agents__flood__Env__TEST_AGENT_LINES"] = FloodLines.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Service = await ServiceProcess.StartAsync(settings);
        Http = new HttpClient { BaseAddress = new Uri(Service.Url) };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Service.DisposeAsync();
    }
}

/// <summary>The calls the agent-run tests make, and the waits they need (bounded polls, never sleeps).</summary>
internal static class AgentCalls
{
    public static async Task<Project> CreateProjectAsync(HttpClient http) =>
        await ServiceCalls.ReadAsync(await ServiceCalls.PostAsync(http, ApiRoutes.Projects.Collection, """{"name":"agents"}"""), HttpStatusCode.Created, OdJsonContext.Default.Project);

    public static async Task<RunCreated> CreateRunAsync(HttpClient http, string projectId, string agentId, string policy = """{"mode":"request-only"}""", string message = "A red fox poster")
    {
        var body = $$"""{"projectId":"{{projectId}}","agentId":"{{agentId}}","message":"{{message}}","mediaExecution":{{policy}}}""";
        return await ServiceCalls.ReadAsync(await ServiceCalls.PostAsync(http, ApiRoutes.Runs.Collection, body), HttpStatusCode.Created, OdJsonContext.Default.RunCreated);
    }

    public static async Task<Run> GetRunAsync(HttpClient http, string runId) =>
        await ServiceCalls.ReadAsync(await http.GetAsync(ApiRoutes.Runs.ItemPath(runId)), HttpStatusCode.OK, OdJsonContext.Default.Run);

    /// <summary>Polls until <paramref name="done"/> holds for the run, for at most a minute.</summary>
    public static async Task<Run> WaitRunAsync(HttpClient http, string runId, Func<Run, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var run = await GetRunAsync(http, runId);
            if (done(run)) return run;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"run {runId} never {what}; last: {JsonSerializer.Serialize(run, OdJsonContext.Default.Run)}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls <paramref name="condition"/> for at most 30 s.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"never: {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>The run has ended and the service has recorded its agent's exit: nothing more will happen to it.</summary>
    public static Task<Run> WaitEndedAsync(HttpClient http, string runId) =>
        WaitRunAsync(http, runId, r => RunStatuses.IsTerminal(r.Status) && r.Agent?.State == AgentStates.Exited, "ended with its agent exited");

    public static async Task<(string Event, string Data)[]> EventsAsync(HttpClient http, string runId) =>
        [.. (await ServiceCalls.EventsAsync(http, runId)).Select(e => (e.EventType, e.Data))];

    public static IEnumerable<string> Output(IEnumerable<(string Event, string Data)> events, string stream) =>
        events.Where(e => e.Event == stream).Select(e => JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.AgentOutputPayload)!.Chunk);

    public static RunEndPayload End(IEnumerable<(string Event, string Data)> events) =>
        JsonSerializer.Deserialize(events.Single(e => e.Event == RunEndPayload.EventName).Data, OdJsonContext.Default.RunEndPayload)!;
}

/// <summary>Which processes are alive, read from /proc independently of the service's own code.</summary>
internal static class ProcessTable
{
    /// <summary>Live (not zombie) processes whose process group is <paramref name="groupId"/>.</summary>
    public static List<int> LiveMembers(int groupId)
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (rest[0] is not ("Z" or "X") && int.Parse(rest[2], System.Globalization.CultureInfo.InvariantCulture) == groupId) found.Add(pid);
            }
            catch (IOException)
            {
            }
        }
        return found;
    }

    public static async Task WaitGoneAsync(int groupId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (LiveMembers(groupId).Count > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"process group {groupId} still has {string.Join(", ", LiveMembers(groupId))}");
            await Task.Delay(50);
        }
    }
}
