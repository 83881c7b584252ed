using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenDesign.Workflows.Activities.Executor;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Projects;
using OpenDesign.Workflows.Domain.Runs;
using OpenDesign.Workflows.Domain.Storage;
using OpenDesign.Workflows.Domain.Tokens;
using OpenDesign.Workflows.Workflows;
using Temporalio.Testing;
using WireMock;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OpenDesign.Workflows.Activities.Tests.Support;

/// <summary>
/// The activities wired by hand over a real SQLite file in a temp data root, with WireMock as the executor. Dispose
/// stops the writer and the executor and deletes the directory.
/// </summary>
public sealed class ActivityHarness : IAsyncDisposable
{
    public const string SecretVariable = "OD_TEST_EXECUTOR_TOKEN";
    public const string Secret = "s3cret-executor-value";
    public const string ExecutorId = "wiremock";

    private readonly ServiceProvider _services;

    public ActivityHarness(Action<OdOptions>? configure = null, Func<string, string?>? environment = null, TimeSpan? executorTimeout = null)
    {
        Options = new OdOptions { DataDir = Path.Combine(Root, "data") };
        configure?.Invoke(Options);
        Directory.CreateDirectory(Options.DataDir);

        // The same registrations as the service, with this test's executor secret and timeout.
        _services = new ServiceCollection()
            .AddLogging()
            .AddOpenDesignDomain(Options)
            .AddSingleton<IExternalMediaDispatcher, EngineUp>()
            .AddMediaRequestActivities("http://od.test", executorTimeout)
            .AddSingleton(new ExecutorAuthHeaders(environment ?? (name => name == SecretVariable ? Secret : null)))
            .BuildServiceProvider();
        Database = _services.GetRequiredService<Database>();
        Writer = _services.GetRequiredService<SqliteWriter>();
        Events = _services.GetRequiredService<EventStore>();
        Projects = _services.GetRequiredService<ProjectStore>();
        Runs = _services.GetRequiredService<RunStore>();
        Requests = _services.GetRequiredService<MediaRequestStore>();
        Transitions = _services.GetRequiredService<MediaRequestTransitions>();
        RunService = _services.GetRequiredService<RunService>();
        Fulfillment = _services.GetRequiredService<FulfillmentService>();
        CallbackKey = _services.GetRequiredService<CallbackKey>();
        CallbackTokens = _services.GetRequiredService<CallbackTokens>();
        HttpClients = _services.GetRequiredService<IHttpClientFactory>();
        Downloader = _services.GetRequiredService<ResultDownloader>();
        Executors = _services.GetRequiredService<ExecutorClientFactory>();
        AuthHeaders = _services.GetRequiredService<ExecutorAuthHeaders>();
        Activities = (MediaRequestActivities)_services.CreateScope().ServiceProvider.GetRequiredService<IMediaRequestActivities>();
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "od-activities-tests-" + Guid.NewGuid().ToString("N"));
    public OdOptions Options { get; }
    public Database Database { get; }
    public SqliteWriter Writer { get; }
    public EventStore Events { get; }
    public ProjectStore Projects { get; }
    public RunStore Runs { get; }
    public MediaRequestStore Requests { get; }
    public MediaRequestTransitions Transitions { get; }
    public RunService RunService { get; }
    public FulfillmentService Fulfillment { get; }
    public CallbackKey CallbackKey { get; }
    public CallbackTokens CallbackTokens { get; }
    public IHttpClientFactory HttpClients { get; }
    public ResultDownloader Downloader { get; }
    public ExecutorClientFactory Executors { get; }
    public ExecutorAuthHeaders AuthHeaders { get; }
    public MediaRequestActivities Activities { get; }
    public WireMockServer Executor { get; } = WireMockServer.Start();

    public string Url(string pathAndQuery) => Executor.Url + pathAndQuery;

