using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Activities.Executor;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Temporal.Testing;
using OpenDesign.Workflows.Workflows;
using Temporalio.Client;
using WireMock;
using WireMock.Server;

namespace OpenDesign.Workflows.Api.Tests.External;

/// <summary>
/// One external-mode scenario: a WireMock executor, the real service (worker included) on its own task queue of the
/// shared Temporal, and helpers to play the executor's callbacks as the executor would.
/// </summary>
public sealed class ExternalHarness : IAsyncDisposable
{
    public const string ExecutorSecret = "executor-s3cret";
    public const string ExecutorSecretVariable = "OD_TEST_EXECUTOR_TOKEN";

    private readonly TempDir _dir;
    private readonly bool _ownsDir;
    private readonly Dictionary<string, string?> _settings;

    private readonly List<string> _requests = [];

    public ExternalHarness(TemporalTestEnvironment temporal, TempDir? dir = null, IDictionary<string, string?>? settings = null)
    {
        Temporal = temporal.Client;
        _ownsDir = dir is null;
        _dir = dir ?? new TempDir();
        TaskQueue = TemporalTestEnvironment.NewTaskQueue("od-media");
        _settings = new Dictionary<string, string?>
        {
            ["Temporal:Address"] = temporal.TargetHost,
            ["Temporal:Namespace"] = temporal.Namespace,
            ["Temporal:TaskQueue"] = TaskQueue,
            ["Od:PublicBaseUrl"] = "http://od.test",
            ["Od:StatusPollInterval"] = "00:00:01",
            // Callbacks and cancels answer 200 once the workflow has recorded the outcome, or 202 after this wait. A
            // loaded test machine must not turn the 200 a test expects into a 202, so the wait is far beyond any scenario.
            ["Od:CallbackWait"] = "00:05:00",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) _settings[k] = v;
        App = NewApp();
        Api = App.Api();
    }

    public ITemporalClient Temporal { get; }
    public string TaskQueue { get; }
    public WireMockServer Executor { get; } = WireMockServer.Start();
    public OdApp App { get; private set; }
    public OdClient Api { get; private set; }
    public string DataDir => _dir.Path;

    public string ExecutorUrl(string path) => Executor.Url + path;

    /// <summary>Stops this service (and its worker) and starts a fresh one over the same data and task queue.</summary>
    public async Task RestartServiceAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        App = NewApp();
        Api = App.Api();
        await WaitReadyAsync();
    }

    public async Task WaitReadyAsync()
    {
        await Eventually.TrueAsync(async () =>
        {
            using var ready = await Api.SendAsync(HttpMethod.Get, "/health/ready");
            return ready.StatusCode == HttpStatusCode.OK;
        }, "Temporal ready");
    }

    public async Task<(Project Project, RunCreated Run)> CreateExternalRunAsync(bool cancelEndpoint = true, string auth = "bearer-env")
    {
        await WaitReadyAsync();
        var project = await Api.CreateProjectAsync();
        var cancel = cancelEndpoint ? $",\"cancelEndpoint\":\"{ExecutorUrl("/cancel")}\"" : "";
        var executor = $$"""
            {"kind":"http","id":"wiremock","endpoint":"{{ExecutorUrl("/submit")}}"{{cancel}},
             "auth":{"kind":"{{auth}}","env":"{{ExecutorSecretVariable}}","header":"X-Executor-Key"} }
            """;
        var run = await Api.CreateRunAsync(project.Id, $$"""{"mode":"external","externalExecutor":{{executor}}}""");
        return (project, run);
    }

    /// <summary>The agent's call, remembered so the scenario's workflows are cleaned up with it.</summary>
    public const string PosterBody = """{"surface":"image","prompt":"a launch poster","output":"poster.png","aspect":"16:9"}""";

    public async Task<MediaRequest> GenerateAsync(string toolToken, string body = PosterBody)
    {
        var request = await Api.GenerateOkAsync(toolToken, body);
        _requests.Add(request.Id);
        return request;
    }

    /// <summary>A request made some other way, so that its workflow is cleaned up with the scenario too.</summary>
    public void Track(string requestId) => _requests.Add(requestId);

    /// <summary>An external run and one request the executor has accepted: where most scenarios start.</summary>
    public async Task<(Project Project, RunCreated Run, MediaRequest Request)> SubmittedRequestAsync(string body = PosterBody)
    {
        var (project, run) = await CreateExternalRunAsync();
        var request = await GenerateAsync(run.ToolToken, body);
        return (project, run, await WaitForStatusAsync(request.Id, MediaRequestStatuses.Submitted));
    }

    public async Task<MediaRequest> WaitForStatusAsync(string requestId, string status)
    {
        MediaRequest? last = null;
        await Eventually.TrueAsync(async () =>
        {
            last = await Api.GetRequestAsync(requestId);
            return last.Status == status;
        }, $"request {requestId} to become {status} (last: {last?.Status})");
        return last!;
    }

    public IReadOnlyList<IRequestMessage> Calls(string path) =>
        [.. Executor.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>().Where(m => m.Path == path).OrderBy(m => m.DateTime)];

    /// <summary>The callback token the service sent in its submission, as the executor received it.</summary>
    public string CallbackToken(string requestId)
    {
        var submit = Calls("/submit").First(m => m.Body!.Contains(requestId, StringComparison.Ordinal));
        return JsonDocument.Parse(submit.Body!).RootElement.GetProperty("callback").GetProperty("token").GetString()!;
    }

    public WorkflowHandle<ExternalMediaRequestWorkflow> Workflow(string requestId) =>
        Temporal.GetWorkflowHandle<ExternalMediaRequestWorkflow>(ExternalMediaRequestWorkflow.IdFor(requestId));

    public async Task<List<string>> RunEventActionsAsync(string runId)
    {
        var frames = await SseClient.ReadToEndAsync(Api.Http, $"/api/runs/{runId}/events?follow=false");
        return [.. frames.Where(f => f.Event == "media_request").Select(f => JsonDocument.Parse(f.Data).RootElement.GetProperty("action").GetString()!)];
    }

    private OdApp NewApp() => new(_dir.Path, settings: _settings, services: s =>
        s.AddSingleton(new ExecutorAuthHeaders(name => name == ExecutorSecretVariable ? ExecutorSecret : null)));

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        Executor.Stop();
        Executor.Dispose();
        // Leave nothing running on the shared server.
        foreach (var id in _requests)
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
        if (_ownsDir) _dir.Dispose();
    }
}

public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
