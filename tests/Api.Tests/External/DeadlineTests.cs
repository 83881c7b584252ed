using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Temporal.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OpenDesign.Workflows.Api.Tests.External;

/// <summary>
/// The one-hour default deadline, passed in milliseconds: this test owns a time-skipping server, so skipping ahead
/// touches no other test's workflows. On a real server (TEMPORAL_TEST_ADDRESS) it would wait the hour, so it then
/// shortens the deadline instead.
/// </summary>
public sealed class DeadlineTests
{
    [Fact]
    public async Task An_executor_that_never_answers_fails_the_request_at_the_deadline_after_a_best_effort_cancel()
    {
        await using var temporal = await TemporalTestEnvironment.StartAsync(new TemporalTestEnvironmentOptions { TimeSkipping = true });
        var settings = temporal.SupportsTimeSkipping ? null : new Dictionary<string, string?> { ["Od:ExternalDeadline"] = "00:00:05" };
        await using var h = new ExternalHarness(temporal, settings: settings);
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithHeader("Content-Type", "application/json").WithBody("""{"externalRequestId":"ext-slow"}"""));
        h.Executor.Given(Request.Create().WithPath("/cancel").UsingPost()).RespondWith(Response.Create().WithStatusCode(202));
        var (_, run, request) = await h.SubmittedRequestAsync();

        // Awaiting the result lets the test server jump over the hour the workflow is waiting for; the server's own
        // count of skipped time shows the hour was skipped rather than waited for.
        Assert.Equal(MediaRequestStatuses.Failed, await h.Workflow(request.Id).GetResultAsync<string>());
        if (temporal.SupportsTimeSkipping)
        {
            Assert.True(temporal.Server!.SkippedTime >= TimeSpan.FromMinutes(59), $"skipped only {temporal.Server.SkippedTime}");
        }

        var failed = await h.Api.GetRequestAsync(request.Id);
        Assert.Equal(ErrorCodes.ExecutorTimeout, failed.Error!.Code);
        var cancel = Assert.Single(h.Calls("/cancel"));
        Assert.Contains("deadline", cancel.Body!, StringComparison.Ordinal);
        Assert.Equal(["created", "submitted", "failed"], await h.RunEventActionsAsync(run.RunId));
        await HistoryReplay.AssertReplaysAsync<Workflows.ExternalMediaRequestWorkflow>(h.Workflow(request.Id));
    }
}