    /// <summary>An external run whose executor is this harness's WireMock, as the policy parser would store it.</summary>
    public async Task<(Project Project, RunCreated Run)> NewExternalRunAsync(
        string endpointPath = "/submit", string? cancelPath = "/cancel", ExecutorAuth? auth = null, string? endpointUrl = null)
    {
        var project = await Projects.CreateAsync("activities");
        var executor = new ExternalExecutorRef(
            "http",
            endpointUrl ?? Url(endpointPath),
            ExecutorId,
            cancelPath is null ? null : Url(cancelPath),
            auth ?? new ExecutorAuth(ExecutorAuthKinds.BearerEnv, SecretVariable));
        var run = await RunService.CreateAsync(project.Id, "agent-1", "make media", null,
            new MediaExecutionPolicy(MediaExecutionModes.External, ExternalExecutor: executor));
        return (project, run);
    }

    /// <summary>Stores an external request as the generate endpoint does: requested, with its callback token's hash.</summary>
    public Task<MediaRequest> NewRequestAsync(RunCreated run, Func<MediaRequest, MediaRequest>? shape = null)
    {
        var id = Ids.NewMediaRequestId();
        var now = DateTimeOffset.UtcNow;
        var request = new MediaRequest
        {
            Id = id,
            RunId = run.RunId,
            ProjectId = run.ProjectId,
            Surface = MediaSurfaces.Image,
            Prompt = "a launch poster",
            Output = "poster.png",
            RequestedOutput = OutputNames.ForRequest("poster.png", MediaSurfaces.Image, id),
            Status = MediaRequestStatuses.Requested,
            PolicyMode = MediaExecutionModes.External,
            CreatedAt = now,
            UpdatedAt = now,
            External = new ExternalRef(ExecutorId),
        };
        if (shape is not null) request = shape(request);
        return Transitions.CreateAsync(request, CallbackKey.TokenFor(id));
    }

    public async Task<(Project Project, RunCreated Run, MediaRequest Request)> NewExternalRequestAsync(
        string? cancelPath = "/cancel", ExecutorAuth? auth = null, Func<MediaRequest, MediaRequest>? shape = null)
    {
        var (project, run) = await NewExternalRunAsync(cancelPath: cancelPath, auth: auth);
        return (project, run, await NewRequestAsync(run, shape));
    }

    /// <summary>An activity context like the worker's: this request's workflow id, a fresh cancellation source.</summary>
    public static ActivityEnvironment EnvironmentFor(string requestId) => new()
    {
        Info = ActivityEnvironment.DefaultInfo with { WorkflowId = ExternalMediaRequestWorkflow.IdFor(requestId) },
    };

    public Task<T> RunAsync<T>(string requestId, Func<MediaRequestActivities, Task<T>> activity) =>
        EnvironmentFor(requestId).RunAsync(() => activity(Activities));

    public Task RunAsync(string requestId, Func<MediaRequestActivities, Task> activity) =>
        EnvironmentFor(requestId).RunAsync(() => activity(Activities));

    /// <summary>The actions of the run's media_request events, in order.</summary>
    public IReadOnlyList<string> Actions(string runId) =>
        [.. Events.ReadRun(runId, 0)
            .Where(e => e.Name == EventNames.MediaRequest)
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("action").GetString()!)];

    public IReadOnlyList<IRequestMessage> Calls(string path) =>
        [.. Executor.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>().Where(m => m.Path == path).OrderBy(m => m.DateTime)];

    public IReadOnlyList<IRequestMessage> AllCalls() =>
        [.. Executor.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>()];

    public string[] StagingFiles() =>
        Directory.Exists(Options.StagingDir) ? Directory.GetFileSystemEntries(Options.StagingDir) : [];

    public static string? Header(IRequestMessage message, string name) =>
        message.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    public static JsonElement BodyOf(IRequestMessage message) => JsonDocument.Parse(message.Body!).RootElement.Clone();

    public static IResponseBuilder Json(int status, string body, string contentType = "application/json") =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body);

    public async ValueTask DisposeAsync()
    {
        Executor.Stop();
        Executor.Dispose();
        await Writer.DisposeAsync();
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
