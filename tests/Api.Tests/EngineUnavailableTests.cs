using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>When Temporal goes away after an external run was created, requests fail visibly instead of dangling.</summary>
public sealed class EngineUnavailableTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task A_request_the_engine_cannot_take_is_stored_failed_with_TEMPORAL_UNAVAILABLE_and_answered_503()
    {
        var engine = new FlakyEngine();
        using var app = new OdApp(_dir.Path, services: s => s.AddSingleton<IExternalMediaDispatcher>(engine));
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync("""{"mode":"external","externalExecutor":{"kind":"http","endpoint":"http://127.0.0.1:9/submit"}}""");
        engine.Down = true;

        using var response = await api.GenerateAsync(run.ToolToken);
        var problem = await OdClient.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, ErrorCodes.TemporalUnavailable);
        var requestId = problem.Details!.Value.GetProperty("requestId").GetString()!;
        var stored = await api.GetRequestAsync(requestId);
        Assert.Equal(MediaRequestStatuses.Failed, stored.Status);
        Assert.Equal(ErrorCodes.TemporalUnavailable, stored.Error!.Code);
        var frames = await SseClient.ReadToEndAsync(api.Http, $"/api/runs/{run.RunId}/events?follow=false");
        Assert.Equal(2, frames.Count);
    }

    [Fact]
    public async Task Cancelling_while_the_engine_is_down_ends_the_request_locally()
    {
        var engine = new FlakyEngine();
        using var app = new OdApp(_dir.Path, services: s => s.AddSingleton<IExternalMediaDispatcher>(engine));
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync("""{"mode":"external","externalExecutor":{"kind":"http","endpoint":"http://127.0.0.1:9/submit"}}""");
        var request = await api.GenerateOkAsync(run.ToolToken);
        engine.Down = true;

        using var cancel = await api.SendAsync(HttpMethod.Post, $"/api/media-requests/{request.Id}/cancel");
        var cancelled = await OdClient.ReadAsync(cancel, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal(MediaRequestStatuses.Cancelled, cancelled.Status);
        Assert.Equal(ErrorCodes.TemporalUnavailable, cancelled.Error!.Code);
    }

    /// <summary>An engine the test switches off: it accepts work until <see cref="Down"/>.</summary>
    private sealed class FlakyEngine : IExternalMediaDispatcher
    {
        public bool Down { get; set; }
        public bool IsAvailable => true;
        public Task StartAsync(MediaRequest request, CancellationToken ct) => Maybe();
        public Task SignalFulfilledAsync(MediaRequest request, StagedFile file, CancellationToken ct) => Maybe();
        public Task SignalFailedAsync(MediaRequest request, MediaRequestError error, CancellationToken ct) => Maybe();
        public Task SignalProgressAsync(MediaRequest request, MediaRequestProgress progress, CancellationToken ct) => Maybe();
        public Task RequestCancelAsync(MediaRequest request, CancellationToken ct) => Maybe();
        private Task Maybe() => Down ? throw new ExternalDispatchException("the workflow engine went away") : Task.CompletedTask;
    }

    public void Dispose() => _dir.Dispose();
}
