using OpenDesign.Workflows.Contracts;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OpenDesign.Workflows.Api.Tests.External;

/// <summary>
/// The external workflow's failure branches end to end, each with the error code an operator sees. The codes are
/// spelled out as the API documents them rather than taken from the constants the workflow uses.
/// </summary>
[Collection(ExternalModeCollection.Name)]
public sealed class ExternalFailureTests(ExternalModeFixture fixture)
{
    [Fact]
    public async Task An_executor_auth_variable_the_service_lacks_fails_the_request_at_once_as_executor_unavailable()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(Response.Create().WithStatusCode(202));
        await h.WaitReadyAsync();
        var project = await h.Api.CreateProjectAsync();
        var executor = $$$"""{"kind":"http","id":"wiremock","endpoint":"{{{h.ExecutorUrl("/submit")}}}","auth":{"kind":"bearer-env","env":"OD_TEST_NOT_SET_ANYWHERE"}}""";
        var run = await h.Api.CreateRunAsync(project.Id, $$"""{"mode":"external","externalExecutor":{{executor}}}""");

        var request = await h.GenerateAsync(run.ToolToken);
        var failed = await h.WaitForStatusAsync(request.Id, MediaRequestStatuses.Failed);

        Assert.Equal("EXTERNAL_EXECUTOR_UNAVAILABLE", failed.Error!.Code);
        Assert.Contains("OD_TEST_NOT_SET_ANYWHERE", failed.Error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Calls("/submit"));
        Assert.Equal(["created", "failed"], await h.RunEventActionsAsync(run.RunId));
    }

    [Fact]
    public async Task Submissions_failing_until_the_deadline_fail_the_request_as_executor_timeout()
    {
        await using var h = new ExternalHarness(fixture.Temporal, settings: new Dictionary<string, string?> { ["Od:ExternalDeadline"] = "00:00:05" });
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(Response.Create().WithStatusCode(503));
        var (_, run) = await h.CreateExternalRunAsync();

        var request = await h.GenerateAsync(run.ToolToken);
        var failed = await h.WaitForStatusAsync(request.Id, MediaRequestStatuses.Failed);

        Assert.Equal("EXECUTOR_TIMEOUT", failed.Error!.Code);
        Assert.Contains("did not accept the request before the deadline", failed.Error.Message, StringComparison.Ordinal);
        Assert.True(h.Calls("/submit").Count >= 2, "the submission should have been retried");
        Assert.Empty(h.Calls("/cancel"));
        Assert.Equal(["created", "failed"], await h.RunEventActionsAsync(run.RunId));
        Assert.Equal(MediaRequestStatuses.Failed, await h.Workflow(request.Id).GetResultAsync<string>());
    }

    [Fact]
    public async Task A_status_poll_that_reports_failure_fails_the_request_with_the_executors_error()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(Response.Create().WithStatusCode(202)
            .WithHeader("Content-Type", "application/json")
            .WithBody($$"""{"externalRequestId":"ext-1","status":"submitted","statusUrl":"{{h.ExecutorUrl("/status/ext-1")}}"}"""));
        h.Executor.Given(Request.Create().WithPath("/status/ext-1").UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json")
            .WithBody("""{"status":"failed","error":{"message":"the prompt was refused","code":"CONTENT_POLICY"}}"""));
        var (_, run) = await h.CreateExternalRunAsync();

        var request = await h.GenerateAsync(run.ToolToken);
        var failed = await h.WaitForStatusAsync(request.Id, MediaRequestStatuses.Failed);

        Assert.Equal("CONTENT_POLICY", failed.Error!.Code);
        Assert.Equal("the prompt was refused", failed.Error.Message);
        Assert.NotEmpty(h.Calls("/status/ext-1"));
        Assert.Equal(["created", "submitted", "failed"], await h.RunEventActionsAsync(run.RunId));
        Assert.Equal(MediaRequestStatuses.Failed, await h.Workflow(request.Id).GetResultAsync<string>());
    }
}
