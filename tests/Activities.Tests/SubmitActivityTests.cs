using System.Globalization;
using OpenDesign.Workflows.Activities.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.Tests.Support;
using OpenDesign.Workflows.Workflows;
using Temporalio.Exceptions;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static OpenDesign.Workflows.Activities.Tests.Support.ActivityHarness;

namespace OpenDesign.Workflows.Activities.Tests;

public sealed class SubmitActivityTests : IAsyncLifetime
{
    private readonly ActivityHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private static IRequestBuilder Submit => Request.Create().WithPath("/submit").UsingPost();

    private void Accept(string body = """{"externalRequestId":"ext-1","status":"submitted"}""") =>
        _h.Executor.Given(Submit).RespondWith(Json(202, body));

    [Fact]
    public async Task A_202_marks_the_request_submitted_with_what_the_executor_answered()
    {
        var statusUrl = _h.Url("/status/ext-1?sig=x");
        Accept($$"""{"externalRequestId":"ext-1","status":"submitted","statusUrl":"{{statusUrl}}","expectedMime":"image/png"}""");
        var (_, run, request) = await _h.NewExternalRequestAsync();

        var outcome = await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        Assert.Equal(new SubmitOutcome(true, statusUrl), outcome);
        var stored = _h.Requests.Get(request.Id);
        Assert.Equal(MediaRequestStatuses.Submitted, stored.Status);
        Assert.Equal(new ExternalRef(ExecutorId, "ext-1", statusUrl, "image/png", ExternalMediaRequestWorkflow.IdFor(request.Id)), stored.External);
        Assert.Null(stored.Error);
        Assert.Equal(["created", "submitted"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Running_the_activity_again_after_it_succeeded_neither_posts_again_nor_appends_an_event()
    {
        Accept($$"""{"externalRequestId":"ext-1","statusUrl":"{{_h.Url("/status/ext-1")}}"}""");
        var (_, run, request) = await _h.NewExternalRequestAsync();

        var first = await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));
        var second = await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        Assert.Equal(first, second);
        Assert.True(second.Accepted);
        Assert.Single(_h.Calls("/submit"));
        Assert.Equal(["created", "submitted"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task A_retry_after_a_transient_failure_is_the_same_logical_submission()
    {
        _h.Executor.Given(Submit).InScenario("flaky").WillSetStateTo("failed-once").RespondWith(Response.Create().WithStatusCode(500));
        _h.Executor.Given(Submit).InScenario("flaky").WhenStateIs("failed-once").RespondWith(Json(202, """{"externalRequestId":"ext-9"}"""));
        var (_, run, request) = await _h.NewExternalRequestAsync();

        await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
        var outcome = await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        Assert.True(outcome.Accepted);
        Assert.Equal("ext-9", _h.Requests.Get(request.Id).External!.ExternalRequestId);
        var calls = _h.Calls("/submit");
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal(request.Id, Header(c, "Idempotency-Key")));
        Assert.Equal(BodyOf(calls[0]).GetRawText(), BodyOf(calls[1]).GetRawText());
        Assert.Equal(["created", "submitted"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Two_overlapping_attempts_record_one_submission()
    {
        Accept();
        var (_, run, request) = await _h.NewExternalRequestAsync();

        var outcomes = await Task.WhenAll(
            _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)),
            _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));

        Assert.All(outcomes, o => Assert.True(o.Accepted));
        Assert.All(_h.Calls("/submit"), c => Assert.Equal(request.Id, Header(c, "Idempotency-Key")));
        Assert.Equal(["created", "submitted"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task The_body_is_the_specs_submit_body_with_a_callback_token_that_validates_for_this_request_only()
    {
        Accept();
        var (project, run) = await _h.NewExternalRunAsync();
        var request = await _h.NewRequestAsync(run, r => r with
        {
            Model = "img-2",
            Prompt = "a launch poster, blue",
            Output = "../My Poster!.png",
            RequestedOutput = OutputNames.ForRequest("../My Poster!.png", MediaSurfaces.Image, r.Id),
            Aspect = "16:9",
            Length = 3,
            Duration = 4.5,
            AudioKind = "speech",
            Voice = "alto",
            Language = "fr",
            InputRefs = [new InputRef(InputRefKinds.ProjectFile, "ref.png"), new InputRef(InputRefKinds.Artifact, "art-1")],
        });
        var other = await _h.NewRequestAsync(run);

        await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        var call = Assert.Single(_h.Calls("/submit"));
        Assert.Equal(request.Id, Header(call, "Idempotency-Key"));
        Assert.Equal("Bearer " + Secret, Header(call, "Authorization"));
        var body = BodyOf(call);
        Assert.Equal(request.Id, body.GetProperty("requestId").GetString());
        Assert.Equal(run.RunId, body.GetProperty("runId").GetString());
        Assert.Equal(project.Id, body.GetProperty("projectId").GetString());
        Assert.Equal("image", body.GetProperty("surface").GetString());
        Assert.Equal("img-2", body.GetProperty("model").GetString());
        Assert.Equal("a launch poster, blue", body.GetProperty("prompt").GetString());
        Assert.Equal("_._My-Poster_.png", request.RequestedOutput);
        Assert.Equal(request.RequestedOutput, body.GetProperty("output").GetString());
        var constraints = body.GetProperty("constraints");
        Assert.Equal("16:9", constraints.GetProperty("aspect").GetString());
        Assert.Equal(3, constraints.GetProperty("length").GetDouble());
        Assert.Equal(4.5, constraints.GetProperty("duration").GetDouble());
        Assert.Equal("speech", constraints.GetProperty("audioKind").GetString());
        Assert.Equal("alto", constraints.GetProperty("voice").GetString());
        Assert.Equal("fr", constraints.GetProperty("language").GetString());
        Assert.Equal(
            [("project-file", "ref.png"), ("artifact", "art-1")],
            body.GetProperty("inputRefs").EnumerateArray().Select(r => (r.GetProperty("kind").GetString(), r.GetProperty("ref").GetString())));

        var callback = body.GetProperty("callback");
        Assert.Equal($"http://od.test/api/media-requests/{request.Id}/fulfill", callback.GetProperty("fulfillUrl").GetString());
        Assert.Equal($"http://od.test/api/media-requests/{request.Id}/fail", callback.GetProperty("failUrl").GetString());
        Assert.Equal($"http://od.test/api/media-requests/{request.Id}/progress", callback.GetProperty("progressUrl").GetString());
        var token = callback.GetProperty("token").GetString()!;
        // Derived here from the key file, not with the service's own code: HMAC-SHA256 of the request id, base64url.
        var key = File.ReadAllBytes(Path.Combine(_h.Options.DataDir, "callback.key"));
        Assert.Equal("odcb_" + System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes(request.Id))), token);
        Assert.Equal(request.Id, _h.CallbackTokens.Validate(token, request.Id).Id);
        Assert.Equal(403, Assert.Throws<DomainException>(() => _h.CallbackTokens.Validate(token, other.Id)).Status);
    }

    [Fact]
    public async Task A_request_without_options_sends_empty_constraints_and_input_refs_and_no_model()
    {
        Accept();
        var (_, _, request) = await _h.NewExternalRequestAsync(auth: new ExecutorAuth(ExecutorAuthKinds.None));

        await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        var call = Assert.Single(_h.Calls("/submit"));
        var body = BodyOf(call);
        Assert.False(body.TryGetProperty("model", out _));
        Assert.Empty(body.GetProperty("constraints").EnumerateObject());
        Assert.Empty(body.GetProperty("inputRefs").EnumerateArray());
        Assert.Null(Header(call, "Authorization"));
    }

    [Fact]
    public async Task Header_env_auth_sends_the_secret_in_the_named_header()
    {
        Accept();
        var (_, _, request) = await _h.NewExternalRequestAsync(auth: new ExecutorAuth(ExecutorAuthKinds.HeaderEnv, SecretVariable, "X-Executor-Key"));

        await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        var call = Assert.Single(_h.Calls("/submit"));
        Assert.Equal(Secret, Header(call, "X-Executor-Key"));
        Assert.Null(Header(call, "Authorization"));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("not a url")]
    public async Task A_status_url_that_is_not_an_http_url_is_not_kept(string statusUrl)
    {
        Accept($$"""{"externalRequestId":"ext-1","statusUrl":"{{statusUrl}}"}""");
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var outcome = await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        Assert.Equal(new SubmitOutcome(true, null), outcome);
        Assert.Null(_h.Requests.Get(request.Id).External!.StatusUrl);
    }

    [Fact]
    public async Task A_relative_status_url_is_resolved_against_the_executor_endpoint()
    {
        Accept("""{"externalRequestId":"ext-1","statusUrl":"/status/relative?sig=abc"}""");
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var outcome = await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        Assert.Equal(_h.Url("/status/relative?sig=abc"), outcome.StatusUrl);
        Assert.Equal(_h.Url("/status/relative?sig=abc"), _h.Requests.Get(request.Id).External!.StatusUrl);
    }

    [Fact]
    public async Task A_202_without_a_body_still_marks_the_request_submitted()
    {
        _h.Executor.Given(Submit).RespondWith(Response.Create().WithStatusCode(202));
        var (_, run, request) = await _h.NewExternalRequestAsync();

        var outcome = await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        Assert.True(outcome.Accepted);
        var stored = _h.Requests.Get(request.Id);
        Assert.Equal(MediaRequestStatuses.Submitted, stored.Status);
        Assert.Null(stored.External!.ExternalRequestId);
        Assert.Equal(ExternalMediaRequestWorkflow.IdFor(request.Id), stored.External.WorkflowId);
        Assert.Equal(["created", "submitted"], _h.Actions(run.RunId));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(408)]
    [InlineData(429)]
    public async Task Transient_answers_throw_a_retryable_failure_and_change_nothing(int status)
    {
        _h.Executor.Given(Submit).RespondWith(Json(status, """{"detail":"busy"}"""));
        var (_, run, request) = await _h.NewExternalRequestAsync();

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));

        Assert.False(e.NonRetryable);
        Assert.Equal("ExecutorUnavailable", e.ErrorType);
        Assert.Contains(status.ToString(CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Null(e.NextRetryDelay);
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
        Assert.Equal(["created"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task A_stopped_executor_is_a_retryable_transport_failure()
    {
        var (_, run, request) = await _h.NewExternalRequestAsync();
        _h.Executor.Stop();

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));

        Assert.False(e.NonRetryable);
        Assert.Equal("ExecutorUnreachable", e.ErrorType);
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
        Assert.Equal(["created"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task A_refused_port_is_a_retryable_transport_failure()
    {
        var (_, run) = await _h.NewExternalRunAsync(endpointUrl: ExecutorClientTests.RefusedUrl());
        var request = await _h.NewRequestAsync(run);

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));

        Assert.False(e.NonRetryable);
        Assert.Equal("ExecutorUnreachable", e.ErrorType);
        Assert.DoesNotContain(Secret, e.ToString(), StringComparison.Ordinal);
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
    }

    [Fact]
    public async Task An_executor_that_does_not_answer_in_time_is_a_retryable_transport_failure_not_a_cancellation()
    {
        var h = new ActivityHarness(executorTimeout: TimeSpan.FromMilliseconds(200));
        await using (h)
        {
            h.Executor.Given(Submit).RespondWith(Response.Create().WithStatusCode(202).WithDelay(TimeSpan.FromSeconds(2)));
            var (_, _, request) = await h.NewExternalRequestAsync();

            var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));

            Assert.False(e.NonRetryable);
            Assert.Equal("ExecutorUnreachable", e.ErrorType);
            Assert.Equal(MediaRequestStatuses.Requested, h.Requests.Get(request.Id).Status);
        }
    }

    [Fact]
    public async Task A_request_whose_run_has_no_executor_is_a_non_retryable_failure()
    {
        var project = await _h.Projects.CreateAsync("p");
        var run = await _h.RunService.CreateAsync(project.Id, null, null, null, new MediaExecutionPolicy(MediaExecutionModes.RequestOnly));
        var request = await _h.NewRequestAsync(run);

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));

        Assert.True(e.NonRetryable);
        Assert.Empty(_h.AllCalls());
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task Retry_after_in_seconds_sets_the_next_retry_delay(int status)
    {
        _h.Executor.Given(Submit).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Retry-After", "7"));
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));

        Assert.False(e.NonRetryable);
        Assert.Equal(TimeSpan.FromSeconds(7), e.NextRetryDelay);
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_sets_the_delay_until_that_time()
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(30);
        _h.Executor.Given(Submit).RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", at.ToString("R", CultureInfo.InvariantCulture)));
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));

