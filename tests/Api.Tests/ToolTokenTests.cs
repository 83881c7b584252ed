using System.Net;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

public sealed class ToolTokenTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task Generate_without_a_token_is_401_TOOL_TOKEN_MISSING_with_endpoint_and_operation()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        using var response = await api.GenerateAsync(token: null);
        var problem = await OdClient.ProblemAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.ToolTokenMissing);
        Assert.Equal("/api/tools/media/generate", problem.Details!.Value.GetProperty("endpoint").GetString());
        Assert.Equal("media:generate", problem.Details!.Value.GetProperty("operation").GetString());
    }

    [Theory]
    [InlineData("odtt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-tool-token")]
    public async Task An_unknown_token_is_401_TOOL_TOKEN_INVALID_even_from_loopback(string token)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        using var response = await api.GenerateAsync(token);
        await OdClient.ProblemAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.ToolTokenInvalid);
    }

    [Fact]
    public async Task A_callback_token_on_the_tool_endpoint_is_judged_and_refused_403_CALLBACK_TOKEN_DENIED()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        // A callback token is a credential of its own kind: refused by kind here, not mistaken for a bad tool token.
        using var response = await api.GenerateAsync("odcb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        await OdClient.ProblemAsync(response, HttpStatusCode.Forbidden, ErrorCodes.CallbackTokenDenied);
        Assert.Equal(0, app.Count("media_requests", "run_id = $run", ("$run", run.RunId)));
    }

    [Fact]
    public async Task A_token_expires_after_its_ttl_without_use()
    {
        using var app = new OdApp(_dir.Path, _clock);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(15), run.ToolTokenExpiresAt);

        _clock.Advance(TimeSpan.FromMinutes(15));
        using var response = await api.GenerateAsync(run.ToolToken);
        await OdClient.ProblemAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.ToolTokenExpired);
        Assert.Equal(0, app.Count("media_requests"));
    }

    [Fact]
    public async Task Each_successful_use_slides_the_expiry_forward_while_the_run_is_live()
    {
        using var app = new OdApp(_dir.Path, _clock);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();

        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(10));
            await api.GenerateOkAsync(run.ToolToken);
        }
        // 40 minutes after minting, well past the 15-minute TTL, the token still works because it was used.
        _clock.Advance(TimeSpan.FromMinutes(14));
        await api.GenerateOkAsync(run.ToolToken);

        _clock.Advance(TimeSpan.FromMinutes(15));
        using var expired = await api.GenerateAsync(run.ToolToken);
        await OdClient.ProblemAsync(expired, HttpStatusCode.Unauthorized, ErrorCodes.ToolTokenExpired);
    }

    [Theory]
    [InlineData("finish", """{"status":"succeeded"}""")]
    [InlineData("finish", """{"status":"failed"}""")]
    [InlineData("cancel", null)]
    public async Task Ending_the_run_revokes_its_token(string action, string? body)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        await api.GenerateOkAsync(run.ToolToken);

        using (var end = await api.SendAsync(HttpMethod.Post, $"/api/runs/{run.RunId}/{action}", json: body)) Assert.Equal(HttpStatusCode.OK, end.StatusCode);

        using var response = await api.GenerateAsync(run.ToolToken);
        await OdClient.ProblemAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.ToolTokenInvalid);
        using var list = await api.SendAsync(HttpMethod.Get, $"/api/runs/{run.RunId}/media-requests", run.ToolToken);
        await OdClient.ProblemAsync(list, HttpStatusCode.Unauthorized, ErrorCodes.ToolTokenInvalid);
    }

    [Fact]
    public async Task Tokens_survive_a_restart_of_the_service_and_revocation_does_too()
    {
        RunCreated live, ended;
        using (var first = new OdApp(_dir.Path))
        using (var api = first.Api())
        {
            (_, live) = await api.CreateRequestOnlyRunAsync();
            (_, ended) = await api.CreateRequestOnlyRunAsync();
            using var cancel = await api.SendAsync(HttpMethod.Post, $"/api/runs/{ended.RunId}/cancel");
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        using var second = new OdApp(_dir.Path);
        using var again = second.Api();
        var request = await again.GenerateOkAsync(live.ToolToken);
        Assert.Equal(live.RunId, request.RunId);
        using var refused = await again.GenerateAsync(ended.ToolToken);
        await OdClient.ProblemAsync(refused, HttpStatusCode.Unauthorized, ErrorCodes.ToolTokenInvalid);
    }

    [Fact]
    public async Task Only_a_hash_of_the_token_is_stored()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        Assert.Matches("^odtt_[A-Za-z0-9_-]{43}$", run.ToolToken);
        app.Dispose();
        foreach (var file in Directory.GetFiles(_dir.Path, "app.sqlite*"))
        {
            var bytes = await File.ReadAllTextAsync(file);
            Assert.DoesNotContain(run.ToolToken, bytes, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_token_never_reaches_another_runs_requests()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, mine) = await api.CreateRequestOnlyRunAsync();
        var sameProjectOtherRun = await api.CreateRunAsync(project.Id);
        var (_, otherProject) = await api.CreateRequestOnlyRunAsync();
        var foreignA = await api.GenerateOkAsync(sameProjectOtherRun.ToolToken);
        var foreignB = await api.GenerateOkAsync(otherProject.ToolToken);

        foreach (var foreign in new[] { foreignA, foreignB })
        {
            using var list = await api.SendAsync(HttpMethod.Get, $"/api/runs/{foreign.RunId}/media-requests", mine.ToolToken);
            await OdClient.ProblemAsync(list, HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
            using var get = await api.SendAsync(HttpMethod.Get, $"/api/media-requests/{foreign.Id}", mine.ToolToken);
            await OdClient.ProblemAsync(get, HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
            using var cancel = await api.SendAsync(HttpMethod.Post, $"/api/media-requests/{foreign.Id}/cancel", mine.ToolToken);
            await OdClient.ProblemAsync(cancel, HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
            Assert.Equal(MediaRequestStatuses.Requested, (await api.GetRequestAsync(foreign.Id)).Status);
        }
    }

    [Fact]
    public async Task A_token_may_list_get_and_cancel_its_own_runs_requests()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        var created = await api.GenerateOkAsync(run.ToolToken);

        using var list = await api.SendAsync(HttpMethod.Get, $"/api/runs/{run.RunId}/media-requests", run.ToolToken);
        var page = await OdClient.ReadAsync(list, HttpStatusCode.OK, OdJsonContext.Default.MediaRequestList);
        Assert.Equal(created.Id, Assert.Single(page.Requests).Id);
        using var get = await api.SendAsync(HttpMethod.Get, $"/api/media-requests/{created.Id}", run.ToolToken);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        using var cancel = await api.SendAsync(HttpMethod.Post, $"/api/media-requests/{created.Id}/cancel", run.ToolToken);
        Assert.Equal(MediaRequestStatuses.Cancelled, (await OdClient.ReadAsync(cancel, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest)).Status);
    }

    [Theory]
    [InlineData("POST", "/api/media-requests/{id}/fulfill")]
    [InlineData("POST", "/api/media-requests/{id}/fail")]
    [InlineData("POST", "/api/runs")]
    [InlineData("POST", "/api/runs/{run}/finish")]
    [InlineData("POST", "/api/projects")]
    [InlineData("GET", "/api/runs/{run}")]
    [InlineData("GET", "/api/runs/{run}/events")]
    public async Task A_tool_token_on_an_admin_endpoint_is_403_TOOL_ENDPOINT_DENIED_even_from_loopback(string method, string template)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        var path = template.Replace("{id}", request.Id, StringComparison.Ordinal).Replace("{run}", run.RunId, StringComparison.Ordinal);

        using var response = await api.SendAsync(new HttpMethod(method), path, run.ToolToken, method == "POST" ? """{"status":"succeeded","message":"x","file":"poster.png"}""" : null);
        await OdClient.ProblemAsync(response, HttpStatusCode.Forbidden, ErrorCodes.ToolEndpointDenied);
        Assert.Equal(MediaRequestStatuses.Requested, (await api.GetRequestAsync(request.Id)).Status);
        Assert.Equal(1, app.Count("media_requests"));
    }

    public void Dispose() => _dir.Dispose();
}
