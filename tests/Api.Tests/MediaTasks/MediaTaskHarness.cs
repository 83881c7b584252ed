using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Api.Tests.External;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Temporal.Testing;
using OpenDesign.Workflows.Workflows;
using Temporalio.Client;

namespace OpenDesign.Workflows.Api.Tests.MediaTasks;

/// <summary>
/// One enabled-mode scenario: the real service (worker included) on its own task queue of the shared Temporal, with
/// <see cref="ScriptedProviders"/> as every provider and short retry and poll intervals.
/// </summary>
public sealed class MediaTaskHarness : IAsyncDisposable
{
    public const int ProviderAttempts = 3;

    private readonly TempDir _dir = new();
    private readonly List<string> _tasks = [];
    private readonly Dictionary<string, string?> _settings;

    public MediaTaskHarness(TemporalTestEnvironment temporal)
    {
        Temporal = temporal.Client;
        _settings = new Dictionary<string, string?>
        {
            ["Temporal:Address"] = temporal.TargetHost,
            ["Temporal:Namespace"] = temporal.Namespace,
            ["Temporal:TaskQueue"] = TemporalTestEnvironment.NewTaskQueue("od-tasks"),
            ["Od:MediaProviderAttempts"] = ProviderAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Od:MediaProviderRetryInterval"] = "00:00:00.100",
            ["Od:MediaPollInterval"] = "00:00:00.100",
            ["Od:CallbackWait"] = "00:05:00",
        };
        App = NewApp();
        Api = App.Api();
    }

    /// <summary>Stops this service (and its worker) and starts a fresh one over the same data, task queue and provider.</summary>
    public async Task RestartServiceAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        App = NewApp();
        Api = App.Api();
        await WaitReadyAsync();
    }

    private OdApp NewApp() => new(_dir.Path, settings: _settings, services: s => s.AddSingleton<IMediaProviders>(Providers));

    public ITemporalClient Temporal { get; }
    public ScriptedProviders Providers { get; } = new();
    public OdApp App { get; private set; }
    public OdClient Api { get; private set; }
    public string DataDir => _dir.Path;

    public async Task WaitReadyAsync() =>
        await Eventually.TrueAsync(async () =>
        {
            using var ready = await Api.SendAsync(HttpMethod.Get, "/health/ready");
            return ready.StatusCode == HttpStatusCode.OK;
        }, "Temporal ready");

    public async Task<(Project Project, RunCreated Run)> EnabledRunAsync(string policy = """{"mode":"enabled"}""")
    {
        await WaitReadyAsync();
        var project = await Api.CreateProjectAsync();
        return (project, await Api.CreateRunAsync(project.Id, policy));
    }

    /// <summary>The agent's generate, scripted by <paramref name="script"/>; answers the 202's task.</summary>
    public async Task<MediaTaskAccepted> GenerateAsync(string toolToken, string script, string output = "poster.png")
    {
        using var response = await Api.GenerateAsync(toolToken, $$"""{"surface":"image","model":"gpt-image-2","prompt":"{{script}}","output":"{{output}}"}""");
        var accepted = await OdClient.ReadAsync(response, HttpStatusCode.Accepted, OdJsonContext.Default.MediaTaskAccepted);
        Assert.Equal($"/api/media/tasks/{accepted.TaskId}", response.Headers.Location?.OriginalString);
        _tasks.Add(accepted.TaskId);
        return accepted;
    }

    public void Track(string taskId) => _tasks.Add(taskId);

    public async Task<MediaTask> GetTaskAsync(string taskId, string? bearer = null)
    {
        using var response = await Api.SendAsync(HttpMethod.Get, $"/api/media/tasks/{taskId}", bearer);
        return await OdClient.ReadAsync(response, HttpStatusCode.OK, OdJsonContext.Default.MediaTask);
    }

    public async Task<MediaTaskSnapshot> WaitAsync(string taskId, int since, int timeoutMs, string? bearer = null)
    {
        using var response = await Api.SendAsync(HttpMethod.Post, $"/api/media/tasks/{taskId}/wait", bearer, $$"""{"since":{{since}},"timeoutMs":{{timeoutMs}}}""");
        return await OdClient.ReadAsync(response, HttpStatusCode.OK, OdJsonContext.Default.MediaTaskSnapshot);
    }

    /// <summary>Long-polls the wait endpoint, as <c>od media generate</c> does, until the task ends.</summary>
    public async Task<(MediaTaskSnapshot Last, List<string> Progress)> WaitToEndAsync(string taskId)
    {
        var lines = new List<string>();
        var since = 0;
        for (var i = 0; i < 60; i++)
        {
            var snapshot = await WaitAsync(taskId, since, 4000);
            lines.AddRange(snapshot.Progress);
            since = snapshot.NextSince;
            if (MediaTaskStatuses.IsTerminal(snapshot.Status)) return (snapshot, lines);
        }
        throw new TimeoutException($"task {taskId} did not end");
    }

    public WorkflowHandle<MediaTaskWorkflow> Workflow(string taskId) =>
        Temporal.GetWorkflowHandle<MediaTaskWorkflow>(MediaTaskWorkflow.IdFor(taskId));

    public async Task<List<string>> TaskEventActionsAsync(string runId)
    {
        var frames = await SseClient.ReadToEndAsync(Api.Http, $"/api/runs/{runId}/events?follow=false");
        return [.. frames.Where(f => f.Event == "media_task").Select(f => JsonDocument.Parse(f.Data).RootElement.GetProperty("action").GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        foreach (var id in _tasks)
        {
            try
            {
                await Workflow(id).TerminateAsync("test finished");
            }
            catch (Exception e) when (e is Temporalio.Exceptions.RpcException or InvalidOperationException)
            {
                // Already closed.
            }
        }
        _dir.Dispose();
    }
}