        // The date has whole seconds; the delay is what is left of the 30 s, never more.
        Assert.NotNull(e.NextRetryDelay);
        Assert.InRange(e.NextRetryDelay.Value, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("86400", 600)]
    [InlineData("Thu, 01 Jan 1970 00:00:00 GMT", 0)]
    public async Task Retry_after_is_kept_between_zero_and_ten_minutes(string retryAfter, int expectedSeconds)
    {
        _h.Executor.Given(Submit).RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", retryAfter));
        var (_, _, request) = await _h.NewExternalRequestAsync();

        var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), e.NextRetryDelay);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(422)]
    public async Task A_refusal_fails_the_request_with_the_executors_detail_and_does_not_throw(int status)
    {
        _h.Executor.Given(Submit).RespondWith(Json(status,
            """{"type":"about:blank","title":"Bad Request","status":400,"detail":"model gpt-image-2 is not offered"}""", "application/problem+json"));
        var (_, run, request) = await _h.NewExternalRequestAsync();

        var outcome = await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        Assert.Equal(new SubmitOutcome(false), outcome);
        var stored = _h.Requests.Get(request.Id);
        Assert.Equal(MediaRequestStatuses.Failed, stored.Status);
        Assert.Equal(ErrorCodes.ExecutorRejected, stored.Error!.Code);
        Assert.Contains("model gpt-image-2 is not offered", stored.Error.Message, StringComparison.Ordinal);
        Assert.Contains(status.ToString(CultureInfo.InvariantCulture), stored.Error.Message, StringComparison.Ordinal);
        Assert.Equal(["created", "failed"], _h.Actions(run.RunId));

        // Run again (a retried activity): the request has ended, nothing is posted or appended.
        Assert.Equal(new SubmitOutcome(false), await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));
        Assert.Single(_h.Calls("/submit"));
        Assert.Equal(["created", "failed"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task A_refusal_in_plain_text_keeps_the_text_cut_to_a_bounded_length()
    {
        var text = "no: " + new string('x', 5000);
        _h.Executor.Given(Submit).RespondWith(Response.Create().WithStatusCode(403).WithHeader("Content-Type", "text/plain").WithBody(text));
        var (_, _, request) = await _h.NewExternalRequestAsync();

        await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        var error = _h.Requests.Get(request.Id).Error!;
        Assert.Equal(ErrorCodes.ExecutorRejected, error.Code);
        Assert.Contains("no: xxx", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Message.Length, 2000, 2100);
    }

    [Fact]
    public async Task A_missing_auth_variable_is_a_non_retryable_failure_that_calls_nobody_and_hides_nothing_secret()
    {
        var h = new ActivityHarness(environment: _ => null);
        await using (h)
        {
            h.Executor.Given(Submit).RespondWith(Json(202, "{}"));
            var (_, run, request) = await h.NewExternalRequestAsync();

            var e = await Assert.ThrowsAsync<ApplicationFailureException>(() => h.RunAsync(request.Id, a => a.SubmitAsync(request.Id)));

            Assert.True(e.NonRetryable);
            Assert.Equal(ActivityPolicyErrorTypes.NonRetryable, e.ErrorType);
            Assert.Contains(SecretVariable, e.Message, StringComparison.Ordinal);
            Assert.Empty(h.AllCalls());
            Assert.Equal(MediaRequestStatuses.Requested, h.Requests.Get(request.Id).Status);
            Assert.Equal(["created"], h.Actions(run.RunId));
        }
    }

    [Fact]
    public async Task A_request_that_already_ended_is_not_submitted()
    {
        Accept();
        var (_, run, request) = await _h.NewExternalRequestAsync();
        await _h.RunAsync(request.Id, a => a.MarkCancelledAsync(request.Id, null));

        var outcome = await _h.RunAsync(request.Id, a => a.SubmitAsync(request.Id));

        Assert.False(outcome.Accepted);
        Assert.Empty(_h.AllCalls());
        Assert.Equal(["created", "cancelled"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task A_cancelled_activity_ends_in_cancellation_not_in_a_retryable_failure()
    {
        Accept();
        var (_, run, request) = await _h.NewExternalRequestAsync();
        var env = EnvironmentFor(request.Id);
        env.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => env.RunAsync(() => _h.Activities.SubmitAsync(request.Id)));

        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
        Assert.Equal(["created"], _h.Actions(run.RunId));
    }
}
