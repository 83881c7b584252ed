using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Temporal.Testing;
using OpenDesign.Workflows.Workflows;
using Temporalio.Api.Enums.V1;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OpenDesign.Workflows.Api.Tests.External;

/// <summary>
/// External mode end to end: the real service and its hosted worker run the real workflow through the Temporal SDK;
/// WireMock is the executor and the test plays its callbacks.
/// </summary>
[Collection(ExternalModeCollection.Name)]
public sealed class ExternalModeTests(ExternalModeFixture fixture)
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 7, 7, 7];

    [Fact]
    public async Task Happy_path_submits_once_with_an_idempotency_key_and_a_callback_fulfils_into_the_project()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        AcceptSubmissions(h);
        var (project, run) = await h.CreateExternalRunAsync();
        using var global = await SseClient.OpenAsync(h.Api.Http, "/api/events");

        var request = await h.GenerateAsync(run.ToolToken);
        Assert.Equal(MediaRequestStatuses.Requested, request.Status);
        Assert.Equal(MediaExecutionModes.External, request.PolicyMode);
        var submitted = await h.WaitForStatusAsync(request.Id, MediaRequestStatuses.Submitted);
        Assert.Equal("ext-1", submitted.External!.ExternalRequestId);
        Assert.Equal("wiremock", submitted.External.ExecutorId);
        Assert.Equal(ExternalMediaRequestWorkflow.IdFor(request.Id), submitted.External.WorkflowId);

        var call = Assert.Single(h.Calls("/submit"));
        Assert.Equal(request.Id, Header(call, "Idempotency-Key"));
        Assert.Equal("Bearer " + ExternalHarness.ExecutorSecret, Header(call, "Authorization"));
        var body = JsonDocument.Parse(call.Body!).RootElement;
        Assert.Equal(request.Id, body.GetProperty("requestId").GetString());
        Assert.Equal(run.RunId, body.GetProperty("runId").GetString());
        Assert.Equal(project.Id, body.GetProperty("projectId").GetString());
        Assert.Equal("a launch poster", body.GetProperty("prompt").GetString());
        Assert.Equal("poster.png", body.GetProperty("output").GetString());
        Assert.Equal("16:9", body.GetProperty("constraints").GetProperty("aspect").GetString());
        Assert.Equal($"http://od.test/api/media-requests/{request.Id}/fulfill", body.GetProperty("callback").GetProperty("fulfillUrl").GetString());
        Assert.Equal(CallbackTokenForgeryTests.GenuineToken(h, request.Id), body.GetProperty("callback").GetProperty("token").GetString());

        using var fulfil = await h.Api.FulfillBytesAsync(request.Id, Png, "image/png", bearer: h.CallbackToken(request.Id));
        var fulfilled = await OdClient.ReadAsync(fulfil, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal(MediaRequestStatuses.Fulfilled, fulfilled.Status);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Png)), fulfilled.FulfilledFile!.Sha256);
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(project.Dir, "poster.png")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.DataDir, "staging")));

        Assert.Equal(["created", "submitted", "fulfilled"], await h.RunEventActionsAsync(run.RunId));
        var feed = await SseClient.TakeAsync(global, 3, TimeSpan.FromSeconds(10));
        Assert.Equal(["created", "submitted", "fulfilled"], feed.Select(f => JsonDocument.Parse(f.Data).RootElement.GetProperty("action").GetString()));

        var handle = h.Workflow(request.Id);
        Assert.Equal(MediaRequestStatuses.Fulfilled, await handle.GetResultAsync<string>());
        await HistoryReplay.AssertReplaysAsync<ExternalMediaRequestWorkflow>(handle);
    }

    [Fact]
    public async Task Transient_executor_failures_retry_as_one_logical_submission()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        var submit = Request.Create().WithPath("/submit").UsingPost();
        h.Executor.Given(submit).InScenario("flaky").WillSetStateTo("failed-once").RespondWith(Response.Create().WithStatusCode(500));
        h.Executor.Given(submit).InScenario("flaky").WhenStateIs("failed-once").WillSetStateTo("failed-twice").RespondWith(Response.Create().WithStatusCode(503));
        h.Executor.Given(submit).InScenario("flaky").WhenStateIs("failed-twice").RespondWith(Json(202, """{"externalRequestId":"ext-9"}"""));
        var (_, run) = await h.CreateExternalRunAsync();

        var request = await h.GenerateAsync(run.ToolToken);
        var submitted = await h.WaitForStatusAsync(request.Id, MediaRequestStatuses.Submitted);
        Assert.Equal("ext-9", submitted.External!.ExternalRequestId);
        var calls = h.Calls("/submit");
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal(request.Id, Header(c, "Idempotency-Key")));
        Assert.Single(calls.Select(c => c.Body).Distinct());
        Assert.Equal(["created", "submitted"], await h.RunEventActionsAsync(run.RunId));
    }

    [Fact]
    public async Task A_4xx_from_the_executor_fails_the_request_at_once_with_its_detail()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(
            Json(400, """{"type":"about:blank","title":"Bad Request","status":400,"detail":"model gpt-image-2 is not offered"}""", "application/problem+json"));
        var (_, run) = await h.CreateExternalRunAsync();

        var request = await h.GenerateAsync(run.ToolToken);
        var failed = await h.WaitForStatusAsync(request.Id, MediaRequestStatuses.Failed);
        Assert.Equal(ErrorCodes.ExecutorRejected, failed.Error!.Code);
        Assert.Contains("model gpt-image-2 is not offered", failed.Error.Message, StringComparison.Ordinal);
        Assert.Single(h.Calls("/submit"));
        Assert.Equal(["created", "failed"], await h.RunEventActionsAsync(run.RunId));
        Assert.Equal(MediaRequestStatuses.Failed, await h.Workflow(request.Id).GetResultAsync<string>());
    }

    [Fact]
    public async Task Cancelling_before_submission_never_calls_the_executors_cancel_endpoint()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(Response.Create().WithStatusCode(503));
        AcceptCancels(h);
        var (_, run) = await h.CreateExternalRunAsync();
        var request = await h.GenerateAsync(run.ToolToken);
        await Eventually.TrueAsync(() => Task.FromResult(h.Calls("/submit").Count > 0), "a first submission attempt");

        using var cancel = await h.Api.SendAsync(HttpMethod.Post, $"/api/media-requests/{request.Id}/cancel", run.ToolToken);
        var cancelled = await OdClient.ReadAsync(cancel, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal(MediaRequestStatuses.Cancelled, cancelled.Status);
        Assert.Empty(h.Calls("/cancel"));
        Assert.Equal(["created", "cancelled"], await h.RunEventActionsAsync(run.RunId));
        // The request is recorded as cancelled just before the workflow itself closes as Canceled.
        await Eventually.TrueAsync(async () => (await h.Workflow(request.Id).DescribeAsync()).Status == WorkflowExecutionStatus.Canceled, "the workflow to close as Canceled");
    }

    [Fact]
    public async Task Cancelling_after_submission_reaches_the_executor_exactly_once()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        AcceptSubmissions(h);
        AcceptCancels(h);
        var (_, run, request) = await h.SubmittedRequestAsync();

        using var cancel = await h.Api.SendAsync(HttpMethod.Post, $"/api/media-requests/{request.Id}/cancel");
        Assert.Equal(MediaRequestStatuses.Cancelled, (await OdClient.ReadAsync(cancel, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest)).Status);
        var call = Assert.Single(h.Calls("/cancel"));
        Assert.Equal(request.Id, Header(call, "Idempotency-Key"));
        var body = JsonDocument.Parse(call.Body!).RootElement;
        Assert.Equal("ext-1", body.GetProperty("externalRequestId").GetString());

        using var again = await h.Api.SendAsync(HttpMethod.Post, $"/api/media-requests/{request.Id}/cancel");
        await OdClient.ProblemAsync(again, HttpStatusCode.Conflict, ErrorCodes.MediaRequestTerminal);
        Assert.Single(h.Calls("/cancel"));
        await HistoryReplay.AssertReplaysAsync<ExternalMediaRequestWorkflow>(h.Workflow(request.Id));
    }

    [Fact]
    public async Task A_failing_cancel_endpoint_is_recorded_but_the_request_still_ends_cancelled()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        AcceptSubmissions(h);
        h.Executor.Given(Request.Create().WithPath("/cancel").UsingPost()).RespondWith(Response.Create().WithStatusCode(500));
        var (_, run, request) = await h.SubmittedRequestAsync();

        using (await h.Api.SendAsync(HttpMethod.Post, $"/api/media-requests/{request.Id}/cancel")) { }
        var cancelled = await h.WaitForStatusAsync(request.Id, MediaRequestStatuses.Cancelled);
        Assert.Equal(ErrorCodes.ExecutorCancelFailed, cancelled.External!.CancelError!.Code);
        Assert.Equal(3, h.Calls("/cancel").Count);
    }

    [Fact]
    public async Task Ending_the_run_cancels_its_external_requests_through_their_workflows()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        AcceptSubmissions(h);
        AcceptCancels(h);
        var (_, run, request) = await h.SubmittedRequestAsync();

        using (var end = await h.Api.SendAsync(HttpMethod.Post, $"/api/runs/{run.RunId}/cancel")) Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        await h.WaitForStatusAsync(request.Id, MediaRequestStatuses.Cancelled);
        Assert.Single(h.Calls("/cancel"));

        // The run's stream closes only after the request's last event: `end` comes after `cancelled`.
        var frames = await SseClient.ReadToEndAsync(h.Api.Http, $"/api/runs/{run.RunId}/events");
        Assert.Equal(["media_request", "media_request", "media_request", "end"], frames.Select(f => f.Event));
        Assert.Contains("\"action\":\"cancelled\"", frames[2].Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lost_callback_is_recovered_by_polling_the_status_url()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(
            Json(202, $$"""{"externalRequestId":"ext-1","status":"submitted","statusUrl":"{{h.ExecutorUrl("/status/ext-1")}}"}"""));
        h.Executor.Given(Request.Create().WithPath("/status/ext-1").UsingGet()).InScenario("render").WillSetStateTo("done")
            .RespondWith(Json(200, """{"status":"running","message":"rendering","percent":50}"""));
        h.Executor.Given(Request.Create().WithPath("/status/ext-1").UsingGet()).InScenario("render").WhenStateIs("done")
            .RespondWith(Json(200, $$$"""{"status":"fulfilled","result":{"url":"{{{h.ExecutorUrl("/files/ext-1.png")}}}"}}"""));
        h.Executor.Given(Request.Create().WithPath("/files/ext-1.png").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "image/png").WithBody(Png));
        var (project, run) = await h.CreateExternalRunAsync();

        var request = await h.GenerateAsync(run.ToolToken);
        var fulfilled = await h.WaitForStatusAsync(request.Id, MediaRequestStatuses.Fulfilled);
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(project.Dir, fulfilled.FulfilledFile!.Path)));
        Assert.Equal("rendering", fulfilled.External!.LastProgress);
        Assert.Equal(["created", "submitted", "progress", "fulfilled"], await h.RunEventActionsAsync(run.RunId));
        Assert.Equal("Bearer " + ExternalHarness.ExecutorSecret, Header(h.Calls("/status/ext-1")[0], "Authorization"));
    }

    [Fact]
    public async Task Progress_callbacks_move_the_request_to_running_and_each_appends_one_event()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        AcceptSubmissions(h);
        var (_, run, request) = await h.SubmittedRequestAsync();
        var token = h.CallbackToken(request.Id);

        for (var i = 1; i <= 3; i++)
        {
            using var progress = await h.Api.PostJsonAsync($"/api/media-requests/{request.Id}/progress", $$"""{"message":"step {{i}}","percent":{{i * 30}}}""", token);
            Assert.True(progress.IsSuccessStatusCode, $"progress answered {(int)progress.StatusCode}");
        }
        await Eventually.TrueAsync(async () => (await h.RunEventActionsAsync(run.RunId)).Count(a => a == "progress") == 3, "three progress events");
        var running = await h.Api.GetRequestAsync(request.Id);
        Assert.Equal(MediaRequestStatuses.Running, running.Status);
        Assert.Equal("step 3", running.External!.LastProgress);
        Assert.Equal(90, running.External.Percent);
    }

    [Fact]
    public async Task Callback_tokens_are_judged_per_request_and_die_with_it()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        AcceptSubmissions(h);
        var (_, run) = await h.CreateExternalRunAsync();
        var first = await h.GenerateAsync(run.ToolToken);
        var second = await h.GenerateAsync(run.ToolToken, """{"surface":"image","prompt":"another","output":"other.png"}""");
        await h.WaitForStatusAsync(first.Id, MediaRequestStatuses.Submitted);
        await h.WaitForStatusAsync(second.Id, MediaRequestStatuses.Submitted);
        var firstToken = h.CallbackToken(first.Id);

        using (var forged = await h.Api.FulfillBytesAsync(first.Id, Png, "image/png", "odcb_forgedforgedforgedforgedforgedforgedforge"))
            await OdClient.ProblemAsync(forged, HttpStatusCode.Unauthorized, ErrorCodes.CallbackTokenInvalid);
        using (var foreign = await h.Api.FulfillBytesAsync(second.Id, Png, "image/png", firstToken))
            await OdClient.ProblemAsync(foreign, HttpStatusCode.Forbidden, ErrorCodes.CallbackTokenDenied);
        using (var notHere = await h.Api.SendAsync(HttpMethod.Post, $"/api/media-requests/{first.Id}/cancel", firstToken))
            await OdClient.ProblemAsync(notHere, HttpStatusCode.Forbidden, ErrorCodes.CallbackTokenDenied);
        using (var notTool = await h.Api.GenerateAsync(firstToken))
            await OdClient.ProblemAsync(notTool, HttpStatusCode.Forbidden, ErrorCodes.CallbackTokenDenied);
        using (var agent = await h.Api.FulfillBytesAsync(first.Id, Png, "image/png", run.ToolToken))
            await OdClient.ProblemAsync(agent, HttpStatusCode.Forbidden, ErrorCodes.ToolEndpointDenied);
        Assert.Equal(MediaRequestStatuses.Submitted, (await h.Api.GetRequestAsync(second.Id)).Status);

        using (var failed = await h.Api.PostJsonAsync($"/api/media-requests/{first.Id}/fail", """{"message":"out of credit","code":"EXECUTOR_BUDGET"}""", firstToken))
            Assert.Equal(MediaRequestStatuses.Failed, (await OdClient.ReadAsync(failed, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest)).Status);
        using (var late = await h.Api.PostJsonAsync($"/api/media-requests/{first.Id}/progress", """{"message":"still here"}""", firstToken))
            await OdClient.ProblemAsync(late, HttpStatusCode.Unauthorized, ErrorCodes.CallbackTokenInvalid);
        using (var lateFulfil = await h.Api.FulfillBytesAsync(first.Id, Png, "image/png", firstToken))
            await OdClient.ProblemAsync(lateFulfil, HttpStatusCode.Conflict, ErrorCodes.MediaRequestTerminal);
        Assert.Equal(["created", "created", "submitted", "submitted", "failed"], (await h.RunEventActionsAsync(run.RunId)).Order().ToList().OrderBy(a => a == "failed").ToList());
    }

    [Fact]
    public async Task A_duplicate_fulfil_with_the_same_bytes_is_idempotent_and_different_bytes_conflict()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        AcceptSubmissions(h);
        var (project, run, request) = await h.SubmittedRequestAsync();
        var token = h.CallbackToken(request.Id);

        using var first = await h.Api.FulfillBytesAsync(request.Id, Png, "image/png", token);
        var fulfilled = await OdClient.ReadAsync(first, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        using var again = await h.Api.FulfillBytesAsync(request.Id, Png, "image/png", token);
        Assert.Equal(fulfilled.FulfilledFile, (await OdClient.ReadAsync(again, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest)).FulfilledFile);
        using var different = await h.Api.FulfillBytesAsync(request.Id, [1, 2, 3], "image/png", token);
        await OdClient.ProblemAsync(different, HttpStatusCode.Conflict, ErrorCodes.MediaRequestTerminal);

        Assert.Single(Directory.EnumerateFiles(project.Dir));
        Assert.Equal(1, (await h.RunEventActionsAsync(run.RunId)).Count(a => a == "fulfilled"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.DataDir, "staging")));
    }

    [Fact]
    public async Task A_request_waiting_while_the_worker_restarts_still_completes()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        AcceptSubmissions(h);
        var (project, run, request) = await h.SubmittedRequestAsync();
        var token = h.CallbackToken(request.Id);

        await h.RestartServiceAsync();

        // The token issued before the restart still works: the key lives in the data root, not in memory.
        using var fulfil = await h.Api.FulfillBytesAsync(request.Id, Png, "image/png", token);
        Assert.Equal(MediaRequestStatuses.Fulfilled, (await OdClient.ReadAsync(fulfil, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest)).Status);
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(project.Dir, "poster.png")));
        Assert.Single(h.Calls("/submit"));
        await HistoryReplay.AssertReplaysAsync<ExternalMediaRequestWorkflow>(h.Workflow(request.Id));
    }

    [Fact]
    public async Task Operators_find_the_workflow_by_run_with_a_readable_summary_memo_and_status_query()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        AcceptSubmissions(h);
        var (project, run, request) = await h.SubmittedRequestAsync("""{"surface":"image","model":"gpt-image-2","prompt":"a launch poster","output":"poster.png"}""");

        var handle = h.Workflow(request.Id);
        Assert.Equal(MediaRequestStatuses.Submitted, await handle.QueryAsync(wf => wf.Status));
        var described = await handle.DescribeAsync();
        Assert.Equal($"image · gpt-image-2 · {run.RunId}", await described.GetStaticSummaryAsync());
        Assert.Equal(run.RunId, await described.Memo["runId"].ToValueAsync<string>());
        Assert.Equal(project.Id, await described.Memo["projectId"].ToValueAsync<string>());
        Assert.Equal("a launch poster", await described.Memo["prompt"].ToValueAsync<string>());
        Assert.Equal(run.RunId, described.TypedSearchAttributes.Get(OdSearchAttributes.RunId));
        await Eventually.TrueAsync(async () =>
            (await handle.DescribeAsync()).TypedSearchAttributes.Get(OdSearchAttributes.Status) == MediaRequestStatuses.Submitted, "status search attribute");

        var found = new List<string>();
        await foreach (var wf in h.Temporal.ListWorkflowsAsync($"OdRunId = '{run.RunId}'")) found.Add(wf.Id);
        Assert.Equal([ExternalMediaRequestWorkflow.IdFor(request.Id)], found);
    }

    [Fact]
    public async Task Generating_again_for_the_same_request_returns_the_running_workflow()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        AcceptSubmissions(h);
        var (_, run, request) = await h.SubmittedRequestAsync();
        var dispatcher = (Domain.MediaRequests.IExternalMediaDispatcher)h.App.Services.GetService(typeof(Domain.MediaRequests.IExternalMediaDispatcher))!;
        var firstRun = (await h.Workflow(request.Id).DescribeAsync()).RunId;

        await dispatcher.StartAsync(await h.Api.GetRequestAsync(request.Id), CancellationToken.None);
        Assert.Equal(firstRun, (await h.Workflow(request.Id).DescribeAsync()).RunId);
        Assert.Single(h.Calls("/submit"));
    }

    private static void AcceptSubmissions(ExternalHarness h) =>
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(Json(202, """{"externalRequestId":"ext-1","status":"submitted","expectedMime":"image/png"}"""));

    private static void AcceptCancels(ExternalHarness h) =>
        h.Executor.Given(Request.Create().WithPath("/cancel").UsingPost()).RespondWith(Response.Create().WithStatusCode(202));

    private static IResponseBuilder Json(int status, string body, string contentType = "application/json") =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body);

    private static string? Header(WireMock.IRequestMessage message, string name) =>
        message.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
}
