using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Temporal.Testing;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace OpenDesign.Workflows.Cli.Tests.Enabled;

[CollectionDefinition(Name)]
public sealed class EnabledServiceCollection : ICollectionFixture<EnabledServiceFixture>
{
    public const string Name = "enabled mode against the real service";
}

/// <summary>
/// One real service in enabled mode for the enabled-mode classes: OpenAI's key in <c>OPENAI_API_KEY</c>, a second key
/// and the base URL (WireMock) in <c>media-config.json</c> in the data directory, workflows on a standalone test
/// Temporal server that outlives the service (so a killed service can be restarted against it). Every HTTP answer the
/// tests receive is recorded, for the search for the keys.
/// </summary>
public sealed class EnabledServiceFixture : IAsyncLifetime
{
    /// <summary>Distinctive, so that finding either anywhere is never a coincidence.</summary>
    public const string EnvKey = "sk-od-e2e-env-9d41c7b2e8a05f63k";
    public const string StoredKey = "sk-od-e2e-stored-3b7e91a4c6d20f58k";

    private readonly ConcurrentQueue<string> _answers = new();

    public TemporalTestEnvironment Temporal { get; private set; } = null!;
    public FakeOpenAi OpenAi { get; } = new();
    public ServiceProcess Service { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The key the running service uses: the environment's, unless it was restarted without it.</summary>
    public string CurrentKey { get; private set; } = EnvKey;

    /// <summary>Every body the service answered to these tests' HTTP calls, plus od's output, in order.</summary>
    public IReadOnlyCollection<string> Answers => _answers;

    public void Record(string text) => _answers.Enqueue(text);

    public async ValueTask InitializeAsync()
    {
        Temporal = await TemporalTestEnvironment.StartAsync();
        Service = await ServiceProcess.StartAsync(Settings(withEnvKey: true), dataDir =>
            File.WriteAllText(Path.Combine(dataDir, "media-config.json"),
                JsonSerializer.Serialize(new { providers = new { openai = new { apiKey = StoredKey, baseUrl = OpenAi.BaseUrl } } })));
        Http = new HttpClient(new RecordingHandler(_answers)) { BaseAddress = new Uri(Service.Url) };
        await UntilReadyAsync();
    }

    /// <summary>kill -9, then a new service process on the same data directory, address and Temporal server.</summary>
    public async Task KillAndRestartAsync(bool withEnvKey = true)
    {
        await Service.KillAsync();
        Service = await Service.RestartAsync(Settings(withEnvKey));
        CurrentKey = withEnvKey ? EnvKey : StoredKey;
        await UntilReadyAsync();
    }

    /// <summary>A project and a run created with no <c>mediaExecution</c>: enabled mode, the default.</summary>
    public async Task<(Project Project, RunCreated Run)> CreateRunAsync(string name)
    {
        var project = await ServiceCalls.ReadAsync(await ServiceCalls.PostAsync(Http, ApiRoutes.Projects.Collection, $$"""{"name":"{{name}}"}"""),
            HttpStatusCode.Created, OdJsonContext.Default.Project);
        var run = await ServiceCalls.ReadAsync(await ServiceCalls.PostAsync(Http, ApiRoutes.Runs.Collection, $$"""{"projectId":"{{project.Id}}"}"""),
            HttpStatusCode.Created, OdJsonContext.Default.RunCreated);
        return (project, run);
    }

    /// <summary>od as an agent of <paramref name="run"/> would run it; its output is recorded with the answers.</summary>
    public async Task<OdResult> OdAsync(RunCreated run, params string[] args)
    {
        var result = await OdProcess.RunAsync(args, Samples.Env(Service.Url, run.ToolToken));
        Record(result.Stdout);
        Record(result.Stderr);
        return result;
    }

    public async Task<MediaTask> TaskAsync(string taskId) =>
        await ServiceCalls.ReadAsync(await Http.GetAsync(ApiRoutes.MediaTasks.ItemPath(taskId)), HttpStatusCode.OK, OdJsonContext.Default.MediaTask);

    /// <summary>Polls the task until it is terminal (bounded).</summary>
    public async Task<MediaTask> EndedAsync(string taskId)
    {
        MediaTask? task = null;
        await UntilAsync(async () => MediaTaskStatuses.IsTerminal((task = await TaskAsync(taskId)).Status), $"task {taskId} ended");
        return task!;
    }

    /// <summary>Activities of the task's workflow scheduled or running now, as the Temporal server sees them.</summary>
    public async Task<int> PendingActivitiesAsync(string taskId)
    {
        var described = await Temporal.Client.WorkflowService.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionRequest
        {
            Namespace = Temporal.Namespace,
            Execution = new WorkflowExecution { WorkflowId = WorkflowId(taskId) },
        });
        return described.PendingActivities.Count;
    }

    public static string WorkflowId(string taskId) => "media-task-" + taskId;

    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"never: {what}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Service.DisposeAsync();
        OpenAi.Dispose();
        await Temporal.DisposeAsync();
    }

    private Dictionary<string, string> Settings(bool withEnvKey)
    {
        var settings = new Dictionary<string, string>
        {
            ["Temporal__Address"] = Temporal.TargetHost,
            ["Temporal__Namespace"] = Temporal.Namespace,
            ["Temporal__TaskQueue"] = _taskQueue,
            // A pending Sora job is polled every second here (5 s by default), so the video tests stay short.
            ["Od__MediaPollInterval"] = "00:00:01",
        };
        if (withEnvKey) settings["OPENAI_API_KEY"] = EnvKey;
        return settings;
    }

    private readonly string _taskQueue = TemporalTestEnvironment.NewTaskQueue("od-enabled");

    private async Task UntilReadyAsync()
    {
        try
        {
            await UntilAsync(async () => (await Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "the service is ready (Temporal connected)");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            throw new InvalidOperationException($"the service never became ready; its log:\n{Service.Log}", e);
        }
    }

    /// <summary>Reads every answer to the end and keeps its text; the content stays readable for the caller.</summary>
    private sealed class RecordingHandler(ConcurrentQueue<string> answers) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            answers.Enqueue($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {response.Headers} {response.Content.Headers}\n{await response.Content.ReadAsStringAsync(cancellationToken)}");
            return response;
        }
    }
}
