using OpenDesign.Workflows.Activities.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Workflows;
using Temporalio.Exceptions;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static OpenDesign.Workflows.Activities.Tests.Support.ActivityHarness;

namespace OpenDesign.Workflows.Activities.Tests;

public sealed class CancelAtExecutorActivityTests : IAsyncLifetime
{
    private readonly ActivityHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private static IRequestBuilder Cancel => Request.Create().WithPath("/cancel").UsingPost();

    /// <summary>A request the executor has accepted as ext-1.</summary>
    private async Task<(RunCreated Run, MediaRequest Request)> SubmittedAsync(string? cancelPath = "/cancel")
    {
        _h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(Json(202, """{"externalRequestId":"ext-1"}"""));
        var (_, run, request) = await _h.NewExternalRequestAsync(cancelPath);
        Assert.True((await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id))).Accepted);
        return (run, request);
    }

    [Fact]
    public async Task Without_a_cancel_endpoint_the_executor_is_not_called()
    {
        var (run, request) = await SubmittedAsync(cancelPath: null);

        await _h.RunAsync(request.Id, a => a.CancelAtExecutorAsync(request.Id, "cancellation requested"));

        Assert.Single(_h.AllCalls());
        Assert.Single(_h.Calls("/submit"));
        Assert.Equal(MediaRequestStatuses.Submitted, _h.Requests.Get(request.Id).Status);
        Assert.Equal(["created", "submitted"], _h.Actions(run.RunId));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(202)]
    [InlineData(204)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(410)]
    public async Task Success_or_already_gone_answers_are_a_done_cancel(int status)
    {
        _h.Executor.Given(Cancel).RespondWith(Response.Create().WithStatusCode(status));
        var (run, request) = await SubmittedAsync();

        await _h.RunAsync(request.Id, a => a.CancelAtExecutorAsync(request.Id, "deadline"));

        Assert.Single(_h.Calls("/cancel"));
        // Telling the executor changes nothing locally: marking the request is a separate activity.
        Assert.Equal(MediaRequestStatuses.Submitted, _h.Requests.Get(request.Id).Status);
        Assert.Equal(["created", "submitted"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task The_cancel_carries_the_external_id_and_reason_with_the_submissions_idempotency_key_and_auth()
    {
        _h.Executor.Given(Cancel).RespondWith(Response.Create().WithStatusCode(202));
        var (_, request) = await SubmittedAsync();

        await _h.RunAsync(request.Id, a => a.CancelAtExecutorAsync(request.Id, "cancellation requested"));

        var submit = Assert.Single(_h.Calls("/submit"));
        var cancel = Assert.Single(_h.Calls("/cancel"));
        Assert.Equal(Header(submit, "Idempotency-Key"), Header(cancel, "Idempotency-Key"));
        Assert.Equal(request.Id, Header(cancel, "Idempotency-Key"));
        Assert.Equal("Bearer " + Secret, Header(cancel, "Authorization"));
        var body = BodyOf(cancel);
        Assert.Equal(request.Id, body.GetProperty("requestId").GetString());
        Assert.Equal("ext-1", body.GetProperty("externalRequestId").GetString());
        Assert.Equal("cancellation requested", body.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(400)]
    public async Task Any_other_answer_throws_so_the_attempt_is_retried_and_then_recorded(int status)
    {
        _h.Executor.Given(Cancel).RespondWith(Response.Create().WithStatusCode(status));
        var (_, request) = await SubmittedAsync();

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.CancelAtExecutorAsync(request.Id, "deadline")));

        Assert.False(e.NonRetryable);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Equal(MediaRequestStatuses.Submitted, _h.Requests.Get(request.Id).Status);
    }

    [Fact]
    public async Task An_unreachable_cancel_endpoint_throws_a_retryable_failure()
    {
        var (_, request) = await SubmittedAsync();
        _h.Executor.Stop();

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.CancelAtExecutorAsync(request.Id, "deadline")));

        Assert.False(e.NonRetryable);
    }

    [Fact]
    public async Task A_missing_auth_variable_is_non_retryable()
    {
        var h = new ActivityHarness(environment: _ => null);
        await using (h)
        {
            var (_, _, request) = await h.NewExternalRequestAsync();

            var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => h.RunAsync(request.Id, a => a.CancelAtExecutorAsync(request.Id, "deadline")));

            Assert.True(e.NonRetryable);
            Assert.Equal(ActivityPolicyErrorTypes.NonRetryable, e.ErrorType);
            Assert.Empty(h.AllCalls());
        }
    }
}
