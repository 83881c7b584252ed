using System.Net;
using System.Text.Json;
using OpenDesign.Workflows.Activities.Tests.Support;
using OpenDesign.Workflows.Contracts;
using Refit;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static OpenDesign.Workflows.Activities.Tests.Support.ActivityHarness;

namespace OpenDesign.Workflows.Activities.Tests;

/// <summary>The Refit client bound to one absolute executor URL: where it sends, what it sends, and how it answers.</summary>
public sealed class ExecutorClientTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Auth = new() { ["Authorization"] = "Bearer tkn", ["X-Tenant"] = "acme" };

    private readonly ActivityHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private static ExecutorSubmitRequest Body(string? model = null) => new(
        "mreq_1", "run_1", "proj_1", MediaSurfaces.Image, model, "a poster", "poster.png",
        new ExecutorConstraints(Aspect: "16:9"),
        [new InputRef(InputRefKinds.ProjectFile, "ref.png")],
        new ExecutorCallback("http://od.test/f", "http://od.test/x", "http://od.test/p", "odcb_tok"));

    [Theory]
    [InlineData("/submit", "")]
    [InlineData("/executor/v1/jobs", "")]
    [InlineData("/executor/v1/jobs", "?tenant=acme&region=eu-1")]
    [InlineData("/executor/v1/jobs/", "?sig=a%2Bb")]
    public async Task Submit_posts_to_exactly_the_configured_url(string path, string query)
    {
        _h.Executor.Given(Request.Create().UsingAnyMethod()).RespondWith(Json(202, """{"externalRequestId":"ext-1"}"""));

        using var response = await _h.Executors.For(_h.Url(path + query)).SubmitAsync(Body(), "mreq_1", Auth, TestContext.Current.CancellationToken);

        Assert.True(response.IsSuccessStatusCode);
        var call = Assert.Single(_h.AllCalls());
        Assert.Equal("POST", call.Method);
        Assert.Equal(_h.Url(path + query), call.AbsoluteUrl);
    }

    [Fact]
    public async Task Submit_sends_the_idempotency_key_the_auth_headers_and_a_camel_case_body_without_nulls()
    {
        _h.Executor.Given(Request.Create().WithPath("/submit").UsingPost())
            .RespondWith(Json(202, """{"externalRequestId":"ext-1","status":"submitted","statusUrl":"http://x/s","expectedMime":"image/png"}"""));

        using var response = await _h.Executors.For(_h.Url("/submit")).SubmitAsync(Body(), "mreq_1", Auth, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(new ExecutorSubmitResponse("ext-1", "submitted", "http://x/s", "image/png"), response.Content);
        var call = Assert.Single(_h.Calls("/submit"));
        Assert.Equal("mreq_1", Header(call, "Idempotency-Key"));
        Assert.Equal("Bearer tkn", Header(call, "Authorization"));
        Assert.Equal("acme", Header(call, "X-Tenant"));
        Assert.StartsWith("application/json", Header(call, "Content-Type"), StringComparison.Ordinal);

        var body = BodyOf(call);
        Assert.Equal(
            ["requestId", "runId", "projectId", "surface", "prompt", "output", "constraints", "inputRefs", "callback"],
            body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["aspect"], body.GetProperty("constraints").EnumerateObject().Select(p => p.Name));
        Assert.Equal("16:9", body.GetProperty("constraints").GetProperty("aspect").GetString());
        var inputRef = Assert.Single(body.GetProperty("inputRefs").EnumerateArray());
        Assert.Equal("project-file", inputRef.GetProperty("kind").GetString());
        Assert.Equal("ref.png", inputRef.GetProperty("ref").GetString());
        Assert.Equal(["fulfillUrl", "failUrl", "progressUrl", "token"], body.GetProperty("callback").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_model_when_present_is_sent()
    {
        _h.Executor.Given(Request.Create().UsingPost()).RespondWith(Json(202, "{}"));

        using var response = await _h.Executors.For(_h.Url("/submit")).SubmitAsync(Body("img-2"), "mreq_1", Auth, TestContext.Current.CancellationToken);

        Assert.Equal("img-2", BodyOf(Assert.Single(_h.AllCalls())).GetProperty("model").GetString());
    }

    [Fact]
    public async Task Status_is_a_get_to_exactly_the_status_url_with_the_auth_headers()
    {
        var url = _h.Url("/status/ext-1?sig=abc%2Fdef&exp=123");
        _h.Executor.Given(Request.Create().UsingAnyMethod())
            .RespondWith(Json(200, """{"status":"running","message":"rendering","percent":42.5}"""));

        using var response = await _h.Executors.For(url).GetStatusAsync(Auth, TestContext.Current.CancellationToken);

        Assert.Equal(new ExecutorStatusResponse("running", "rendering", 42.5), response.Content);
        var call = Assert.Single(_h.AllCalls());
        Assert.Equal("GET", call.Method);
        Assert.Equal(url, call.AbsoluteUrl);
        Assert.Equal("Bearer tkn", Header(call, "Authorization"));
    }

    [Fact]
    public async Task Cancel_posts_its_body_to_exactly_the_cancel_url_with_the_same_idempotency_key()
    {
        var url = _h.Url("/jobs/cancel?tenant=acme");
        _h.Executor.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(204));

        using var response = await _h.Executors.For(url)
            .CancelAsync(new ExecutorCancelRequest("mreq_1", "ext-1", "deadline"), "mreq_1", Auth, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var call = Assert.Single(_h.AllCalls());
        Assert.Equal("POST", call.Method);
        Assert.Equal(url, call.AbsoluteUrl);
        Assert.Equal("mreq_1", Header(call, "Idempotency-Key"));
        Assert.Equal("acme", Header(call, "X-Tenant"));
        var body = BodyOf(call);
        Assert.Equal("mreq_1", body.GetProperty("requestId").GetString());
        Assert.Equal("ext-1", body.GetProperty("externalRequestId").GetString());
        Assert.Equal("deadline", body.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_cancel_without_an_external_id_omits_it()
    {
        _h.Executor.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200));

        using var response = await _h.Executors.For(_h.Url("/cancel"))
            .CancelAsync(new ExecutorCancelRequest("mreq_1", null, "cancellation requested"), "mreq_1", Auth, TestContext.Current.CancellationToken);

        Assert.Equal(["requestId", "reason"], BodyOf(Assert.Single(_h.AllCalls())).EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(422)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Non_success_answers_come_back_as_responses_with_status_and_error_content(int status)
    {
        const string problem = """{"type":"about:blank","title":"Nope","status":0,"detail":"model is not offered"}""";
        _h.Executor.Given(Request.Create().UsingAnyMethod()).RespondWith(Json(status, problem, "application/problem+json"));
        var ct = TestContext.Current.CancellationToken;
        var client = _h.Executors.For(_h.Url("/any"));

        using var submit = await client.SubmitAsync(Body(), "mreq_1", Auth, ct);
        using var cancel = await client.CancelAsync(new ExecutorCancelRequest("mreq_1", null, "r"), "mreq_1", Auth, ct);
        using var poll = await client.GetStatusAsync(Auth, ct);

        foreach (IApiResponse response in new IApiResponse[] { submit, cancel, poll })
        {
            Assert.False(response.IsSuccessStatusCode);
            Assert.Equal((HttpStatusCode)status, response.StatusCode);
            var error = Assert.IsType<ApiException>(response.Error, exactMatch: false);
            Assert.Equal(problem, error.Content);
        }
        Assert.Null(submit.Content);
        Assert.Null(poll.Content);
    }

    [Fact]
    public async Task A_refused_connection_comes_back_as_a_response_without_a_status()
    {
        using var response = await _h.Executors.For(RefusedUrl()).SubmitAsync(Body(), "mreq_1", Auth, TestContext.Current.CancellationToken);

        Assert.False(response.IsSuccessStatusCode);
        Assert.Null(response.StatusCode);
        Assert.IsType<HttpRequestException>(Assert.IsType<ApiRequestException>(response.Error).InnerException, exactMatch: false);
    }

    /// <summary>A loopback port nobody listens on.</summary>
    internal static string RefusedUrl()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/submit";
    }

    internal static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
