using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.MediaTasks;
using OpenDesign.Workflows.Domain.Projects;
using OpenDesign.Workflows.Domain.Runs;
using OpenDesign.Workflows.Domain.Storage;
using OpenDesign.Workflows.Domain.Tokens;

namespace OpenDesign.Workflows.Domain.Tests.Support;

/// <summary>
/// The domain wired by hand over a real SQLite file in a temp data root, with a manual clock. Dispose stops the
/// writer and deletes the directory.
/// </summary>
public sealed class DomainHarness : IAsyncDisposable
{
    private readonly List<ServiceProvider> _providers = [];
    private readonly IExternalMediaDispatcher _dispatcher;

    public DomainHarness(Action<OdOptions>? configure = null, IExternalMediaDispatcher? dispatcher = null)
    {
        _dispatcher = dispatcher ?? new UnavailableDispatcher();
        Options = new OdOptions { DataDir = Temp.Combine("data") };
        configure?.Invoke(Options);
        Directory.CreateDirectory(Options.DataDir);
        Open();
    }

    public TempDir Temp { get; } = new();
    public ManualClock Clock { get; } = new();
    public OdOptions Options { get; }
    public Database Database { get; private set; } = null!;
    public EventHub Hub { get; private set; } = null!;
    public SqliteWriter Writer { get; private set; } = null!;
    public EventStore Events { get; private set; } = null!;
    public ToolTokens Tokens { get; private set; } = null!;
    public ProjectStore Projects { get; private set; } = null!;
    public RunStore Runs { get; private set; } = null!;
    public MediaRequestStore Requests { get; private set; } = null!;
    public MediaRequestTransitions Transitions { get; private set; } = null!;
    public RunService RunService { get; private set; } = null!;
    public FulfillmentService Fulfillment { get; private set; } = null!;
    public MediaGenerationService Generation { get; private set; } = null!;
    public Runs.RunAgents Agents { get; private set; } = null!;
    public MediaTaskStore Tasks { get; private set; } = null!;
    public MediaTaskTransitions TaskTransitions { get; private set; } = null!;
    public MediaTaskWaiter TaskWaiter { get; private set; } = null!;

    /// <summary>Stops the writer and builds everything again over the same data root: what a service restart sees.</summary>
    public async Task RestartAsync()
    {
        await _providers[^1].DisposeAsync();
        Open();
    }

    /// <summary>The same registration the service uses, with this harness's clock and, unless given one, no workflow engine.</summary>
    private void Open()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddOpenDesignDomain(Options)
            .AddSingleton<TimeProvider>(Clock)
            .AddSingleton(_dispatcher)
            .BuildServiceProvider();
        _providers.Add(services);
        Database = services.GetRequiredService<Database>();
        Hub = services.GetRequiredService<EventHub>();
        Writer = services.GetRequiredService<SqliteWriter>();
        Events = services.GetRequiredService<EventStore>();
        Tokens = services.GetRequiredService<ToolTokens>();
        Projects = services.GetRequiredService<ProjectStore>();
        Runs = services.GetRequiredService<RunStore>();
        Requests = services.GetRequiredService<MediaRequestStore>();
        Transitions = services.GetRequiredService<MediaRequestTransitions>();
        RunService = services.GetRequiredService<RunService>();
        Fulfillment = services.GetRequiredService<FulfillmentService>();
        Generation = services.GetRequiredService<MediaGenerationService>();
        Agents = services.GetRequiredService<Runs.RunAgents>();
        Tasks = services.GetRequiredService<MediaTaskStore>();
        TaskTransitions = services.GetRequiredService<MediaTaskTransitions>();
        TaskWaiter = services.GetRequiredService<MediaTaskWaiter>();
    }

    public Task<Project> NewProjectAsync(string? name = null) => Projects.CreateAsync(name);

    public async Task<(Project Project, RunCreated Run)> NewRunAsync(MediaExecutionPolicy? policy = null)
    {
        var project = await NewProjectAsync();
        var run = await RunService.CreateAsync(project.Id, "agent-1", "make a poster", null, policy ?? new MediaExecutionPolicy(MediaExecutionModes.RequestOnly));
        return (project, run);
    }

    /// <summary>Stores a request-only request as the generate endpoint would.</summary>
    public Task<MediaRequest> NewRequestAsync(RunCreated run, string surface = MediaSurfaces.Image, string? output = null)
    {
        var id = Ids.NewMediaRequestId();
        var now = Clock.GetUtcNow();
        return Transitions.CreateAsync(new MediaRequest
        {
            Id = id,
            RunId = run.RunId,
            ProjectId = run.ProjectId,
            Surface = surface,
            Prompt = "a prompt",
            Output = output,
            RequestedOutput = OutputNames.ForRequest(output, surface, id),
            Status = MediaRequestStatuses.Requested,
            PolicyMode = MediaExecutionModes.RequestOnly,
            CreatedAt = now,
            UpdatedAt = now,
        });
    }

    /// <summary>Stores a queued media task as enabled-mode generation would (without starting a workflow); no run for a legacy task.</summary>
    public Task<MediaTask> NewTaskAsync(string projectId, string? runId)
    {
        var id = Ids.NewMediaTaskId();
        var now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        return TaskTransitions.CreateAsync(new MediaTask
        {
            TaskId = id,
            RunId = runId,
            ProjectId = projectId,
            Status = MediaTaskStatuses.Queued,
            Surface = MediaSurfaces.Image,
            Model = "gpt-image-2",
            ProviderId = "openai",
            Prompt = "a prompt",
            RequestedOutput = OutputNames.ForRequest(null, MediaSurfaces.Image, id),
            StartedAt = now,
            UpdatedAt = now,
        });
    }

    /// <summary>Rows in a table, read straight from the database: what was (not) stored.</summary>
    public long Count(string table)
    {
        using var connection = Database.OpenRead();
        using var cmd = connection.Command($"SELECT COUNT(*) FROM {table}");
        return (long)cmd.ExecuteScalar()!;
    }

    public string ProjectDir(string projectId) => Projects.DirOf(projectId);

    /// <summary>Files in a project, relative and sorted, links included.</summary>
    public string[] ProjectFiles(string projectId) =>
        Directory.Exists(ProjectDir(projectId))
            ? [.. Directory.EnumerateFileSystemEntries(ProjectDir(projectId), "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(ProjectDir(projectId), p)).Order(StringComparer.Ordinal)]
            : [];

    public string[] StagingFiles() =>
        Directory.Exists(Options.StagingDir) ? Directory.GetFileSystemEntries(Options.StagingDir) : [];

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers) await provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Temp.Dispose();
    }
}
