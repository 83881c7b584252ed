using System.Net;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

public sealed class AdminAuthTests : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly IPAddress Remote = IPAddress.Parse("10.1.2.3");

    [Fact]
    public async Task Loopback_callers_without_a_credential_are_admins()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await api.CreateProjectAsync("p");
        Assert.StartsWith("proj_", project.Id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_callers_need_the_api_token()
    {
        using var app = new OdApp(_dir.Path, remoteIp: Remote, settings: new Dictionary<string, string?> { ["OD_API_TOKEN"] = "s3cret" });
        using var api = app.Api();
        using (var none = await api.PostJsonAsync("/api/projects", "{}")) await OdClient.ProblemAsync(none, HttpStatusCode.Unauthorized, ErrorCodes.ApiTokenRequired);
        using (var wrong = await api.PostJsonAsync("/api/projects", "{}", bearer: "nope")) await OdClient.ProblemAsync(wrong, HttpStatusCode.Unauthorized, ErrorCodes.ApiTokenInvalid);
        using var right = await api.PostJsonAsync("/api/projects", "{}", bearer: "s3cret");
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
        Assert.Equal(1, app.Count("projects"));
    }

    [Fact]
    public async Task A_wrong_credential_from_loopback_is_refused_not_ignored()
    {
        using var app = new OdApp(_dir.Path, settings: new Dictionary<string, string?> { ["OD_API_TOKEN"] = "s3cret" });
        using var api = app.Api();
        using var wrong = await api.PostJsonAsync("/api/projects", "{}", bearer: "guess");
        await OdClient.ProblemAsync(wrong, HttpStatusCode.Unauthorized, ErrorCodes.ApiTokenInvalid);
        Assert.Equal(0, app.Count("projects"));
    }

    [Fact]
    public async Task A_bearer_is_refused_from_loopback_when_no_api_token_is_configured()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        using var response = await api.PostJsonAsync("/api/projects", "{}", bearer: "anything");
        await OdClient.ProblemAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.ApiTokenInvalid);
    }

    [Fact]
    public async Task Other_authorization_schemes_are_refused()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/projects") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz");
        using var response = await api.Http.SendAsync(request);
        await OdClient.ProblemAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.ApiTokenInvalid);
    }

    [Fact]
    public async Task A_tool_token_works_the_same_from_another_machine()
    {
        using var app = new OdApp(_dir.Path, settings: new Dictionary<string, string?> { ["OD_API_TOKEN"] = "s3cret" });
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        app.RemoteIp = Remote;
        var request = await api.GenerateOkAsync(run.ToolToken);
        Assert.Equal(run.RunId, request.RunId);
        using var admin = await api.SendAsync(HttpMethod.Get, $"/api/runs/{run.RunId}", run.ToolToken);
        await OdClient.ProblemAsync(admin, HttpStatusCode.Forbidden, ErrorCodes.ToolEndpointDenied);
    }

    [Fact]
    public async Task The_api_token_does_not_stand_in_for_a_tool_token()
    {
        using var app = new OdApp(_dir.Path, settings: new Dictionary<string, string?> { ["OD_API_TOKEN"] = "s3cret" });
        using var api = app.Api();
        await api.CreateRequestOnlyRunAsync();
        using var response = await api.GenerateAsync("s3cret");
        await OdClient.ProblemAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.ToolTokenInvalid);
        Assert.Equal(0, app.Count("media_requests"));
    }

    public void Dispose() => _dir.Dispose();
}
